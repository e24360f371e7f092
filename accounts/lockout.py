"""Sign-in lockout around django-axes.

django-axes locks an (account, client address) pair after AXES_FAILURE_LIMIT failures
(AXES_LOCKOUT_PARAMETERS), so a stranger elsewhere cannot lock the owner out. Failures of an
account from all addresses together are counted here as well: past the limit, every further
attempt on that account, from any address, is slowed down (LOGIN_SLOWDOWN_STEP_SECONDS more per
failure, at most LOGIN_SLOWDOWN_MAX_SECONDS) rather than refused, so guessing from many
addresses gets slow while the owner can still sign in.

Settings: AXES_CLIENT_STR_CALLABLE = "accounts.lockout.client_str" (no full phone number in
axes' log lines); AUTHENTICATION_BACKENDS starts with "accounts.lockout.SlowdownBackend".
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest

from .phones import mask_phone


def axes_key(username: str) -> str:
    """The name under which django-axes keeps an account: a keyed hash, not the phone number.

    axes stores it in its attempts and logs; a stored phone number would be personal data kept
    for no purpose. The same account always gets the same name, so lockout works as before.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"signin\x1f{username}".encode(), hashlib.sha256
    ).hexdigest()
    return f"acct-{digest[:24]}"


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the axes name of the account a sign-in is for."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username") or request.POST.get("phone")
    return axes_key(str(username)) if username else None


def _account_key(username: str) -> str:
    return f"accounts:signin-failures:{axes_key(username)}"


def _window_seconds() -> int:
    return max(60, int(float(settings.AXES_COOLOFF_TIME) * 3600))


def account_failures(username: str) -> int:
    """Failed sign-ins of the account, from every address, in the current cool-off window."""
    return int(cache.get(_account_key(username), 0) or 0)


def account_failure_note(username: str) -> int:
    """Count one failed sign-in of the account; return the count."""
    key = _account_key(username)
    cache.add(key, 0, _window_seconds())
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, _window_seconds())
        return 1


def account_slowdown_seconds(username: str) -> float:
    """How long an attempt on the account waits: 0 until the failure limit is reached."""
    over = account_failures(username) - int(settings.AXES_FAILURE_LIMIT) + 1
    if over <= 0:
        return 0.0
    step = float(settings.LOGIN_SLOWDOWN_STEP_SECONDS)
    return min(float(settings.LOGIN_SLOWDOWN_MAX_SECONDS), over * step)


class SlowdownBackend:
    """First authentication backend: makes an attempt on an account under attack wait.

    It never authenticates anyone (returns None, so the next backends decide).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            delay = account_slowdown_seconds(str(username))
            if delay > 0:
                time.sleep(delay)
        # No get_user: sessions name the backend that really signed the user in.
        return None


@receiver(user_login_failed)
def _count_account_failure(sender, credentials, request=None, **kwargs) -> None:
    username = (credentials or {}).get("username")
    if username:
        account_failure_note(str(username))


def client_str(
    username: str | None,
    ip_address: str | None,
    user_agent: str | None,
    path_info: str | tuple | list | None,
    request: HttpRequest | None,
) -> str:
    """The account (masked) and address that axes names in its log lines."""
    if isinstance(path_info, tuple | list):
        path_info = path_info[0] if path_info else ""
    # axes passes its own name for the account (axes_key), already without the phone number.
    account = username if (username or "").startswith("acct-") else mask_phone(username or "")
    account = account or "-"
    address = ip_address or "-"
    return f'{{username: "{account}", ip_address: "{address}", path_info: "{path_info or ""}"}}'


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args, **kwargs):
    """What a locked-out client sees: a problem on the API, a readable page elsewhere."""
    from django.conf import settings
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from core.errors import problem_response

    retry_after = int(float(settings.AXES_COOLOFF_TIME) * 3600)
    message = _(
        "Too many failed sign-in attempts for this account from this address. "
        "Try again in %(minutes)s minutes, or reset your password."
    ) % {"minutes": max(1, retry_after // 60)}
    if request.path.startswith("/api/"):
        response = problem_response(request, status=429, code="account_locked", detail=message)
    else:
        response = render(request, "accounts/locked.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
