"""Passwords: reset with a code to the number, change with the current one, and the password
asked again before a sensitive change."""

import logging
from functools import partial

from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.ratelimit import Rate

from ..errors import AccountsError
from ..lockout import axes_key
from ..models import ApiToken, User, VerificationCode
from ..phones import mask_phone
from .codes import CodeSent, code_problem, code_send, notify, redeem
from .devices import devices_forget_all
from .inputs import attempt_count, password_check, phone_input
from .language import message_language

logger = logging.getLogger(__name__)

Purpose = VerificationCode.Purpose
Channel = VerificationCode.Channel

# Passwords asked again (to change the mobile number or email, or the password) per account
# within REAUTH_PAUSE_SECONDS, before a pause.
REAUTH_LIMIT = 5
REAUTH_PAUSE_SECONDS = 15 * 60


def password_reset_start(*, phone: str, client_address: str | None = None) -> CodeSent:
    """Send a reset code if the number has an account; answer the same way if it has not."""
    phone = phone_input(phone)
    user = User.objects.filter(phone=phone, is_active=True).first()
    return code_send(
        purpose=Purpose.RESET_PASSWORD,
        destination=phone,
        user=user,
        deliver=user is not None,
        client_address=client_address,
    )


def password_reset(*, phone: str, code: str, password: str) -> User:
    """Set a new password with the code sent to the number; end every session and token and
    forget every remembered device."""
    phone = phone_input(phone)
    user = User.objects.filter(phone=phone, is_active=True).first()
    password_check(password=password, user=user or User(username=phone, phone=phone))

    def reset(row: VerificationCode) -> User:
        if user is None:
            raise code_problem(AccountsError.CODE_INVALID, _("This code is not right."))
        user.set_password(password)
        # The session hash follows the password: every other session of the user ends.
        user.save(update_fields=["password"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        # Whoever knew the old password signs in nowhere without a code to the phone.
        devices_forget_all(user=user)
        # Whoever holds the phone may sign in again at once.
        axes_reset(username=axes_key(phone))
        return user

    user = redeem(purpose=Purpose.RESET_PASSWORD, destination=phone, code=code, then=reset)
    logger.info("Password reset for account %s (%s)", user.pk, mask_phone(phone))
    return user


def password_change(
    *, user: User, current_password: str, new_password: str, keep_token_id: int | None = None
) -> User:
    """Change the password after checking the current one; every other session and every other
    token ends (the caller keeps its own session with update_session_auth_hash), and every
    remembered device is forgotten (a code is asked on the next sign-in)."""
    reauthenticate(user=user, password=current_password, field="current_password")
    password_check(password=new_password, user=user)
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        account.set_password(new_password)
        account.save(update_fields=["password"])
        ApiToken.objects.filter(user=account, revoked_at__isnull=True).exclude(
            pk=keep_token_id
        ).update(revoked_at=timezone.now())
        devices_forget_all(user=account)
    user.password = account.password
    if user.phone:
        with translation.override(message_language(account)):
            text = _(
                "The password of your Exit-Entry Online Services account was changed. If you "
                "did not do this, reset it at once."
            )
        transaction.on_commit(
            partial(notify, channel=Channel.SMS, destination=user.phone, text=text), robust=True
        )
    logger.info("Account %s changed its password", user.pk)
    return account


def reauthenticate(*, user: User, password: str, field: str = "password") -> None:
    """Ask for the password again before a sensitive change; pause after repeated wrong tries.

    Only wrong passwords count: after REAUTH_LIMIT of them in the window every try is refused,
    a right one too, so guessing stops there; right ones never use up the tries.
    """
    limit = {
        "scope": "accounts-reauth",
        "key": str(user.pk),
        "rate": Rate(REAUTH_LIMIT, REAUTH_PAUSE_SECONDS),
        "detail": lambda: _("Too many wrong passwords. Try again in 15 minutes."),
    }
    attempt_count(**limit, count=False)
    if not user.check_password(password or ""):
        attempt_count(**limit)
        raise InvalidInput(
            field=field,
            message=_("Your password is not right."),
            code=AccountsError.WRONG_PASSWORD,
        )
