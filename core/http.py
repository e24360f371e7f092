"""The client's address, as one helper for every caller (sign-in lockout, rate limits, sign-in
events, the access log).

Behind reverse proxies REMOTE_ADDR is the nearest proxy's address, shared by every citizen.
With TRUSTED_PROXY_COUNT = N (the proxies in front of the application, each appending the
address it saw to X-Forwarded-For, as nginx's `$proxy_add_x_forwarded_for` does), the client is
the N-th address from the right of X-Forwarded-For: entries further left were written by the
client itself and are never trusted. N = 0 (the default) takes REMOTE_ADDR and ignores the
header.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address through the configured number of trusted proxies, or None."""
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [
        item.strip()
        for item in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if item.strip()
    ]
    if not forwarded:
        # Not through the proxies (a health check from the host itself): the peer's address.
        return remote
    # Fewer entries than proxies: the leftmost is the one the outermost proxy saw.
    return _valid(forwarded[-count] if len(forwarded) >= count else forwarded[0])
