"""End a signed-in session after a period without requests (the idle timeout)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_SEEN_KEY = "last_seen"
# Write the timestamp at most this often, so that reads do not rewrite the session each time.
_RESOLUTION_SECONDS = 60


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
