"""Step-up: a code to the account's own phone before a sensitive action (reporting a document
lost, changing the password), good for one session or token for STEP_UP_SECONDS."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.errors import Problem

from ..errors import AccountsError
from ..models import User, VerificationCode
from .codes import CodeSent, code_send_to_account, redeem

Purpose = VerificationCode.Purpose


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
    return code_send_to_account(purpose=Purpose.STEP_UP, user=user, client_address=client_address)


def step_up_confirm(*, request: HttpRequest, user: User, code: str) -> None:
    """Check the code; this session or token may then do one sensitive action within
    STEP_UP_SECONDS."""
    key = _step_up_key(request)
    redeem(purpose=Purpose.STEP_UP, user=user, code=code, then=lambda row: None)
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
