import datetime as dt
import time
from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def at(client, seconds_later: float, *, started: float, started_at: dt.datetime):
    """GET /api/v1/me as if `seconds_later` seconds had passed since the start."""
    with (
        mock.patch("accounts.middleware.time.time", return_value=started + seconds_later),
        mock.patch(
            "django.utils.timezone.now",
            return_value=started_at + dt.timedelta(seconds=seconds_later),
        ),
    ):
        return client.get("/api/v1/me").status_code


@pytest.fixture
def signed_in(citizen, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_COOKIE_AGE = 60 * 60
    client = Client()
    response = client.post("/accounts/login/", {"phone": citizen.phone, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_idle_session_ends_after_the_timeout(signed_in):
    # given a request now
    started, started_at = time.time(), timezone.now()
    assert at(signed_in, 0, started=started, started_at=started_at) == 200
    # when the next comes 31 minutes later
    status = at(signed_in, 31 * 60, started=started, started_at=started_at)
    # then the session has ended
    assert status == 401


def test_activity_keeps_the_session_within_the_idle_timeout(signed_in):
    started, started_at = time.time(), timezone.now()
    for minutes in (0, 20, 40, 55):
        assert at(signed_in, minutes * 60, started=started, started_at=started_at) == 200


def test_session_ends_at_its_absolute_lifetime_even_when_active(signed_in):
    # given requests every 20 minutes (never idle)
    started, started_at = time.time(), timezone.now()
    for minutes in (0, 20, 40):
        assert at(signed_in, minutes * 60, started=started, started_at=started_at) == 200
    # when an hour after sign-in has passed
    status = at(signed_in, 61 * 60, started=started, started_at=started_at)
    # then the session has ended
    assert status == 401


def test_bearer_tokens_do_not_idle_out(citizen, rf):
    from accounts.services.tokens import token_issue

    issued = token_issue(request=rf.post("/"), phone=citizen.phone, password=PASSWORD, device="d")
    client = Client()
    header = {"HTTP_AUTHORIZATION": f"Bearer {issued.key}"}
    assert client.get("/api/v1/me", **header).status_code == 200
    with mock.patch("accounts.middleware.time.time", return_value=time.time() + 3 * 3600):
        assert client.get("/api/v1/me", **header).status_code == 200


# -- An app's API request skips the website's session machinery ---------------------------------


def _issued_key(citizen, rf) -> str:
    from accounts.services.tokens import token_issue

    return token_issue(request=rf.post("/"), phone=citizen.phone, password=PASSWORD, device="d").key


def test_an_app_request_gets_no_session_or_csrf_cookie_and_no_vary_on_cookie(citizen, rf):
    # Given an app signed in with a bearer token and no cookies
    header = {"HTTP_AUTHORIZATION": f"Bearer {_issued_key(citizen, rf)}"}
    # When it reads its account
    response = Client().get("/api/v1/me", **header)
    # Then it is answered, still private, with none of the website's cookies or their Vary
    assert response.status_code == 200
    assert response.cookies == {} or not any(response.cookies.values())
    assert "Cookie" not in response.get("Vary", "")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Language"] in {"zh-hans", "en"}


def test_an_app_request_still_gets_its_language(citizen, rf):
    header = {"HTTP_AUTHORIZATION": f"Bearer {_issued_key(citizen, rf)}"}
    response = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en", **header)
    assert response["Content-Language"] == "en"


def test_a_bearer_header_beside_a_session_keeps_the_session_machinery(signed_in):
    # Given a signed-in website session that also sends a (wrong) bearer header
    response = signed_in.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nope.nope")
    # Then the session still signs it in
    assert response.status_code == 200


def test_staff_endpoints_with_only_a_bearer_header_answer_401_not_500(citizen, rf):
    header = {"HTTP_AUTHORIZATION": f"Bearer {_issued_key(citizen, rf)}"}
    response = Client().post(
        "/api/v1/staff/persons/lookup", {}, content_type="application/json", **header
    )
    assert response.status_code in {401, 403}
    assert response["Content-Type"].startswith("application/problem+json")


def test_session_sign_in_with_a_bearer_header_and_no_cookies_is_refused_cleanly(citizen):
    # A website sign-in needs its CSRF cookie; without it the request is an app's and is
    # refused as every cookie-less session write is, never a 500.
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/auth/login",
        {"phone": citizen.phone, "password": PASSWORD},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer x.y",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


@pytest.mark.parametrize(
    ("path", "headers", "cookies", "expected"),
    [
        ("/api/v1/me", {"HTTP_AUTHORIZATION": "Bearer a.b"}, {}, True),
        ("/api/v1/border/crossings", {"HTTP_X_PORT_KEY": "k"}, {}, True),
        ("/api/v1/me", {"HTTP_AUTHORIZATION": "Bearer a.b"}, {"sessionid": "s"}, False),
        ("/api/v1/me", {"HTTP_AUTHORIZATION": "Bearer a.b"}, {"csrftoken": "t"}, False),
        ("/api/v1/me", {"HTTP_AUTHORIZATION": "Basic a"}, {}, False),
        ("/api/v1/me", {}, {}, False),
        ("/accounts/", {"HTTP_AUTHORIZATION": "Bearer a.b"}, {}, False),
    ],
)
def test_which_requests_are_an_apps(rf, path, headers, cookies, expected):
    from accounts.middleware import app_client

    request = rf.get(path, **headers)
    request.COOKIES.update(cookies)
    assert app_client(request) is expected


def test_the_website_middleware_pass_an_apps_request_on_untouched(rf):
    from accounts.middleware import (
        WebAuthenticationMiddleware,
        WebMessageMiddleware,
        WebSessionMiddleware,
    )

    seen = {}

    def view(request):
        seen.update(
            session=hasattr(request, "session"),
            messages=hasattr(request, "_messages"),
            user=request.user.is_authenticated,
        )
        return HttpResponse("ok")

    chain = WebSessionMiddleware(WebAuthenticationMiddleware(WebMessageMiddleware(view)))
    response = chain(rf.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer a.b"))
    assert response.status_code == 200
    assert seen == {"session": False, "messages": False, "user": False}
    # and a website request gets them all
    chain(rf.get("/accounts/"))
    assert seen["session"] is True and seen["messages"] is True
