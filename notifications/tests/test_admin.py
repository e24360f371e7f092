import pytest

from documents.tests.factories import CitizenFactory
from notifications.services import notification_queue

pytestmark = pytest.mark.django_db


def test_the_queue_is_listed_read_only(admin_client):
    message = notification_queue(
        user=CitizenFactory(), kind="appointment_booked", subject="Booked", text="Booked: X"
    )
    assert admin_client.get("/admin/notifications/notification/").status_code == 200
    page = admin_client.get(f"/admin/notifications/notification/{message.pk}/change/")
    assert page.status_code == 200
    assert b'name="text"' not in page.content  # shown, not editable
