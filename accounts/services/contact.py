"""Change of the account's mobile number or email: the password again, a code to the NEW
number or address, then the change and a notice to the old one.

Both changes follow one rule (`_change_start`, `_change_confirm`); what differs between them is
written once, in `_PHONE` and `_EMAIL`.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import InvalidInput

from ..errors import AccountsError
from ..models import ApiToken, User, VerificationCode
from ..phones import mask_email, mask_phone
from .codes import CodeSent, code_send, notify, redeem
from .devices import devices_forget_all
from .inputs import email_input, phone_input, refuse_taken, taken_problem
from .language import message_language
from .passwords import reauthenticate

logger = logging.getLogger(__name__)

Purpose = VerificationCode.Purpose
Channel = VerificationCode.Channel


@dataclass(frozen=True)
class _Contact:
    """What differs between a change of mobile number and a change of email."""

    field: str  # the account's field, the form's field and the key in the code's payload
    purpose: str
    channel: str
    clean: Callable[[str], str]
    mask: Callable[[str | None], str]
    already_yours: Callable[[], str]
    # The notice to the old number or address, with the new one masked.
    notice: Callable[[str], str]
    # The other field written with the new value, and its value.
    also_field: str
    also_value: Callable[[str], object]
    # A new mobile number ends every other session and token and forgets every known device.
    signs_out: bool
    what: str  # for the log


def _email_required(value: str) -> str:
    return email_input(value, required=True)


_PHONE = _Contact(
    field="phone",
    purpose=Purpose.CHANGE_PHONE,
    channel=Channel.SMS,
    clean=phone_input,
    mask=mask_phone,
    already_yours=lambda: _("This is already your mobile number."),
    notice=lambda new: (
        _(
            "The mobile number of your Exit-Entry Online Services account was changed "
            "to %(phone)s. If you did not do this, contact us at once."
        )
        % {"phone": mask_phone(new)}
    ),
    also_field="username",  # the sign-in name follows the number
    also_value=lambda new: new,
    signs_out=True,
    what="mobile number",
)
_EMAIL = _Contact(
    field="email",
    purpose=Purpose.CHANGE_EMAIL,
    channel=Channel.EMAIL,
    clean=_email_required,
    mask=mask_email,
    already_yours=lambda: _("This is already your email address."),
    notice=lambda new: (
        _(
            "The email address of your Exit-Entry Online Services account was changed "
            "to %(email)s. If you did not do this, contact us at once."
        )
        % {"email": mask_email(new)}
    ),
    also_field="email_confirmed_at",  # the code sent to it proves it
    also_value=lambda new: timezone.now(),
    signs_out=False,
    what="email",
)


# Reads only: the code is sent in its own transaction (code_send).
def _change_start(kind: _Contact, *, user: User, password: str, value: str) -> CodeSent:
    """Check the password and send a code to the NEW number or address."""
    new = kind.clean(value)
    reauthenticate(user=user, password=password)
    if new.lower() == (getattr(user, kind.field) or "").lower():
        raise InvalidInput(
            field=kind.field, message=kind.already_yours(), code=AccountsError.SAME_AS_CURRENT
        )
    refuse_taken(kind.field, new, user=user)
    return code_send(
        purpose=kind.purpose,
        destination=new,
        channel=kind.channel,
        user=user,
        payload={kind.field: new},
    )


def _change_confirm(
    kind: _Contact, *, user: User, code: str, keep_token_id: int | None = None
) -> User:
    """Use the new number or address once its code is confirmed; tell the old one."""

    def change(row: VerificationCode) -> User:
        new = row.payload.get(kind.field) or ""
        account = User.objects.select_for_update().get(pk=user.pk)
        old = getattr(account, kind.field)
        refuse_taken(kind.field, new, user=account)
        setattr(account, kind.field, new)
        setattr(account, kind.also_field, kind.also_value(new))
        try:
            with transaction.atomic():
                account.save(update_fields=[kind.field, kind.also_field])
        except IntegrityError:
            raise taken_problem(kind.field, in_field=False) from None
        if kind.signs_out:
            ApiToken.objects.filter(user=account, revoked_at__isnull=True).exclude(
                pk=keep_token_id
            ).update(revoked_at=timezone.now())
            devices_forget_all(user=account)
        if old:
            with translation.override(message_language(account)):
                text = kind.notice(new)
            transaction.on_commit(
                partial(notify, channel=kind.channel, destination=old, text=text), robust=True
            )
        return account

    account = redeem(purpose=kind.purpose, user=user, code=code, then=change)
    for name in (kind.field, kind.also_field):
        setattr(user, name, getattr(account, name))
    logger.info(
        "Account %s changed its %s to %s",
        user.pk,
        kind.what,
        kind.mask(getattr(user, kind.field)),
    )
    return account


def phone_change_start(*, user: User, password: str, phone: str) -> CodeSent:
    """Check the password and send a code to the NEW number."""
    return _change_start(_PHONE, user=user, password=password, value=phone)


def phone_change_confirm(*, user: User, code: str, keep_token_id: int | None = None) -> User:
    """Use the new number (also the sign-in name) once its code is confirmed.

    Every other session ends (the session hash follows the number) and every bearer token but
    the one of this request (`keep_token_id`) is revoked; every remembered device is forgotten
    (a code, to the new number, is asked on the next sign-in).
    """
    return _change_confirm(_PHONE, user=user, code=code, keep_token_id=keep_token_id)


def email_change_start(*, user: User, password: str, email: str) -> CodeSent:
    """Check the password and send a code to the NEW email address."""
    return _change_start(_EMAIL, user=user, password=password, value=email)


def email_change_confirm(*, user: User, code: str) -> User:
    """Use the new email address once its code is confirmed."""
    return _change_confirm(_EMAIL, user=user, code=code)
