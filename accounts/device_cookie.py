"""The website's device cookie: a long-lived signed cookie holding a random device id, so that
a browser where the account once confirmed a new-device code signs in with the password alone
(accounts.services.sign_in.sign_in_start). Only a keyed hash of the id is stored on the server."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .services.devices import device_id_clean, device_id_new

COOKIE = "exitentry_device"
SALT = "accounts.device"
MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def device_cookie_id(request: HttpRequest) -> str:
    """The device id of this browser ("" when it has none, or a forged or broken one)."""
    return device_id_clean(request.get_signed_cookie(COOKIE, default="", salt=SALT))


def device_cookie_id_or_new(request: HttpRequest) -> str:
    """The browser's device id, or a new one to give it."""
    return device_cookie_id(request) or device_id_new()


def device_cookie_set(response: HttpResponse, device_id: str) -> None:
    """Give the browser its device id (signed, HttpOnly, Secure where sessions are)."""
    response.set_signed_cookie(
        COOKIE,
        device_id,
        salt=SALT,
        max_age=MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
