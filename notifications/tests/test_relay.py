"""The relay: claims committed before sending, backoff, failure, rows in doubt, two relays."""

import datetime as dt
import json
import re
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.tests.factories import StaffUserFactory
from documents.tests.factories import CitizenFactory
from notifications import services
from notifications.models import Notification
from notifications.relay import relay_run, retry_delay

from .factories import ConfirmedEmailCitizenFactory, NotificationFactory

pytestmark = pytest.mark.django_db

S = Notification.Status


def test_a_queued_message_is_delivered_after_commit_in_process(
    settings, django_capture_on_commit_callbacks
):
    # given the embedded mode: the development gateway, tasks in-process
    user = CitizenFactory()
    # when a service queues a message and its transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.notification_queue(
            user=user, kind="appointment_booked", subject="Booked", text="Booked: 1234-5678"
        )
        # then nothing is sent before the commit
        assert not list(settings.VERIFICATION_OUTBOX_DIR.glob("*.json"))
    # and after it the message is in the outbox, once, with its key
    files = list(settings.VERIFICATION_OUTBOX_DIR.glob("*.json"))
    assert [f.name for f in files] == [f"message-{entry.pk}.json"]
    body = json.loads(files[0].read_text(encoding="utf-8"))
    assert (body["to"], body["text"], body["key"]) == (
        user.phone,
        "Booked: 1234-5678",
        str(entry.pk),
    )
    entry.refresh_from_db()
    assert entry.status == S.SENT and entry.sent_at and entry.attempts == 1
    assert entry.provider_message_id == files[0].name
    assert entry.lease_until is None


def test_a_rolled_back_change_sends_nothing(settings, django_capture_on_commit_callbacks):
    user = CitizenFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.notification_queue(user=user, kind="seat_available", subject="s", text="t")
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not list(settings.VERIFICATION_OUTBOX_DIR.glob("*.json"))


def test_sent_over_http_with_the_key_and_the_providers_message_id(sms_to_sink):
    # given
    rows = NotificationFactory.create_batch(3)
    # when
    result = relay_run()
    # then
    assert result.sent == 3
    assert set(sms_to_sink.delivered) == {str(r.pk) for r in rows}
    for row in rows:
        row.refresh_from_db()
        assert row.status == S.SENT
        assert row.provider_message_id == f"sink-{row.pk}"
        assert sms_to_sink.delivered[str(row.pk)]["to"] == row.user.phone


def test_email_goes_to_the_confirmed_address(settings, sms_to_sink):
    from django.core import mail

    settings.VERIFICATION_EMAIL_GATEWAY = "accounts.gateways.SmtpEmailGateway"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = ConfirmedEmailCitizenFactory()
    row = NotificationFactory(user=user, channel="email", subject="Approved", text="Approved.")
    relay_run()
    assert [(m.to, m.subject) for m in mail.outbox] == [([user.email], "Approved")]
    row.refresh_from_db()
    assert row.status == S.SENT and row.provider_message_id.startswith(f"<notification-{row.pk}@")


def test_a_failure_is_retried_with_doubling_delays_then_failed(settings, sms_to_sink):
    # given a provider that refuses everything, and 3 attempts at most
    sms_to_sink.fail_first = 10**6
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    row = NotificationFactory()
    delays = []
    for _attempt in range(2):
        # when the relay runs while the row is due
        before = timezone.now()
        assert relay_run().retried == 1
        row.refresh_from_db()
        # then it waits, twice as long each time
        assert row.status == S.QUEUED and row.last_error.endswith("answered HTTP 503")
        delays.append(row.next_attempt_at - before)
        assert relay_run().retried == 0  # not due yet
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert dt.timedelta(seconds=30) <= delays[0] < dt.timedelta(seconds=32)
    assert dt.timedelta(seconds=60) <= delays[1] < dt.timedelta(seconds=62)
    # when the last attempt fails too
    assert relay_run().failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.FAILED, 3)
    assert row.failed_at and "HTTP 503" in row.last_error
    assert not re.search(r"1[3-9]\d{9}", row.last_error)  # no phone number in the error


