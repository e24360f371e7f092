"""Writes of accounts: one-time codes, registration, sign-in and sign-out, password reset,
change of mobile number or email, bearer tokens and real-name binding.

Every service is one transaction; codes and notices go out after commit. A service that checks a
one-time code counts a wrong guess even though it then refuses: the guess is recorded in a
transaction that commits, and the refusal is raised after it (`_redeem`).
"""

import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from axes.helpers import get_cool_off
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate, login, logout, password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import ErrorCode, InvalidInput, NotFound, Problem
from core.http import client_address
from core.ratelimit import rate_limit_hit
from guide.calendar import SHANGHAI
from persons.idnumbers import InvalidIdNumber, id_number_clean
from persons.models import Person

from .auth import token_hash, token_new_key
from .errors import AccountsError, Throttled
from .gateways import GatewayError, Message, gateway_for
from .lockout import axes_key
from .middleware import LAST_SEEN_KEY
from .models import ApiToken, KnownDevice, LoginEvent, User, VerificationCode
from .phones import InvalidPhone, mask_email, mask_phone, phone_clean
from .validators import GuessablePasswordValidator, MaximumLengthValidator

logger = logging.getLogger(__name__)

T = TypeVar("T")
Purpose = VerificationCode.Purpose
Channel = VerificationCode.Channel

CODE_DIGITS = 6
CODE_LIFETIME = dt.timedelta(minutes=10)
CODE_MAX_TRIES = 5
CODE_RESEND_INTERVAL = dt.timedelta(seconds=60)
CODE_DAILY_LIMIT = 10
# A code request still pending can be re-sent (same payload) for this long.
CODE_RESEND_WINDOW = dt.timedelta(hours=1)
# Lookups of name + ID number per account and day: binding is not a way to probe the registry.
IDENTITY_DAILY_LIMIT = 10
# Wrong passwords when changing the mobile number or email, per account, before a pause.
REAUTH_LIMIT = 5
REAUTH_PAUSE_SECONDS = 15 * 60


# --- the language of messages ------------------------------------------------------------------

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


# --- one-time codes ---------------------------------------------------------------------------


def _keyed_hash(*parts: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), "\x1f".join(parts).encode(), hashlib.sha256
    ).hexdigest()


def destination_hash(destination: str) -> str:
    """The keyed hash under which a phone number or email address is stored with its codes."""
    return _keyed_hash("destination", destination.strip().lower())


def _code_hash(*, purpose: str, dest_hash: str, code: str) -> str:
    return _keyed_hash("code", purpose, dest_hash, code)


def _mask(channel: str, destination: str) -> str:
    return mask_email(destination) if channel == Channel.EMAIL else mask_phone(destination)


@dataclass(frozen=True)
class CodeSent:
    """Where a code went (masked), until when it is valid, when a new one may be asked for."""

    channel: str
    destination: str
    expires_at: dt.datetime
    resend_after: int


def _message_text(purpose: str, code: str) -> tuple[str, str]:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    subject = _("Exit-Entry Online Services: your verification code")
    texts = {
        Purpose.REGISTER: _(
            "Your registration code for Exit-Entry Online Services is %(code)s. It is valid for "
            "%(minutes)d minutes. Never give it to anyone: we will never ask you for it."
        ),
        Purpose.RESET_PASSWORD: _(
            "Your code to reset the password of your Exit-Entry Online Services account is "
            "%(code)s. It is valid for %(minutes)d minutes. If you did not ask for it, ignore "
            "this message."
        ),
        Purpose.CHANGE_PHONE: _(
            "Your code to use this mobile number for your Exit-Entry Online Services account is "
            "%(code)s. It is valid for %(minutes)d minutes."
        ),
        Purpose.CHANGE_EMAIL: _(
            "Your code to use this email address for your Exit-Entry Online Services account is "
            "%(code)s. It is valid for %(minutes)d minutes."
        ),
        Purpose.STEP_UP: _(
            "Your code to confirm a sensitive change on your Exit-Entry Online Services account "
            "(reporting a document lost, changing your password) is %(code)s. It is valid for "
            "%(minutes)d minutes. If you did not ask for it, change your password."
        ),
        Purpose.NEW_DEVICE: _(
            "Your code to sign in to your Exit-Entry Online Services account on a new device "
            "is %(code)s. It is valid for %(minutes)d minutes. If you did not just sign in, "
            "someone knows your password: change it at once."
        ),
        Purpose.BIND_IDENTITY: _(
            "Someone asked to link an Exit-Entry Online Services account to your identity. If "
            "it was you, your code is %(code)s (valid for %(minutes)d minutes). If it was not "
            "you, do not give this code to anyone."
        ),
    }
    return subject, texts[purpose] % {"code": code, "minutes": minutes}


def _deliver(
    *, code_id: int, purpose: str, channel: str, destination: str, code: str, language: str
) -> bool:
    """Hand the code to the channel's gateway, in the recipient's language; on failure forget
    the code (it was never sent) and return False."""
    with translation.override(language):
        subject, text = _message_text(purpose, code)
        message = Message(
            channel=channel,
            to=destination,
            subject=subject,
            text=text,
            purpose=purpose,
            code=code,
            language=language,
        )
    try:
        gateway_for(channel).send(message)
    except GatewayError as exc:
        logger.error("Code (%s) for %s not sent: %s", purpose, _mask(channel, destination), exc)
        # Nothing was sent: forget the code so that it neither blocks a new request for a
        # minute nor counts towards the daily limit.
        VerificationCode.objects.filter(pk=code_id).delete()
        return False
    logger.info("Code (%s) sent by %s to %s", purpose, channel, _mask(channel, destination))
    return True


