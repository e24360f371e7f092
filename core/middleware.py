"""Request logging with a request id, and problem+json for every API error."""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .errors import PROBLEM_CONTENT_TYPE, problem_response
from .logging import redact, request_id_var

logger = logging.getLogger("exitentry.request")
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    """Give each request an id (or keep a sane one from the proxy) and log one line for it.

    Only the method, the path without its query string (ID numbers in it masked), the status
    and the duration are logged: query strings and bodies may carry personal data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # META rather than request.headers, which would build a dict of every header.
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _CLIENT_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if logger.isEnabledFor(logging.INFO):  # nothing to format when the level is higher
                duration_ms = (time.perf_counter() - started) * 1000
                path = redact(request.path)  # masked in the record itself, not only on output
                logger.info(
                    "%s %s %s %.1fms",
                    request.method,
                    path,
                    response.status_code,
                    duration_ms,
                    extra={
                        "method": request.method,
                        "path": path,
                        "status": response.status_code,
                        "duration_ms": round(duration_ms, 2),
                    },
                )
            return response
        finally:
            request_id_var.reset(token)


class ProblemJsonMiddleware:
    """Turn any non-JSON error under /api/ (Django's own 404/405/413 pages) into problem+json."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            return self._as_problem(request, response)
        return response

    @staticmethod
    def _as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        detail = ""
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                payload = json.loads(response.content or b"{}")
                raw = payload.get("detail") if isinstance(payload, dict) else None
                detail = raw if isinstance(raw, str) else ""
            except (ValueError, UnicodeDecodeError):
                detail = ""
        if response.status_code == 405:
            detail = _("This address does not accept the %(method)s method.") % {
                "method": request.method
            }
        problem = problem_response(request, status=response.status_code, detail=detail)
        for header in ("Allow", "Retry-After", "X-Request-ID"):
            if header in response:
                problem[header] = response[header]
        return problem


def _tile_source(url: str) -> str:
    """The CSP source of the map tiles: scheme and host, `{s}` subdomains as a wildcard."""
    match = re.match(r"^(https?://)([^/]+)", url or "")
    if not match:
        return ""
    scheme, host = match.groups()
    if "{" in host:
        host = "*." + host.split(".", 1)[1] if "." in host else ""
    return f"{scheme}{host}" if host else ""


def content_security_policy() -> str:
    """The page's CSP: scripts, styles and everything else from this site only (no inline
    script, no eval), images also as data: URLs (the API docs' icons) and map tiles."""
    images = " ".join(filter(None, ["'self'", "data:", _tile_source(settings.MAP_TILE_URL)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy on every answer, and `Cache-Control: no-store` on every
    answer under /api/ and every page shown to someone signed in (personal data must not stay
    in a shared or browser cache)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        user = getattr(request, "user", None)
        personal = request.path.startswith("/api/") or (user is not None and user.is_authenticated)
        # An answer its view marked public (the same for everyone, e.g. the endorsement policy)
        # keeps its caching headers.
        cache_control = response.get("Cache-Control", "")
        if personal and "no-store" not in cache_control and "public" not in cache_control:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