def test_backoff_is_capped(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30,
        60,
        120,
        3600,
        3600,
    ]


def test_an_account_without_an_address_fails_at_once(sms_to_sink):
    # given a staff account (no mobile number) and an email to an address no longer confirmed
    no_phone = NotificationFactory(user=StaffUserFactory())
    user = ConfirmedEmailCitizenFactory()
    user.__class__.objects.filter(pk=user.pk).update(email_confirmed_at=None)
    no_email = NotificationFactory(user=user, channel="email")
    # when
    result = relay_run()
    # then nothing is sent and nothing will be retried
    assert result.failed == 2 and sms_to_sink.stats()["requests"] == 0
    for row in (no_phone, no_email):
        row.refresh_from_db()
        assert row.status == S.FAILED and row.attempts == 1 and "no" in row.last_error


def test_in_doubt_resend_reaches_the_person_once(sms_to_sink):
    # given the provider already delivered the message (the dead relay's send)
    past = timezone.now() - dt.timedelta(seconds=1)
    row = NotificationFactory(status=S.SENDING, lease_until=past, attempts=1)
    sms_to_sink.delivered[str(row.pk)] = {"to": row.user.phone, "text": row.text}
    sms_to_sink.requests[str(row.pk)] = 1
    # when a relay finds it
    result = relay_run()
    # then it is sent again with the same key, recorded as in doubt, delivered once
    assert (result.in_doubt, result.sent) == (1, 1)
    assert sms_to_sink.requests[str(row.pk)] == 2
    assert len(sms_to_sink.delivered) == 1
    row.refresh_from_db()
    assert row.status == S.SENT and row.in_doubt_at is not None


def test_a_message_whose_lease_runs_is_left_to_its_relay(sms_to_sink):
    future = timezone.now() + dt.timedelta(minutes=5)
    row = NotificationFactory(status=S.SENDING, lease_until=future, attempts=1)
    assert relay_run().sent == 0
    row.refresh_from_db()
    assert row.status == S.SENDING and row.in_doubt_at is None
    assert sms_to_sink.stats()["requests"] == 0


def test_a_late_failure_does_not_undo_another_relays_success(sms_to_sink):
    # given a row sent by the relay that reclaimed it in doubt
    from notifications.relay import _Claimed, _record

    row = NotificationFactory(
        status=S.SENT, sent_at=timezone.now(), attempts=2, provider_message_id="p-1"
    )
    stale = _Claimed(rows=[row], lease_until=timezone.now() - dt.timedelta(minutes=1))
    # when the first, slow relay finally records its timeout
    result = _record(stale, {}, {row.pk: ("timed out", False)})
    # then the row stays sent
    assert result.retried == 0
    row.refresh_from_db()
    assert (row.status, row.provider_message_id) == (S.SENT, "p-1")


@pytest.mark.django_db(transaction=True)
def test_two_relays_in_threads_never_send_one_message_twice(settings, sms_to_sink):
    # given 300 messages due
    settings.NOTIFICATIONS_SEND_THREADS = 4
    users = [CitizenFactory() for _ in range(10)]
    for i in range(300):
        NotificationFactory(user=users[i % 10])
    barrier = threading.Barrier(2)
    results = []

    def relay() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(relay_run(batch_size=10))
        finally:
            connection.close()

    # when two relays run at once, each with its own connection
    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # then every message went to the provider exactly once (not merely delivered once)
    assert sum(r.sent for r in results) == 300
    assert len(sms_to_sink.delivered) == 300
    assert set(sms_to_sink.requests.values()) == {1}
    assert all(r.sent > 0 for r in results), "both relays took a share"
    assert Notification.objects.filter(status=S.SENT).count() == 300
