"""Staff sessions end after the idle timeout and at their absolute lifetime, like citizens'."""

import datetime as dt
import time
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from .factories import STAFF_PASSWORD, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(officer, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_COOKIE_AGE = 60 * 60
    client = Client()
    response = client.post(
        "/staff/login/",
        {
            "username": "officer",
            "password": STAFF_PASSWORD,
            "otp_code": totp_code(officer.totpdevice_set.get()),
        },
    )
    assert response.status_code == 302
    return client


def at(client, seconds_later: float, *, started: float, started_at: dt.datetime) -> int:
    """GET the staff home as if `seconds_later` seconds had passed since the sign-in."""
    with (
        mock.patch("accounts.middleware.time.time", return_value=started + seconds_later),
        mock.patch(
            "django.utils.timezone.now",
            return_value=started_at + dt.timedelta(seconds=seconds_later),
        ),
    ):
        return client.get("/staff/").status_code


def test_an_idle_staff_session_ends(signed_in):
    started, started_at = time.time(), timezone.now()
    assert at(signed_in, 0, started=started, started_at=started_at) == 200
    assert at(signed_in, 31 * 60, started=started, started_at=started_at) == 302  # to sign-in


def test_a_busy_staff_session_ends_at_its_absolute_lifetime(signed_in):
    started, started_at = time.time(), timezone.now()
    for minutes in (0, 20, 40):
        assert at(signed_in, minutes * 60, started=started, started_at=started_at) == 200
    assert at(signed_in, 61 * 60, started=started, started_at=started_at) == 302
