"""Registration: a code to the number, then the account; accounts made without a code."""

import logging
from functools import partial

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import Problem

from ..errors import AccountsError
from ..models import User, VerificationCode
from ..phones import mask_phone
from .codes import CodeSent, code_send, notify, redeem, start_again
from .inputs import (
    email_input,
    gather,
    password_check,
    phone_input,
    refuse_taken,
    valid_or_blank,
)
from .language import language_of

logger = logging.getLogger(__name__)

Purpose = VerificationCode.Purpose
Channel = VerificationCode.Channel


# Reads only: the code is sent in its own transaction (code_send).
def registration_start(
    *, phone: str, password: str, email: str = "", client_address: str | None = None
) -> CodeSent:
    """Check a registration (number free, email free, password good) and send its code.

    The password's hash waits in the code's payload until the code is confirmed.
    """
    # Every field's problem at once, so that the form shows them all.
    number, address, _checked = gather(
        lambda: phone_input(phone),
        lambda: email_input(email),
        lambda: password_check(
            password=password,
            user=User(username=valid_or_blank(phone), phone=valid_or_blank(phone), email=""),
        ),
    )
    if address:
        refuse_taken("email", address)
    if _registered(number):
        return _registration_of_a_registered_number(number, client_address)
    return code_send(
        purpose=Purpose.REGISTER,
        destination=number,
        payload={"password_hash": make_password(password), "email": address},
        client_address=client_address,
    )


def _refuse_registered(phone: str) -> None:
    if User.objects.filter(phone=phone).exists():
        message = _(
            "This mobile number already has an account. Sign in, or reset your password if you "
            "have forgotten it."
        )
        raise Problem(
            status=409,
            code=AccountsError.ALREADY_REGISTERED,
            detail=message,
            errors=[{"field": "phone", "message": message}],
        )


def _registered(phone: str) -> bool:
    return User.objects.filter(phone=phone).exists()


def _registration_of_a_registered_number(phone: str, client_address: str | None) -> CodeSent:
    """Answer as for a new number (same limits, same reply), so that the answer does not tell
    who has an account; the owner gets a notice instead of a code."""
    sent = code_send(
        purpose=Purpose.REGISTER, destination=phone, deliver=False, client_address=client_address
    )
    text = _(
        "Someone asked to register this mobile number with Exit-Entry Online Services, but it "
        "already has an account. If it was you, sign in, or reset your password if you have "
        "forgotten it."
    )
    transaction.on_commit(
        partial(notify, channel=Channel.SMS, destination=phone, text=text), robust=True
    )
    return sent


# Reads only: the code is sent in its own transaction (code_send).
def registration_code_request(*, phone: str, client_address: str | None = None) -> CodeSent:
    """Send a registration code to a number (the API's `auth/otp`); a registered number gets
    the same answer and a notice instead of the code."""
    phone = phone_input(phone)
    if _registered(phone):
        return _registration_of_a_registered_number(phone, client_address)
    return code_send(purpose=Purpose.REGISTER, destination=phone, client_address=client_address)


def user_register(
    *, phone: str, code: str, password: str | None = None, email: str | None = None
) -> User:
    """Create the account once the code sent to the number is confirmed.

    The password and email come with the call (API) or from the pending registration (pages).
    """
    phone = phone_input(phone)
    if email is not None:
        email = email_input(email)
    if password is not None:
        # Before the code: a refused password must not cost one of the code's tries.
        password_check(password=password, user=User(username=phone, phone=phone, email=email or ""))
    # Whether the number is registered is told only after a right code (which only its owner
    # can have): before it, the answer would tell who has an account.

    def create(row: VerificationCode) -> User:
        _refuse_registered(phone)
        if password is None and not row.payload.get("password_hash"):
            raise start_again()
        chosen_email = email if email is not None else row.payload.get("email", "")
        if chosen_email:
            refuse_taken("email", chosen_email)
        _refuse_registered(phone)
        try:
            with transaction.atomic():
                user = User.objects.create(
                    username=phone,
                    phone=phone,
                    email=chosen_email,
                    # The site's language at registration; changed on the account page.
                    language=language_of(translation.get_language()),
                    password=(
                        make_password(password)
                        if password is not None
                        else row.payload["password_hash"]
                    ),
                )
        except IntegrityError:
            # Someone registered the number or the email at the same moment.
            raise Problem(
                status=409,
                code=AccountsError.ALREADY_REGISTERED,
                detail=_("This mobile number or email address already has an account."),
            ) from None
        row.payload = {}
        row.save(update_fields=["payload"])
        return user

    user = redeem(purpose=Purpose.REGISTER, destination=phone, code=code, then=create)
    logger.info("Account %s registered for %s", user.pk, mask_phone(phone))
    return user


@transaction.atomic
def account_create(*, phone: str, password: str, email: str = "") -> User:
    """Create a citizen account without a code (demo data and back-office tools)."""
    phone = phone_input(phone)
    email = email_input(email)
    _refuse_registered(phone)
    if email:
        refuse_taken("email", email)
    user = User(
        username=phone, phone=phone, email=email, language=language_of(translation.get_language())
    )
    password_check(password=password, user=user)
    user.set_password(password)
    user.save()
    return user
