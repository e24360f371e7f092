"""Errors of the notifications app: one class per case, with its stable code and message."""

from enum import StrEnum

from django.utils.translation import gettext as _

from core.errors import Problem


class NotificationError(StrEnum):
    """Stable codes of the notifications errors."""

    PREFERENCE_INVALID = "notification_preference_invalid"
    EMAIL_NOT_CONFIRMED = "email_not_confirmed"


class PreferencesInvalid(Problem):
    """Some chosen channels cannot be used: [(kind, message), ...], each as a field error."""

    def __init__(self, problems: list[tuple[str, str]], *, code: str) -> None:
        super().__init__(
            status=422,
            code=code,
            detail=problems[0][1],
            errors=[{"field": kind, "message": message} for kind, message in problems],
        )


def unknown_kind() -> str:
    return _("There is no message of this kind.")


def unknown_channels() -> str:
    return _("Choose text message, email, or both.")


def email_not_confirmed() -> str:
    return _("Add and confirm an email address on your account before choosing email.")
