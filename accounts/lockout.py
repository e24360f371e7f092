"""django-axes hooks: how a client is written in axes' own log lines (no full phone number).

Settings: AXES_CLIENT_STR_CALLABLE = "accounts.lockout.client_str".
"""

from django.http import HttpRequest

from .phones import mask_phone


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
    account = mask_phone(username) if username else "-"
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
