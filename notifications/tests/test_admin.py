import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from documents.tests.factories import CitizenFactory
from notifications.models import Notification
from notifications.services import notification_queue

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_the_outbox_is_listed_read_only(admin_client):
    message = notification_queue(
        user=UserFactory(), kind="appointment_booked", subject="Booked", text="Booked: X"
    )
    listing = admin_client.get("/admin/notifications/notification/")
    assert listing.status_code == 200
    page = admin_client.get(f"/admin/notifications/notification/{message.pk}/change/")
    assert page.status_code == 200
    assert b'name="text"' not in page.content  # shown, not editable


def test_a_bound_persons_message_asks_why_before_it_opens(admin_client):
    message = notification_queue(
        user=CitizenFactory(), kind="appointment_booked", subject="Booked", text="Booked: X"
    )
    page = admin_client.get(f"/admin/notifications/notification/{message.pk}/change/")
    assert "reason" in page.text and "Booked: X" not in page.text


def test_failed_messages_are_sent_again_from_the_back_office(admin_client, settings):
    # given a failed message
    failed = NotificationFactory(
        user=UserFactory(), status="failed", failed_at=timezone.now(), attempts=8
    )
    # when the action is chosen
    answer = admin_client.post(
        "/admin/notifications/notification/",
        {"action": "send_again", "_selected_action": [failed.pk]},
    )
    # then it is queued again with a fresh count, due now
    assert answer.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Notification.Status.QUEUED, 0)
    assert failed.next_attempt_at <= timezone.now()
