"""One-time codes: issue, throttle, send, check and redeem a 6-digit code; notices without one.

Only keyed hashes of the code, its destination and the requesting address are stored. A service
that checks a code counts a wrong guess even though it then refuses: the guess is recorded in a
transaction that commits, and the refusal is raised after it (`redeem`).
"""

import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import Problem
from core.ratelimit import rate_limit_hit
from guide.calendar import SHANGHAI
from persons.models import Person

from ..errors import AccountsError, Throttled
from ..gateways import GatewayError, Message, gateway_for
from ..models import User, VerificationCode
from ..phones import mask_email, mask_phone
from .inputs import phone_input, phone_on_file
from .language import message_language

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


def keyed_hash(*parts: str) -> str:
    """HMAC-SHA256 of the parts under the SECRET_KEY: what is stored instead of the value."""
    return hmac.new(
        settings.SECRET_KEY.encode(), "\x1f".join(parts).encode(), hashlib.sha256
    ).hexdigest()


def destination_hash(destination: str) -> str:
    """The keyed hash under which a phone number or email address is stored with its codes."""
    return keyed_hash("destination", destination.strip().lower())


def _code_hash(*, purpose: str, dest_hash: str, code: str) -> str:
    return keyed_hash("code", purpose, dest_hash, code)


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


def notify(*, channel: str, destination: str, text: str) -> None:
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
    return keyed_hash("requester", client_address) if client_address else ""


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
    `notify` or the notifications relay, which never fail the request.
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


def code_send_to_account(
    *, purpose: str, user: User, client_address: str | None = None
) -> CodeSent:
    """Send a code to the account's own mobile number (a new device, a step-up); 422 when the
    account has none."""
    if not user.phone:
        raise Problem(
            status=422,
            code=AccountsError.NO_PHONE,
            detail=_("Your account has no mobile number to send a code to."),
        )
    return code_send(
        purpose=purpose, destination=user.phone, user=user, client_address=client_address
    )


def code_problem(code: str, message: str) -> Problem:
    """422 naming the field `code`."""
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
        return None, code_problem(
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
        return None, code_problem(
            AccountsError.CODE_INVALID, _("This code is not right. Ask for a new code.")
        )
    if row.used_at is not None:
        return None, code_problem(
            AccountsError.CODE_USED, _("This code has already been used. Ask for a new code.")
        )
    if row.attempts >= CODE_MAX_TRIES:
        return None, code_problem(
            AccountsError.CODE_TOO_MANY_TRIES,
            _("This code was entered wrongly too many times. Ask for a new code."),
        )
    if row.expires_at <= now:
        return None, code_problem(
            AccountsError.CODE_EXPIRED,
            _("This code has expired: codes are valid for 10 minutes. Ask for a new code."),
        )
    expected = _code_hash(purpose=purpose, dest_hash=row.destination_hash, code=given)
    if not hmac.compare_digest(row.code_hash, expected):
        VerificationCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        left = CODE_MAX_TRIES - row.attempts - 1
        if left <= 0:
            return None, code_problem(
                AccountsError.CODE_TOO_MANY_TRIES,
                _("This code is not right, and that was the last try. Ask for a new code."),
            )
        return None, code_problem(
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


def redeem(
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


def start_again() -> Problem:
    """422: the request the code was for is gone; the citizen starts again."""
    return Problem(
        status=422,
        code=AccountsError.REQUEST_EXPIRED,
        detail=_("This request is no longer open. Please start again."),
    )


def code_resend(
    *,
    purpose: str,
    destination: str | None = None,
    user: User | None = None,
    client_address: str | None = None,
) -> CodeSent:
    """Send a new code for the request still open, with the same payload."""
    if destination is not None and purpose in (Purpose.REGISTER, Purpose.RESET_PASSWORD):
        destination = phone_input(destination)
    pending = _pending(purpose=purpose, destination=destination, user=user)
    if pending is None:
        raise start_again()
    payload = dict(pending.payload)
    if purpose == Purpose.CHANGE_PHONE:
        destination = payload.get("phone")
    elif purpose == Purpose.CHANGE_EMAIL:
        destination = payload.get("email")
    elif purpose == Purpose.BIND_IDENTITY:
        person = Person.objects.filter(pk=payload.get("person_id")).first()
        destination = phone_on_file(person) if person else None
    if not destination:
        raise start_again()
    return code_send(
        purpose=purpose,
        destination=destination,
        channel=pending.channel,
        user=pending.user,
        payload=payload,
        deliver=purpose != Purpose.RESET_PASSWORD or pending.user_id is not None,
        client_address=client_address,
    )


@transaction.atomic
def codes_purge(*, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Delete codes (and their payloads) past any use; return how many."""
    deleted, _by_model = VerificationCode.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
