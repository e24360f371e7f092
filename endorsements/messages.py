"""The messages an endorsement's steps send to the citizen, in their language (queued inside the
step's transaction; the outbox delivers them after commit)."""

from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import in_language, notification_new, notification_record

from .models import Endorsement

_SUBJECTS = {
    "endorsement_approved": lambda: _("Endorsement approved"),
    "endorsement_rejected": lambda: _("Endorsement not approved"),
    "endorsement_active": lambda: _("Endorsement printed and active"),
}


def _text(endorsement: Endorsement, kind: str, note: str) -> str:
    number = endorsement.number
    if kind == "endorsement_approved":
        return _(
            "Your endorsement %(number)s was approved. Pay and have it printed at the hall or "
            "kiosk you chose; bring your pass."
        ) % {"number": number}
    if kind == "endorsement_rejected":
        return _("Your endorsement %(number)s was not approved: %(reason)s") % {
            "number": number,
            "reason": note,
        }
    return _("Your endorsement %(number)s is printed on your pass and valid until %(date)s.") % {
        "number": number,
        "date": endorsement.valid_until.isoformat(),
    }


def endorsement_message_new(endorsement: Endorsement, *, kind: str, note: str = "") -> Notification:
    """The message of one step for the account that applied, in its language, not yet saved
    (notifications.services.notification_new)."""
    user = endorsement.applied_by
    with in_language(getattr(user, "language", None)):
        return notification_new(
            user=user,
            kind=kind,
            subject=str(_SUBJECTS[kind]()),
            text=_text(endorsement, kind, note),
            reference=f"endorsement:{endorsement.number}",
        )


def endorsement_message_queue(endorsement: Endorsement, *, kind: str, note: str = "") -> None:
    """Queue the message of one step for the account that applied (inside the transaction)."""
    notification_record(endorsement_message_new(endorsement, kind=kind, note=note))
