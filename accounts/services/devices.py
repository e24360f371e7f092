"""Remembered devices: a browser or app installation that confirmed a code sent to the
account's phone signs in with the password alone from then on."""

import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound

from ..errors import AccountsError
from ..models import KnownDevice, User, VerificationCode
from .codes import CodeSent, code_send_to_account, keyed_hash, redeem

logger = logging.getLogger(__name__)

Purpose = VerificationCode.Purpose


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
    return keyed_hash("device", device_id)


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
    return code_send_to_account(
        purpose=Purpose.NEW_DEVICE, user=user, client_address=client_address
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

    redeem(purpose=Purpose.NEW_DEVICE, user=user, code=code, then=remember)
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
