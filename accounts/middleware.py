"""The website's session machinery, and what an app's or a port's API request skips of it.

A request from an app (a bearer token) or a port system (its signed port key) to the API brings
its own credentials and none of the website's cookies: no session to load, no CSRF cookie, no
flash messages, no signed-in user to find, no OTP device. The website's middleware below run
for every other request; for those they pass the request straight on (docs/architecture.md,
"Requests from apps"). Each is a subclass of the middleware it stands for, so Django's own
checks still find it."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django_otp.middleware import OTPMiddleware
from simple_history.middleware import HistoryRequestMiddleware

LAST_SEEN_KEY = "last_seen"
# Write the timestamp at most this often, so that reads do not rewrite the session each time.
_RESOLUTION_SECONDS = 60


def app_client(request: HttpRequest) -> bool:
    """True for an API request that carries an app's bearer token or a port's key and neither
    the website's session cookie nor its CSRF cookie (decided once per request)."""
    known = getattr(request, "app_client", None)
    if known is None:
        meta = request.META
        cookies = request.COOKIES
        known = (
            request.path.startswith("/api/")
            and (
                meta.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
                or "HTTP_X_PORT_KEY" in meta
            )
            and settings.SESSION_COOKIE_NAME not in cookies
            and settings.CSRF_COOKIE_NAME not in cookies
        )
        request.app_client = known  # type: ignore[attr-defined]
    return known


class WebSessionMiddleware(SessionMiddleware):
    def __call__(self, request):
        if app_client(request):
            return self.get_response(request)
        return super().__call__(request)


class WebAuthenticationMiddleware(AuthenticationMiddleware):
    def __call__(self, request):
        if app_client(request):
            # Nobody is signed in on a session here: the API's own authentication decides.
            request.user = AnonymousUser()
            return self.get_response(request)
        return super().__call__(request)


class WebOTPMiddleware(OTPMiddleware):
    def __call__(self, request):
        if app_client(request):
            return self.get_response(request)
        return super().__call__(request)


class WebMessageMiddleware(MessageMiddleware):
    def __call__(self, request):
        if app_client(request):
            return self.get_response(request)
        return super().__call__(request)


def WebHistoryRequestMiddleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """django-simple-history's request middleware (who changed a record, for the admin's
    history) for the website's requests only."""
    history = HistoryRequestMiddleware(get_response)

    def middleware(request: HttpRequest) -> HttpResponse:
        if app_client(request):
            return get_response(request)
        return history(request)

    return middleware


class SessionIdleTimeoutMiddleware:
    """Log out a session idle for longer than SESSION_IDLE_TIMEOUT seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # Only cookie sessions idle out; bearer tokens have their own expiry.
        if (
            user is not None
            and user.is_authenticated
            and settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif last_seen is None or now - int(last_seen) >= _RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
