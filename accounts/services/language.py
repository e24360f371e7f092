"""The language an account's messages (notifications, one-time codes) are written in."""

import logging

from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import InvalidInput

from ..errors import AccountsError
from ..models import User

logger = logging.getLogger(__name__)


LANGUAGES = ("zh-hans", "en")


def language_of(value: str | None) -> str:
    """The message language for a site language: English for "en..." and Chinese otherwise."""
    return "en" if (value or "").lower().startswith("en") else "zh-hans"


def message_language(user: User | None) -> str:
    """The language to write to this account in (the site's current one when there is none)."""
    chosen = getattr(user, "language", "") if user is not None else ""
    return chosen if chosen in LANGUAGES else language_of(translation.get_language())


def user_language_set(*, user: User, language: str) -> User:
    """Write the account's messages (notifications, codes) in this language from now on."""
    if language not in LANGUAGES:
        raise InvalidInput(
            field="language",
            message=_("Choose Chinese or English."),
            code=AccountsError.LANGUAGE_INVALID,
        )
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
        logger.info("Account %s writes in %s from now on", user.pk, language)
    return user
