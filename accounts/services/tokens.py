"""Bearer tokens for apps: issued after the credentials (and a new device's code), revoked."""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.http import client_address

from ..auth import token_hash, token_new_key
from ..errors import AccountsError
from ..models import ApiToken, KnownDevice, LoginEvent, User, VerificationCode
from . import devices
from .codes import CodeSent
from .sign_in import credentials_check, login_event

logger = logging.getLogger(__name__)

Channel = VerificationCode.Channel


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
    if not devices.device_known(user=user, device_id=device_id):
        if not code:
            return devices.device_code_send(user=user, client_address=client_address(request))
        devices.device_confirm(
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
        login_event(
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
