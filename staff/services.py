"""Writes of the staff side: signing in with a second factor, reading a person's file (which
always writes its access log row in the same transaction), and the demo staff."""

import base64
import binascii
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user, verify_token
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services.sign_in import session_lifetime_start
from core.errors import InvalidInput, NotFound, Problem
from core.logging import redact
from core.ratelimit import rate_limit_hit
from guide.models import Hall, Region
from persons.models import Person
from persons.services import id_number_field

from . import demo, selectors
from .errors import StaffError
from .models import AccessAction, AccessLog, Role, StaffRole
from .permissions import Permission
from .selectors import PersonFile

logger = logging.getLogger(__name__)

REASON_MIN_LENGTH = 10
# Different letters or digits a reason must hold.
REASON_MIN_DISTINCT = 5
REASON_MAX_LENGTH = AccessLog._meta.get_field("reason").max_length


# Signing in


def staff_sign_in(*, request: HttpRequest, username: str, password: str, otp_code: str):
    """Sign a staff member in with password and TOTP code; return the user.

    The password goes through django.contrib.auth.authenticate with the request, so django-axes
    counts failures and locks out username + address; a wrong TOTP code counts as a failed
    login too. Deliberately not one transaction: the failure counters (axes, the device's
    throttle) must stay written when the sign-in is refused.
    """
    user = auth.authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise Problem(
            status=429,
            code=StaffError.LOCKED_OUT,
            detail=_("Too many failed sign-ins. Wait 15 minutes, then try again."),
        )
    # Whatever was wrong (password, code, no authenticator, too many codes), the answer is the
    # same, so that it never tells a right password from a wrong one; the log says which.
    if user is None or not user.is_staff or not selectors.staff_roles(user):
        if user is not None:  # a right password, but not a staff account: a failure all the same
            _signal_failure(request, username)
        logger.info("Staff sign-in refused: wrong username or password, or not staff")
        raise _sign_in_refused()
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        _signal_failure(request, username)
        logger.warning("Staff sign-in refused: %s has no authenticator device", user.username)
        raise _sign_in_refused()
    device = None
    for candidate in devices:
        allowed, _details = candidate.verify_is_allowed()
        if not allowed:
            _signal_failure(request, username)
            logger.info("Staff sign-in refused: %s tried codes too often", user.username)
            raise _sign_in_refused()
        device = verify_token(user, candidate.persistent_id, otp_code)
        if device is not None:
            break
    if device is None:
        _signal_failure(request, username)
        logger.info("Staff sign-in refused: wrong or reused code for %s", user.username)
        raise _sign_in_refused()
    auth.login(request, user)  # a new session id
    otp_login(request, device)
    session_lifetime_start(request)  # idle timeout and absolute lifetime, as for citizens
    logger.info("Staff %s signed in with a second factor", user.username)
    return user


def _sign_in_refused() -> Problem:
    return Problem(
        status=401,
        code=StaffError.INVALID_CREDENTIALS,
        detail=_(
            "The username, password or code is not right. Enter the 6-digit code your "
            "authenticator app shows now; each code works only once."
        ),
    )