def _notify(*, channel: str, destination: str, text: str) -> None:
    """Send a notice without a code (after commit); a failure is logged, not raised."""
    message = Message(
        channel=channel, to=destination, subject=_("Exit-Entry Online Services"), text=text
    )
    try:
        gateway_for(channel).send(message)
    except GatewayError as exc:
        logger.warning("Notice to %s not sent: %s", _mask(channel, destination), exc)


def requester_hash(client_address: str | None) -> str:
    """The keyed hash of the address a code was asked from ("" when unknown)."""
    return _keyed_hash("requester", client_address) if client_address else ""


def _throttle(*, purpose: str, dest_hash: str, requester: str, now: dt.datetime) -> None:
    """At most one code a minute and CODE_DAILY_LIMIT a day per destination, purpose and
    requesting address: someone asking from elsewhere cannot use up the owner's codes."""
    recent = list(
        VerificationCode.objects.select_for_update()
        .filter(
            purpose=purpose,
            destination_hash=dest_hash,
            requester_hash=requester,
            created_at__gt=now - dt.timedelta(days=1),
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
    )
    if recent and now - recent[0] < CODE_RESEND_INTERVAL:
        wait = math.ceil((CODE_RESEND_INTERVAL - (now - recent[0])).total_seconds())
        raise Throttled(
            code=AccountsError.CODE_RESEND_TOO_SOON,
            detail=ngettext(
                "A code was sent less than a minute ago. Wait %(seconds)d second before asking "
                "for a new one.",
                "A code was sent less than a minute ago. Wait %(seconds)d seconds before asking "
                "for a new one.",
                wait,
            )
            % {"seconds": wait},
            retry_after=wait,
        )
    if len(recent) >= CODE_DAILY_LIMIT:
        free_at = recent[CODE_DAILY_LIMIT - 1] + dt.timedelta(days=1)
        raise Throttled(
            code=AccountsError.CODE_DAILY_LIMIT,
            detail=_(
                "Too many codes were asked for today. You can ask for a new code after "
                "%(time)s (Beijing time)."
            )
            % {"time": free_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")},
            retry_after=math.ceil((free_at - now).total_seconds()),
        )


def code_send(
    *,
    purpose: str,
    destination: str,
    channel: str = Channel.SMS,
    user: User | None = None,
    payload: dict | None = None,
    deliver: bool = True,
    client_address: str | None = None,
) -> CodeSent:
    """Issue a 6-digit code for `purpose` to `destination`, commit it, then send it.

    Only keyed hashes of the code, the destination and the requesting address are stored.
    `deliver=False` issues a code that is never sent (password reset for a number without an
    account: the answer and the throttling are the same, so the form does not tell who has an
    account). With the client's address, codes are limited per address too
    (CODE_RATE_PER_ADDRESS, all numbers together) and the per-number limits count per address.

    The code is its own transaction (durable: calling this inside another transaction is an
    error), so when the gateway fails the only change made, the code, is taken back and the 503
    is true: no other change was committed with it. Notices about committed changes go through
    `_notify` or the notifications relay, which never fail the request.
    """
    now = timezone.now()
    dest_hash = destination_hash(destination)
    # All codes together: a flood from many addresses cannot empty the SMS budget.
    rate_limit_hit(
        scope="accounts-code-all",
        key="all",
        rate=settings.CODE_RATE_OVERALL,
        code=AccountsError.CODE_RATE_LIMITED,
    )
    if client_address:
        rate_limit_hit(
            scope="accounts-code-address",
            key=requester_hash(client_address),
            rate=settings.CODE_RATE_PER_ADDRESS,
            code=AccountsError.CODE_RATE_LIMITED,
        )
    requester = requester_hash(client_address)
    with transaction.atomic(durable=True):
        _throttle(purpose=purpose, dest_hash=dest_hash, requester=requester, now=now)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        row = VerificationCode.objects.create(
            purpose=purpose,
            channel=channel,
            destination_hash=dest_hash,
            code_hash=_code_hash(purpose=purpose, dest_hash=dest_hash, code=code),
            requester_hash=requester,
            user=user,
            payload=payload or {},
            expires_at=now + CODE_LIFETIME,
        )
    if deliver and not _deliver(
        code_id=row.pk,
        purpose=purpose,
        channel=channel,
        destination=destination,
        code=code,
        language=message_language(user),
    ):
        raise Problem(
            status=503,
            code=AccountsError.CODE_NOT_SENT,
            detail=_("We could not send the code just now. Try again in a few minutes."),
        )
    return CodeSent(
        channel=channel,
        destination=_mask(channel, destination),
        expires_at=row.expires_at,
        resend_after=int(CODE_RESEND_INTERVAL.total_seconds()),
    )


def _code_problem(code: str, message: str) -> Problem:
    return Problem(
        status=422, code=code, detail=message, errors=[{"field": "code", "message": message}]
    )


def _code_match(
    *, purpose: str, code: str, destination: str | None, user: User | None
) -> tuple[VerificationCode | None, Problem | None]:
    """Check `code` against the latest code of the purpose (for the destination or the user).

    Returns the code row, marked used, or the problem to raise. Only the latest code counts: a
    new code replaces the earlier ones.
    """
    given = "".join((code or "").split())
    if len(given) != CODE_DIGITS or not given.isdigit():
        # Not a guess: no try is counted.
        return None, _code_problem(
            AccountsError.CODE_INVALID, _("Enter the 6-digit code from the message.")
        )
    rows = VerificationCode.objects.select_for_update().filter(purpose=purpose)
    if destination is not None:
        rows = rows.filter(destination_hash=destination_hash(destination))
    if user is not None:
        rows = rows.filter(user=user)
    row = rows.order_by("-created_at", "-id").first()
    now = timezone.now()
    if row is None:
        return None, _code_problem(
            AccountsError.CODE_INVALID, _("This code is not right. Ask for a new code.")
        )
    if row.used_at is not None:
        return None, _code_problem(
            AccountsError.CODE_USED, _("This code has already been used. Ask for a new code.")
        )
    if row.attempts >= CODE_MAX_TRIES:
        return None, _code_problem(
            AccountsError.CODE_TOO_MANY_TRIES,
            _("This code was entered wrongly too many times. Ask for a new code."),
        )
    if row.expires_at <= now:
        return None, _code_problem(
            AccountsError.CODE_EXPIRED,
            _("This code has expired: codes are valid for 10 minutes. Ask for a new code."),
        )
    expected = _code_hash(purpose=purpose, dest_hash=row.destination_hash, code=given)
    if not hmac.compare_digest(row.code_hash, expected):
        VerificationCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        left = CODE_MAX_TRIES - row.attempts - 1
        if left <= 0:
            return None, _code_problem(
                AccountsError.CODE_TOO_MANY_TRIES,
                _("This code is not right, and that was the last try. Ask for a new code."),
            )
        return None, _code_problem(
            AccountsError.CODE_INVALID,
            ngettext(
                "This code is not right. You can try %(count)d more time.",
                "This code is not right. You can try %(count)d more times.",
                left,
            )
            % {"count": left},
        )
    row.used_at = now
    row.save(update_fields=["used_at"])
    return row, None


def _redeem(
    *,
    purpose: str,
    code: str,
    then: Callable[[VerificationCode], T],
    destination: str | None = None,
    user: User | None = None,
) -> T:
    """Check the code and, when it is right, run `then` in the same transaction.

    A wrong guess is recorded in the transaction, which commits; the problem is raised after,
    so that the try counts. When `then` refuses, everything rolls back and the code stays good.
    """
    with transaction.atomic():
        row, problem = _code_match(purpose=purpose, code=code, destination=destination, user=user)
        if problem is None:
            result = then(row)
    if problem is not None:
        raise problem
    return result


def _pending(*, purpose: str, destination: str | None = None, user: User | None = None):
    """The latest code request still open (not used, recent enough to send again)."""
    rows = VerificationCode.objects.filter(
        purpose=purpose, used_at__isnull=True, created_at__gt=timezone.now() - CODE_RESEND_WINDOW
    )
    if destination is not None:
        rows = rows.filter(destination_hash=destination_hash(destination))
    if user is not None:
        rows = rows.filter(user=user)
    return rows.order_by("-created_at", "-id").first()


def _start_again() -> Problem:
    return Problem(
        status=422,
        code=AccountsError.REQUEST_EXPIRED,
        detail=_("This request is no longer open. Please start again."),
    )


# --- input -------------------------------------------------------------------------------------


def _phone(value: str, field: str = "phone") -> str:
    try:
        return phone_clean(value)
    except InvalidPhone as exc:
        raise InvalidInput(
            field=field, message=str(exc), code=AccountsError.PHONE_INVALID
        ) from None


def _email(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidInput(
            field="email",
            message=_("Enter an email address in the form name@example.com."),
            code=AccountsError.EMAIL_INVALID,
        ) from None
    return User.objects.normalize_email(value)


def _password_validators() -> list:
    validators = password_validation.get_default_password_validators()
    configured = {type(v) for v in validators}
    # Until AUTH_PASSWORD_VALIDATORS lists them, the project's own validators are added here.
    extra = [MaximumLengthValidator(), GuessablePasswordValidator()]
    return [*validators, *(v for v in extra if type(v) not in configured)]


def password_check(*, password: str, user: User) -> None:
    """Refuse a password that a validator refuses (all the reasons, in the field `password`)."""
    try:
        password_validation.validate_password(
            password, user, password_validators=_password_validators()
        )
    except ValidationError as exc:
        messages = list(exc.messages)
        raise Problem(
            status=422,
            code=AccountsError.PASSWORD_INVALID,
            detail=" ".join(messages),
            errors=[{"field": "password", "message": m} for m in messages],
        ) from None


def _valid_or_blank(phone: str) -> str:
    try:
        return phone_clean(phone)
    except InvalidPhone:
        return ""


def _gather(*checks: Callable[[], T]) -> list[T]:
    """Run every check; raise one 422 with the errors of all that refused."""
    results, problems = [], []
    for check in checks:
        try:
            results.append(check())
        except Problem as problem:
            if problem.status != 422:
                raise
            problems.append(problem)
            results.append(None)
    if problems:
        codes = {p.code for p in problems}
        errors = [e for p in problems for e in p.errors]
        raise Problem(
            status=422,
            code=codes.pop() if len(codes) == 1 else ErrorCode.VALIDATION_FAILED,
            detail=" ".join(p.detail for p in problems),
            errors=errors,
        )
    return results


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


def _refuse_email_taken(email: str, *, user: User | None = None) -> None:
    others = User.objects.filter(email__iexact=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        message = _("This email address is already used by another account.")
        raise Problem(
            status=409,
            code=AccountsError.EMAIL_TAKEN,
            detail=message,
            errors=[{"field": "email", "message": message}],
        )


# --- registration ------------------------------------------------------------------------------


# Reads only: the code is sent in its own transaction (code_send).
def registration_start(
    *, phone: str, password: str, email: str = "", client_address: str | None = None
) -> CodeSent:
    """Check a registration (number free, email free, password good) and send its code.

    The password's hash waits in the code's payload until the code is confirmed.
    """
    # Every field's problem at once, so that the form shows them all.
    number, address, _checked = _gather(
        lambda: _phone(phone),
        lambda: _email(email),
        lambda: password_check(
            password=password,
            user=User(username=_valid_or_blank(phone), phone=_valid_or_blank(phone), email=""),
        ),
    )
    if address:
        _refuse_email_taken(address)
    if _registered(number):
        return _registration_of_a_registered_number(number, client_address)
    return code_send(
        purpose=Purpose.REGISTER,
        destination=number,
        payload={"password_hash": make_password(password), "email": address},
        client_address=client_address,
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
        partial(_notify, channel=Channel.SMS, destination=phone, text=text), robust=True
    )
    return sent


# Reads only: the code is sent in its own transaction (code_send).
def registration_code_request(*, phone: str, client_address: str | None = None) -> CodeSent:
    """Send a registration code to a number (the API's `auth/otp`); a registered number gets
    the same answer and a notice instead of the code."""
    phone = _phone(phone)
    if _registered(phone):
        return _registration_of_a_registered_number(phone, client_address)
    return code_send(purpose=Purpose.REGISTER, destination=phone, client_address=client_address)


def code_resend(
    *,
    purpose: str,
    destination: str | None = None,
    user: User | None = None,
    client_address: str | None = None,
) -> CodeSent:
    """Send a new code for the request still open, with the same payload."""
    if destination is not None and purpose in (Purpose.REGISTER, Purpose.RESET_PASSWORD):
        destination = _phone(destination)
    pending = _pending(purpose=purpose, destination=destination, user=user)
    if pending is None:
        raise _start_again()
    payload = dict(pending.payload)
    if purpose == Purpose.CHANGE_PHONE:
        destination = payload.get("phone")
    elif purpose == Purpose.CHANGE_EMAIL:
        destination = payload.get("email")
    elif purpose == Purpose.BIND_IDENTITY:
        person = Person.objects.filter(pk=payload.get("person_id")).first()
        destination = _phone_on_file(person) if person else None
    if not destination:
        raise _start_again()
    return code_send(
        purpose=purpose,
        destination=destination,
        channel=pending.channel,
        user=pending.user,
        payload=payload,
        deliver=purpose != Purpose.RESET_PASSWORD or pending.user_id is not None,
        client_address=client_address,
    )


def user_register(
    *, phone: str, code: str, password: str | None = None, email: str | None = None
) -> User:
    """Create the account once the code sent to the number is confirmed.

    The password and email come with the call (API) or from the pending registration (pages).
    """
    phone = _phone(phone)
    if email is not None:
        email = _email(email)
    if password is not None:
        # Before the code: a refused password must not cost one of the code's tries.
        password_check(password=password, user=User(username=phone, phone=phone, email=email or ""))
    # Whether the number is registered is told only after a right code (which only its owner
    # can have): before it, the answer would tell who has an account.

    def create(row: VerificationCode) -> User:
        _refuse_registered(phone)
        if password is None and not row.payload.get("password_hash"):
            raise _start_again()
        chosen_email = email if email is not None else row.payload.get("email", "")
        if chosen_email:
            _refuse_email_taken(chosen_email)
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

    user = _redeem(purpose=Purpose.REGISTER, destination=phone, code=code, then=create)
    logger.info("Account %s registered for %s", user.pk, mask_phone(phone))
    return user


@transaction.atomic
def account_create(*, phone: str, password: str, email: str = "") -> User:
    """Create a citizen account without a code (demo data and back-office tools)."""
    phone = _phone(phone)
    email = _email(email)
    _refuse_registered(phone)
    if email:
        _refuse_email_taken(email)
    user = User(
        username=phone, phone=phone, email=email, language=language_of(translation.get_language())
    )
    password_check(password=password, user=user)
    user.set_password(password)
    user.save()
    return user


# --- sign-in, sign-out --------------------------------------------------------------------------


def _client_address(request: HttpRequest) -> str | None:
    return client_address(request)


def _login_event(
    *, request: HttpRequest, kind: str, channel: str, phone: str, user: User | None = None
) -> None:
    address = _client_address(request)
    LoginEvent.objects.create(
        user=user,
        phone_masked=mask_phone(phone),
        kind=kind,
        channel=channel,
        client_address=address,
    )
    logger.info(
        "Sign-in event: %s via %s, account %s (%s) from %s",
        kind,
        channel,
        user.pk if user else "-",
        mask_phone(phone),
        address or "-",
    )


def credentials_check(*, request: HttpRequest, phone: str, password: str, channel: str) -> User:
    """Authenticate a citizen through django-axes and record the outcome.

    Lockout is per account AND client address (settings.AXES_LOCKOUT_PARAMETERS), so someone
    guessing from elsewhere cannot lock the citizen out.
    """
    phone = _phone(phone)
    user = authenticate(request=request, username=phone, password=password)
    if user is not None and user.phone == phone:
        return user
    locked = bool(getattr(request, "axes_locked_out", False))
    # The lockout is answered here (problem+json or the sign-in page with its message); the flag
    # is cleared so that AxesMiddleware does not replace that answer with its own page.
    request.axes_locked_out = False
    known = User.objects.filter(phone=phone).first()
    _login_event(
        request=request,
        kind=LoginEvent.Kind.LOCKOUT if locked else LoginEvent.Kind.FAILURE,
        channel=channel,
        phone=phone,
        user=known,
    )
    if locked:
        cool_off = get_cool_off(request) or dt.timedelta(minutes=15)
        minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
        raise Throttled(
            code=AccountsError.ACCOUNT_LOCKED,
            detail=ngettext(
                "Too many failed sign-ins to this account from your network. Try again in "
                "%(minutes)d minute, or reset your password.",
                "Too many failed sign-ins to this account from your network. Try again in "
                "%(minutes)d minutes, or reset your password.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=int(cool_off.total_seconds()),
        )
    raise Problem(
        status=401,
        code=AccountsError.INVALID_CREDENTIALS,
        detail=_("The mobile number or the password is not right."),
    )


def session_lifetime_start(request: HttpRequest) -> None:
    """Give a session just signed in its absolute lifetime and start its idle clock."""
    # A fixed end (a datetime, not seconds of inactivity): activity does not extend it.
    request.session.set_expiry(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))
    request.session[LAST_SEEN_KEY] = int(time.time())


def session_start(*, request: HttpRequest, user: User, channel: str) -> None:
    """Sign the user in on this session: a new session id, and an absolute lifetime."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    session_lifetime_start(request)
    _login_event(
        request=request, kind=LoginEvent.Kind.SUCCESS, channel=channel, phone=user.phone, user=user
    )


def session_login(
    *, request: HttpRequest, phone: str, password: str, channel: str = LoginEvent.Channel.WEB
) -> User:
    """Check the credentials and sign in on the session (no device check: sign_in_start is
    the citizen's way in)."""
    user = credentials_check(request=request, phone=phone, password=password, channel=channel)
    session_start(request=request, user=user, channel=channel)
    return user


# --- new devices: a code to the account's phone the first time --------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of a right password: signed in (`sent` None), or a code was sent to the
    account's phone because the device is new (`sent`), to be confirmed with device_confirm."""

    user: User
    sent: CodeSent | None = None


def device_id_new() -> str:
    """A fresh device id for a browser (kept in its signed cookie)."""
    return secrets.token_urlsafe(32)


def device_id_clean(value: str | None) -> str:
    """A device id as sent by an app: printable, without spaces, up to 100 characters; else ""
    (an unknown device)."""
    value = (value or "").strip()
    if not value or len(value) > 100 or not value.isprintable() or " " in value:
        return ""
    return value


def _device_hash(device_id: str) -> str:
    return _keyed_hash("device", device_id)


def device_hash_of(device_id: str | None) -> str | None:
    """The stored form of a device id (None for no or a malformed id): to tell this browser
    among the remembered ones."""
    device_id = device_id_clean(device_id)
    return _device_hash(device_id) if device_id else None


def device_known(*, user: User, device_id: str | None) -> bool:
    """Whether this account confirmed a code on this device before (and then notes the
    sign-in on it)."""
    device_id = device_id_clean(device_id)
    if not device_id:
        return False
    return bool(
        KnownDevice.objects.filter(user=user, device_hash=_device_hash(device_id)).update(
            last_seen_at=timezone.now()
        )
    )


def device_code_send(*, user: User, client_address: str | None = None) -> CodeSent:
    """Send the new-device code to the account's phone (limits of code_send: one a minute,
    CODE_DAILY_LIMIT a day, per address and overall)."""
    if not user.phone:
        raise Problem(
            status=422,
            code=AccountsError.NO_PHONE,
            detail=_("Your account has no mobile number to send a code to."),
        )
    return code_send(
        purpose=Purpose.NEW_DEVICE, destination=user.phone, user=user, client_address=client_address
    )


def device_confirm(*, user: User, code: str, device_id: str, kind: str, name: str = "") -> None:
    """Check the new-device code; when right, remember the device for the account (only the
    keyed hash of its id)."""
    device_id = device_id_clean(device_id)

    def remember(row: VerificationCode) -> None:
        if device_id:
            KnownDevice.objects.get_or_create(
                user=user,
                device_hash=_device_hash(device_id),
                defaults={
                    "kind": kind,
                    "name": " ".join((name or "").split())[:100],
                    "last_seen_at": timezone.now(),
                },
            )

    _redeem(purpose=Purpose.NEW_DEVICE, user=user, code=code, then=remember)
    logger.info("Account %s confirmed a new %s device", user.pk, kind)


@transaction.atomic
def device_forget(*, user: User, device_id: int) -> None:
    """Forget one remembered device of the user: it is asked a code the next time it signs in
    (or gets a token). Another user's device is not found."""
    deleted, _rows = KnownDevice.objects.filter(user=user, pk=device_id).delete()
    if not deleted:
        raise NotFound(code=AccountsError.DEVICE_NOT_FOUND, detail=_("There is no such device."))
    logger.info("Known device %s of account %s forgotten", device_id, user.pk)


def devices_forget_all(*, user: User) -> int:
    """Forget every remembered device of the user (after a password reset or change, or a new
    mobile number): each one is asked a code again next time."""
    deleted, _rows = KnownDevice.objects.filter(user=user).delete()
    return deleted


def sign_in_start(
    *,
    request: HttpRequest,
    phone: str,
    password: str,
    device_id: str | None,
    code: str = "",
    channel: str = LoginEvent.Channel.WEB,
    device_name: str = "",
) -> SignIn:
    """Sign a citizen in on the session: the password, and on a device not seen before a code
    sent to the account's phone.

    Known device: signed in. New device without `code`: the code is sent (SignIn.sent) and
    nothing else happens. New device with `code` (the API, in one call): checked, the device
    remembered, signed in. The website confirms the code on its own page (device_confirm, then
    session_start).
    """
    user = credentials_check(request=request, phone=phone, password=password, channel=channel)
    if not device_known(user=user, device_id=device_id):
        if not code:
            return SignIn(
                user=user, sent=device_code_send(user=user, client_address=client_address(request))
            )
        device_confirm(
            user=user,
            code=code,
            device_id=device_id or "",
            kind=KnownDevice.Kind.WEB,
            name=device_name,
        )
    session_start(request=request, user=user, channel=channel)
    return SignIn(user=user)


def sign_out(*, request: HttpRequest, user: User, channel: str) -> None:
    """End the session, or revoke the bearer token the request came with."""
    if not user.is_authenticated:
        return
    token = getattr(user, "api_token", None)
    _login_event(
        request=request,
        kind=LoginEvent.Kind.LOGOUT,
        channel=LoginEvent.Channel.TOKEN if token else channel,
        phone=user.phone or "",
        user=user,
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    else:
        logout(request)


# --- password reset -------------------------------------------------------------------------


def password_reset_start(*, phone: str, client_address: str | None = None) -> CodeSent:
    """Send a reset code if the number has an account; answer the same way if it has not."""
    phone = _phone(phone)
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
    phone = _phone(phone)
    user = User.objects.filter(phone=phone, is_active=True).first()
    password_check(password=password, user=user or User(username=phone, phone=phone))

    def reset(row: VerificationCode) -> User:
        if user is None:
            raise _code_problem(AccountsError.CODE_INVALID, _("This code is not right."))
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

    user = _redeem(purpose=Purpose.RESET_PASSWORD, destination=phone, code=code, then=reset)
    logger.info("Password reset for account %s (%s)", user.pk, mask_phone(phone))
    return user


# --- step-up: a code to the account's phone before a sensitive action ---------------------------


def _step_up_key(request: HttpRequest) -> str | None:
    token = getattr(getattr(request, "auth", None), "api_token", None) or getattr(
        getattr(request, "user", None), "api_token", None
    )
    if token is not None:
        return f"accounts:step-up:token:{token.pk}"
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    return f"accounts:step-up:session:{session_key}" if session_key else None


def step_up_start(*, user: User, client_address: str | None = None) -> CodeSent:
    """Send a code to the account's own phone before a sensitive action."""
    if not user.phone:
        raise Problem(
            status=422,
            code=AccountsError.NO_PHONE,
            detail=_("Your account has no mobile number to send a code to."),
        )
    return code_send(
        purpose=Purpose.STEP_UP, destination=user.phone, user=user, client_address=client_address
    )


def step_up_confirm(*, request: HttpRequest, user: User, code: str) -> None:
    """Check the code; this session or token may then do one sensitive action within
    STEP_UP_SECONDS."""
    key = _step_up_key(request)
    _redeem(purpose=Purpose.STEP_UP, user=user, code=code, then=lambda row: None)
    if key:
        cache.set(key, int(time.time()), settings.STEP_UP_SECONDS)


def step_up_required(request: HttpRequest) -> None:
    """Refuse (403 step_up_required) unless a step-up code was confirmed within
    STEP_UP_SECONDS by this session or token (a retry within it needs no new code)."""
    key = _step_up_key(request)
    if key is None or cache.get(key) is None:
        raise Problem(
            status=403,
            code=AccountsError.STEP_UP_REQUIRED,
            detail=_("Confirm it is you first: ask for a code to your mobile number and enter it."),
        )


def step_up_fresh(request: HttpRequest) -> bool:
    key = _step_up_key(request)
    return key is not None and cache.get(key) is not None


# --- password change (signed in, with the current password) --------------------------------------


def password_change(
    *, user: User, current_password: str, new_password: str, keep_token_id: int | None = None
) -> User:
    """Change the password after checking the current one; every other session and every other
    token ends (the caller keeps its own session with update_session_auth_hash), and every
    remembered device is forgotten (a code is asked on the next sign-in)."""
    _reauthenticate(user=user, password=current_password, field="current_password")
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
            partial(_notify, channel=Channel.SMS, destination=user.phone, text=text), robust=True
        )
    logger.info("Account %s changed its password", user.pk)
    return account


# --- change of mobile number or email ------------------------------------------------------------


def _reauthenticate(*, user: User, password: str, field: str = "password") -> None:
    """Ask for the password again before a sensitive change; pause after repeated mistakes."""
    key = f"accounts:reauth:{user.pk}"
    if cache.get(key, 0) >= REAUTH_LIMIT:
        raise Throttled(
            code=AccountsError.TOO_MANY_TRIES,
            detail=_("Too many wrong passwords. Try again in 15 minutes."),
            retry_after=REAUTH_PAUSE_SECONDS,
        )
    if not user.check_password(password or ""):
        cache.add(key, 0, REAUTH_PAUSE_SECONDS)
        cache.incr(key)
        raise InvalidInput(
            field=field,
            message=_("Your password is not right."),
            code=AccountsError.WRONG_PASSWORD,
        )
    cache.delete(key)


# Reads only: the code is sent in its own transaction (code_send).
def phone_change_start(*, user: User, password: str, phone: str) -> CodeSent:
    """Check the password and send a code to the NEW number."""
    new = _phone(phone)
    _reauthenticate(user=user, password=password)
    if new == user.phone:
        raise InvalidInput(
            field="phone",
            message=_("This is already your mobile number."),
            code=AccountsError.SAME_AS_CURRENT,
        )
    if User.objects.filter(phone=new).exists():
        message = _("This mobile number is used by another account.")
        raise Problem(
            status=409,
            code=AccountsError.PHONE_TAKEN,
            detail=message,
            errors=[{"field": "phone", "message": message}],
        )
    return code_send(
        purpose=Purpose.CHANGE_PHONE, destination=new, user=user, payload={"phone": new}
    )


def phone_change_confirm(*, user: User, code: str, keep_token_id: int | None = None) -> User:
    """Use the new number (also the sign-in name) once its code is confirmed.

    Every other session ends (the session hash follows the number) and every bearer token but
    the one of this request (`keep_token_id`) is revoked; every remembered device is forgotten
    (a code, to the new number, is asked on the next sign-in).
    """

    def change(row: VerificationCode) -> User:
        new = row.payload.get("phone") or ""
        account = User.objects.select_for_update().get(pk=user.pk)
        old = account.phone
        if User.objects.filter(phone=new).exclude(pk=account.pk).exists():
            raise Problem(
                status=409,
                code=AccountsError.PHONE_TAKEN,
                detail=_("This mobile number is used by another account."),
            )
        account.phone = account.username = new
        try:
            with transaction.atomic():
                account.save(update_fields=["phone", "username"])
            ApiToken.objects.filter(user=account, revoked_at__isnull=True).exclude(
                pk=keep_token_id
            ).update(revoked_at=timezone.now())
            devices_forget_all(user=account)
        except IntegrityError:
            raise Problem(
                status=409,
                code=AccountsError.PHONE_TAKEN,
                detail=_("This mobile number is used by another account."),
            ) from None
        if old:
            with translation.override(message_language(account)):
                text = _(
                    "The mobile number of your Exit-Entry Online Services account was changed "
                    "to %(phone)s. If you did not do this, contact us at once."
                ) % {"phone": mask_phone(new)}
            transaction.on_commit(
                partial(_notify, channel=Channel.SMS, destination=old, text=text), robust=True
            )
        return account

    account = _redeem(purpose=Purpose.CHANGE_PHONE, user=user, code=code, then=change)
    user.phone, user.username = account.phone, account.username
    logger.info("Account %s changed its mobile number to %s", user.pk, mask_phone(user.phone))
    return account


# Reads only: the code is sent in its own transaction (code_send).
def email_change_start(*, user: User, password: str, email: str) -> CodeSent:
    """Check the password and send a code to the NEW email address."""
    new = _email(email)
    if not new:
        raise InvalidInput(
            field="email",
            message=_("Enter an email address in the form name@example.com."),
            code=AccountsError.EMAIL_INVALID,
        )
    _reauthenticate(user=user, password=password)
    if new.lower() == (user.email or "").lower():
        raise InvalidInput(
            field="email",
            message=_("This is already your email address."),
            code=AccountsError.SAME_AS_CURRENT,
        )
    _refuse_email_taken(new, user=user)
    return code_send(
        purpose=Purpose.CHANGE_EMAIL,
        destination=new,
        channel=Channel.EMAIL,
        user=user,
        payload={"email": new},
    )


def email_change_confirm(*, user: User, code: str) -> User:
    """Use the new email address once its code is confirmed."""

    def change(row: VerificationCode) -> User:
        new = row.payload.get("email") or ""
        account = User.objects.select_for_update().get(pk=user.pk)
        old = account.email
        _refuse_email_taken(new, user=account)
        account.email = new
        account.email_confirmed_at = timezone.now()  # the code sent to it proves it
        try:
            with transaction.atomic():
                account.save(update_fields=["email", "email_confirmed_at"])
        except IntegrityError:
            raise Problem(
                status=409,
                code=AccountsError.EMAIL_TAKEN,
                detail=_("This email address is already used by another account."),
            ) from None
        if old:
            with translation.override(message_language(account)):
                text = _(
                    "The email address of your Exit-Entry Online Services account was changed "
                    "to %(email)s. If you did not do this, contact us at once."
                ) % {"email": mask_email(new)}
            transaction.on_commit(
                partial(_notify, channel=Channel.EMAIL, destination=old, text=text), robust=True
            )
        return account

    account = _redeem(purpose=Purpose.CHANGE_EMAIL, user=user, code=code, then=change)
    user.email, user.email_confirmed_at = account.email, account.email_confirmed_at
    logger.info("Account %s changed its email to %s", user.pk, mask_email(user.email))
    return account


# --- bearer tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once; only its hash is stored


def token_issue(
    *,
    request: HttpRequest,
    phone: str,
    password: str,
    device: str,
    device_id: str | None = None,
    code: str = "",
) -> IssuedToken | CodeSent:
    """Check the credentials (through django-axes) and issue a bearer token for a device.

    A device the account has not confirmed a code on (`device_id`, the app's own id for its
    installation) needs a code sent to the account's phone: without `code` the code is sent and
    its CodeSent returned (no token); with the right `code` the device is remembered and the
    token issued. A known device gets its token with the password alone.
    """
    user = credentials_check(
        request=request, phone=phone, password=password, channel=LoginEvent.Channel.TOKEN
    )
    if not device_known(user=user, device_id=device_id):
        if not code:
            return device_code_send(user=user, client_address=client_address(request))
        device_confirm(
            user=user, code=code, device_id=device_id or "", kind=KnownDevice.Kind.APP, name=device
        )
    name = " ".join((device or "").split())[:100] or _("Unnamed device")
    prefix, secret, key = token_new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            key_hash=token_hash(secret),
            expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
        )
        _login_event(
            request=request,
            kind=LoginEvent.Kind.SUCCESS,
            channel=LoginEvent.Channel.TOKEN,
            phone=user.phone,
            user=user,
        )
    # A sign-in for django-axes (its failure count for this account and address restarts) and
    # for Django (last_login).
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return IssuedToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens (again: no change); another user's token is not found."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(code=AccountsError.TOKEN_NOT_FOUND, detail=_("There is no such device."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("Token %s of account %s revoked", token.pk, user.pk)
    return token


# --- real-name binding ------------------------------------------------------------------------


def _normalised_name(value: str) -> str:
    text = "".join((value or "").split()).replace("-", "")
    for dot in "·•‧・.":
        text = text.replace(dot, "")
    return text.casefold()


def _name_matches(person: Person, name: str) -> bool:
    given = _normalised_name(name)
    return bool(given) and given in (
        _normalised_name(person.name_zh),
        _normalised_name(person.name_pinyin),
    )


def _phone_on_file(person: Person) -> str | None:
    try:
        return phone_clean(person.phone_on_file) if person.phone_on_file else None
    except InvalidPhone:
        return None


def _person_is_bound(person: Person) -> bool:
    return User.objects.filter(person=person).exists()


def _already_bound() -> Problem:
    return Problem(
        status=409,
        code=AccountsError.IDENTITY_ALREADY_BOUND,
        detail=_(
            "This identity is already bound to another account: one person can have only one "
            "account. Sign in to that account, or visit a hall with your ID card if you cannot."
        ),
    )


def _account_already_bound() -> Problem:
    return Problem(
        status=409,
        code=AccountsError.ACCOUNT_ALREADY_BOUND,
        detail=_("Your account is already bound to your identity."),
    )


def _count_identity_lookup(user: User) -> None:
    key = f"accounts:identity:{user.pk}:{timezone.now().astimezone(SHANGHAI):%Y%m%d}"
    cache.add(key, 0, 24 * 3600)
    if cache.incr(key) > IDENTITY_DAILY_LIMIT:
        raise Throttled(
            code=AccountsError.TOO_MANY_TRIES,
            detail=_("Too many attempts to bind an identity today. Try again tomorrow."),
            retry_after=24 * 3600,
        )


# Reads only: the code is sent in its own transaction (code_send).
def identity_bind_start(*, user: User, name: str, id_number: str) -> CodeSent:
    """Find the registry person by ID number AND name and send a code to THEIR phone on file.

    A mismatch gets one neutral answer, whether or not the ID number exists.
    """
    if user.person_id:
        raise _account_already_bound()
    try:
        number = id_number_clean(id_number)
    except InvalidIdNumber as exc:
        raise InvalidInput(
            field="id_number", message=str(exc), code=AccountsError.ID_NUMBER_INVALID
        ) from None
    if not _normalised_name(name):
        raise InvalidInput(field="name", message=_("Enter your name as written on your ID card."))
    _count_identity_lookup(user)
    person = Person.objects.filter(id_number=number).first()
    if person is None or not _name_matches(person, name):
        logger.info("Identity binding for account %s: no match in the registry", user.pk)
        raise Problem(
            status=422,
            code=AccountsError.IDENTITY_NOT_MATCHED,
            detail=_(
                "These details do not match the population registry. Check your name and ID "
                "number exactly as they are written on your ID card."
            ),
        )
    if _person_is_bound(person):
        raise _already_bound()
    phone_on_file = _phone_on_file(person)
    if phone_on_file is None:
        raise Problem(
            status=422,
            code=AccountsError.NO_PHONE_ON_FILE,
            detail=_(
                "The registry has no mobile number for you, so no code can be sent. Bring your "
                "ID card to any exit-entry hall to bind your account."
            ),
        )
    return code_send(
        purpose=Purpose.BIND_IDENTITY,
        destination=phone_on_file,
        user=user,
        payload={"person_id": person.pk},
    )


@transaction.atomic
def identity_bind(*, user: User, person: Person) -> User:
    """Bind the account to the person (one person, one account; the database checks it too)."""
    account = User.objects.select_for_update().get(pk=user.pk)
    if account.person_id:
        raise _account_already_bound()
    if _person_is_bound(person):
        raise _already_bound()
    account.person = person
    account.bound_at = timezone.now()
    try:
        with transaction.atomic():
            account.save(update_fields=["person", "bound_at"])
    except IntegrityError:
        raise _already_bound() from None
    user.person, user.bound_at = person, account.bound_at
    logger.info("Account %s bound to registry person %s", user.pk, person.pk)
    return account


def identity_bind_confirm(*, user: User, code: str) -> User:
    """Bind the account with the code sent to the person's phone on file."""
    if user.person_id:
        raise _account_already_bound()

    def bind(row: VerificationCode) -> User:
        person = Person.objects.select_for_update().filter(pk=row.payload.get("person_id")).first()
        phone_on_file = _phone_on_file(person) if person else None
        # The code proves the phone on file; it must still be the number the code went to.
        if phone_on_file is None or destination_hash(phone_on_file) != row.destination_hash:
            raise _code_problem(
                AccountsError.CODE_INVALID,
                _("The registry's mobile number has changed. Please start again."),
            )
        return identity_bind(user=user, person=person)

    return _redeem(purpose=Purpose.BIND_IDENTITY, user=user, code=code, then=bind)


@transaction.atomic
def sign_in_records_purge(*, older_than: dt.timedelta | None = None) -> int:
    """Delete django-axes' attempts and logs older than AXES_RETENTION_DAYS; return how many."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    cutoff = timezone.now() - (older_than or dt.timedelta(days=settings.AXES_RETENTION_DAYS))
    deleted = 0
    for model, field in (
        (AccessAttempt, "attempt_time"),
        (AccessFailureLog, "attempt_time"),
        (AccessLog, "attempt_time"),
    ):
        count, _by_model = model.objects.filter(**{f"{field}__lt": cutoff}).delete()
        deleted += count
    return deleted


@transaction.atomic
def codes_purge(*, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Delete codes (and their payloads) past any use; return how many."""
    deleted, _by_model = VerificationCode.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
