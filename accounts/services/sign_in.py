"""Sign-in and sign-out on the session: credentials through django-axes, the sign-in events,
the session's lifetime, the new-device code; the purge of axes' records."""

import datetime as dt
import logging
import math
import time
from dataclasses import dataclass

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import Problem
from core.http import client_address

from ..errors import AccountsError, Throttled
from ..middleware import LAST_SEEN_KEY
from ..models import ApiToken, KnownDevice, LoginEvent, User, VerificationCode
from ..phones import mask_phone
from . import devices
from .codes import CodeSent
from .inputs import phone_input

logger = logging.getLogger(__name__)

Channel = VerificationCode.Channel


def login_event(
    *, request: HttpRequest, kind: str, channel: str, phone: str, user: User | None = None
) -> None:
    """Record a sign-in event (the number masked) and log it."""
    address = client_address(request)
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
    phone = phone_input(phone)
    user = authenticate(request=request, username=phone, password=password)
    if user is not None and user.phone == phone:
        return user
    locked = bool(getattr(request, "axes_locked_out", False))
    # The lockout is answered here (problem+json or the sign-in page with its message); the flag
    # is cleared so that AxesMiddleware does not replace that answer with its own page.
    request.axes_locked_out = False
    known = User.objects.filter(phone=phone).first()
    login_event(
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
    login_event(
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


@dataclass(frozen=True)
class SignIn:
    """The outcome of a right password: signed in (`sent` None), or a code was sent to the
    account's phone because the device is new (`sent`), to be confirmed with device_confirm."""

    user: User
    sent: CodeSent | None = None


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
    if not devices.device_known(user=user, device_id=device_id):
        if not code:
            return SignIn(
                user=user,
                sent=devices.device_code_send(user=user, client_address=client_address(request)),
            )
        devices.device_confirm(
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
    login_event(
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