def _signal_failure(request: HttpRequest, username: str) -> None:
    """Tell django-axes (and any listener) about a failed sign-in."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


# Reading a person's file: every read writes one access log row, in the same transaction


def lookup_reason_clean(value: str) -> str:
    """The reason for a lookup: required, 10 to 300 characters, ID/document numbers masked."""
    reason = " ".join((value or "").split())
    if not reason:
        raise InvalidInput(
            field="reason",
            code=StaffError.REASON_REQUIRED,
            message=_("Enter the reason why you need this person's data."),
        )
    if len(reason) < REASON_MIN_LENGTH:
        raise InvalidInput(
            field="reason",
            code=StaffError.REASON_TOO_SHORT,
            message=_(
                "The reason must be at least %(min)s characters, for example the application "
                "number and what you are checking."
            )
            % {"min": REASON_MIN_LENGTH},
        )
    # A reason says something: "xxxxxxxxxx" or "1111111111" is not one.
    meaningful = [c for c in reason if c.isalnum()]
    if len(set(meaningful)) < REASON_MIN_DISTINCT or not any(c.isalpha() for c in meaningful):
        raise InvalidInput(
            field="reason",
            code=StaffError.REASON_NOT_MEANINGFUL,
            message=_(
                "Write the real reason, for example the application number and what you are "
                "checking."
            ),
        )
    # The log keeps the reason for years: no full ID or document number in it.
    reason = redact(reason)
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            field="reason",
            code=StaffError.REASON_TOO_LONG,
            message=_("The reason must be at most %(max)s characters.")
            % {"max": REASON_MAX_LENGTH},
        )
    return reason


def _open_file(
    *,
    staff,
    person: Person,
    action: AccessAction,
    reason: str,
    client_address: str | None,
) -> PersonFile:
    access = AccessLog.objects.create(
        staff=staff,
        person=person,
        action=action,
        reason=reason,
        client_address=client_address or None,
    )
    return selectors.person_file_read(
        person=person, access=access, reveal=action == AccessAction.REVEAL_ID_NUMBER
    )


@transaction.atomic
def person_lookup(*, staff, id_number: str, reason: str, client_address: str | None) -> PersonFile:
    """Find a person by ID number and return their file (numbers masked); log the access.

    Any officer may look up anyone (nationwide handling); the reason is always required.
    """
    selectors.staff_require(staff, Permission.PERSON_LOOKUP)
    reason = lookup_reason_clean(reason)
    number = id_number_field(id_number)
    rate_limit_hit(
        scope="staff-lookup",
        key=str(staff.pk),
        rate=settings.STAFF_LOOKUP_RATE,
        code=StaffError.LOOKUP_RATE_LIMITED,
    )
    person = Person.objects.select_related("household_region").filter(id_number=number).first()
    if person is None:
        logger.info("Staff %s looked up an ID number that is not in the registry", staff.username)
        raise NotFound(
            code=StaffError.PERSON_NOT_FOUND,
            detail=_("Nobody in the registry has this ID number. Check it and try again."),
        )
    return _open_file(
        staff=staff,
        person=person,
        action=AccessAction.LOOKUP,
        reason=reason,
        client_address=client_address,
    )


def _person(person_id: int) -> Person:
    person = Person.objects.select_related("household_region").filter(pk=person_id).first()
    if person is None:
        raise NotFound(code=StaffError.PERSON_NOT_FOUND, detail=_("There is no such person."))
    return person


@transaction.atomic
def person_view(*, staff, person_id: int, reason: str, client_address: str | None) -> PersonFile:
    """Open the file of a person looked up before (the reason is the lookup's); log it."""
    selectors.staff_require(staff, Permission.PERSON_LOOKUP)
    return _open_file(
        staff=staff,
        person=_person(person_id),
        action=AccessAction.VIEW_PERSON,
        reason=lookup_reason_clean(reason),
        client_address=client_address,
    )


@transaction.atomic
def person_reveal_id_number(
    *, staff, person_id: int, reason: str, client_address: str | None
) -> PersonFile:
    """The person's file with the full ID number; the reveal is logged as its own action."""
    selectors.staff_require(staff, Permission.PERSON_LOOKUP)
    return _open_file(
        staff=staff,
        person=_person(person_id),
        action=AccessAction.REVEAL_ID_NUMBER,
        reason=lookup_reason_clean(reason),
        client_address=client_address,
    )


@transaction.atomic
def person_back_office_view(
    *, staff, person_id: int, reason: str, client_address: str | None
) -> AccessLog:
    """Log that a back-office user opens a person's (or their document's) record, with why."""
    if not getattr(staff, "is_staff", False):
        raise Problem(status=403, code=StaffError.PERMISSION_DENIED, detail=_("Staff only."))
    return AccessLog.objects.create(
        staff=staff,
        person=_person(person_id),
        action=AccessAction.BACK_OFFICE,
        reason=lookup_reason_clean(reason),
        client_address=client_address or None,
    )


@transaction.atomic
def persons_back_office_list(
    *, staff, person_ids: list[int], what: str, client_address: str | None
) -> int:
    """Log that a back-office list showed these persons' data (one row each); return how many."""
    if not getattr(staff, "is_staff", False):
        raise Problem(status=403, code=StaffError.PERMISSION_DENIED, detail=_("Staff only."))
    unique = sorted(set(person_ids))
    AccessLog.objects.bulk_create(
        AccessLog(
            staff=staff,
            person_id=person_id,
            action=AccessAction.BACK_OFFICE_LIST,
            reason=what[:REASON_MAX_LENGTH],
            client_address=client_address or None,
        )
        for person_id in unique
    )
    return len(unique)


# Demo staff (development and demonstrations only)


class DemoRefused(Exception):
    """Demo staff are not available here (production, or not a demo account)."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    scope: str
    totp_secret: str


def _hex_key(secret_b32: str) -> str:
    return binascii.hexlify(base64.b32decode(secret_b32)).decode()


def _refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise DemoRefused("Demo staff (known passwords and TOTP secrets): not in production.")


@transaction.atomic
def demo_staff_load() -> list[DemoLogin]:
    """Create or update the demo staff with their roles and TOTP devices (idempotent)."""
    _refuse_in_production()
    User = get_user_model()
    logins = []
    for member in demo.DEMO_STAFF:
        halls = list(Hall.objects.filter(code__in=member.halls))
        regions = list(Region.objects.filter(code__in=member.regions))
        if len(halls) != len(member.halls) or len(regions) != len(member.regions):
            raise DemoRefused(
                "The demo halls and regions are missing: run `manage.py load_demo` first."
            )
        user = User.objects.filter(username=member.username).first()
        if user is None:
            user = User(username=member.username)
        user.first_name, user.last_name = member.first_name, member.last_name
        user.is_staff, user.is_active = True, True
        user.is_superuser = member.is_superuser
        if not user.has_usable_password() or not user.check_password(member.password):
            user.set_password(member.password)
        user.save()
        role, _created = StaffRole.objects.get_or_create(user=user, role=member.role)
        role.halls.set(halls)
        role.regions.set(regions)
        key = _hex_key(member.totp_secret)
        device = TOTPDevice.objects.filter(user=user, name=demo.DEVICE_NAME).first()
        if device is None:
            TOTPDevice.objects.create(user=user, name=demo.DEVICE_NAME, key=key, confirmed=True)
        elif device.key != key or not device.confirmed:
            # A new secret: codes of the old one are meaningless, so the replay mark restarts.
            device.key, device.confirmed, device.last_t = key, True, -1
            device.save(update_fields=["key", "confirmed", "last_t"])
        scope = ", ".join([h.code for h in halls] + [r.code for r in regions]) or "-"
        logins.append(
            DemoLogin(member.username, member.password, member.role, scope, member.totp_secret)
        )
    return logins


@dataclass(frozen=True)
class DemoCode:
    code: str
    seconds_left: int
    already_used: bool


def demo_totp_code(*, username: str) -> DemoCode:
    """The current TOTP code of a demo staff member (refused for anyone else and in production)."""
    _refuse_in_production()
    member = demo.member(username)
    if member is None:
        raise DemoRefused(f"{username!r} is not a demo staff member.")
    device = TOTPDevice.objects.filter(
        user__username=username, name=demo.DEVICE_NAME, key=_hex_key(member.totp_secret)
    ).first()
    if device is None:
        raise DemoRefused(
            f"{username!r} has no demo authenticator: run `manage.py load_demo_staff` first."
        )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = timezone.now().timestamp()
    totp.time = now
    step = totp.t()
    # Rounded up: 0.4 s left is "1 second", never 0 (the code is still valid).
    seconds_left = math.ceil(device.t0 + (step + 1) * device.step - now)
    return DemoCode(f"{totp.token():0{device.digits}d}", seconds_left, device.last_t >= step)
