"""django-axes keeps no phone number, code or CSRF token, and its records are purged."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.utils import timezone

from accounts.services.sign_in import sign_in_records_purge

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_failed_web_sign_in_leaves_no_personal_data_in_axes(citizen):
    # given a failed sign-in on the website (CSRF checks on, as in a browser)
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    client.post(
        "/accounts/login/",
        {"phone": citizen.phone[3:], "password": "wrong-password-1", "csrfmiddlewaretoken": token},
    )
    # then axes recorded the failure, without the number, the password or the token
    attempt = AccessAttempt.objects.get()
    stored = " ".join(
        [attempt.username, attempt.post_data, attempt.get_data]
        + [log.username for log in AccessFailureLog.objects.all()]
    )
    assert attempt.failures_since_start == 1
    for secret in (citizen.phone, citizen.phone[3:], "wrong-password-1", token):
        assert secret not in stored
    assert "********" in attempt.post_data


def test_a_successful_sign_in_logs_no_phone_number(citizen):
    Client().post(
        "/api/v1/auth/token",
        {"phone": citizen.phone, "password": PASSWORD, "device": "phone"},
        content_type="application/json",
    )
    # then the sign-in is recorded as a LoginEvent (masked), not in axes' access log
    assert not AccessLog.objects.filter(username__contains=citizen.phone[3:]).exists()
    assert citizen.login_events.get().phone_masked.endswith(citizen.phone[-4:])


def test_old_sign_in_records_are_purged(citizen, settings):
    # given axes records 100 days old and fresh ones
    settings.AXES_RETENTION_DAYS = 90
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        extra = {"failures_since_start": 1} if model is AccessAttempt else {}
        old = model.objects.create(
            username="acct-old", ip_address="192.0.2.1", user_agent="x", **extra
        )
        model.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - dt.timedelta(days=100))
        model.objects.create(username="acct-new", ip_address="192.0.2.1", user_agent="x", **extra)
    # when the purge runs
    deleted = sign_in_records_purge()
    # then only the old ones are gone
    assert deleted == 3
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert list(model.objects.values_list("username", flat=True)) == ["acct-new"]
