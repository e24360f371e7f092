import datetime as dt
import time
from unittest import mock

import pytest
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
