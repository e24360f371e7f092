import pytest

from documents.tests.factories import CitizenFactory
from notifications import services
from notifications.models import Notification, NotificationPreference

from .factories import ConfirmedEmailCitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = CitizenFactory()
    client.force_login(user)
    return user


def test_the_inbox_lists_my_messages_and_marks_them_read(client, me):
    # given
    entry = services.notification_queue(
        user=me, kind="appointment_booked", subject="Appointment booked", text="Booked: 1234"
    )
    services.notification_queue(
        user=CitizenFactory(), kind="appointment_booked", subject="Other", text="Not mine"
    )
    # when
    page = client.get("/accounts/messages/", headers={"accept-language": "en"})
    # then
    assert page.status_code == 200
    assert "Booked: 1234" in page.text and "Not mine" not in page.text
    assert "1 unread message" in page.text
    # when I mark it read
    answer = client.post("/accounts/messages/read/", {"id": entry.pk})
    assert answer.status_code == 302
    entry.refresh_from_db()
    assert entry.read_at is not None


def test_someone_elses_message_cannot_be_marked(client, me):
    theirs = services.notification_queue(
        user=CitizenFactory(), kind="appointment_booked", subject="S", text="T"
    )
    assert client.post("/accounts/messages/read/", {"id": theirs.pk}).status_code == 404
    assert client.post("/accounts/messages/read/", {"id": "x" * 30}).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_pages_need_a_signed_in_account(client):
    assert client.get("/accounts/messages/").status_code == 302
    assert client.get("/accounts/messages/preferences/").status_code == 302


def test_choosing_email_without_a_confirmed_address_shows_the_error(client, me):
    page = client.post(
        "/accounts/messages/preferences/",
        {"kind-appointment_reminder": "both"},
        headers={"accept-language": "en"},
    )
    assert page.status_code == 422
    assert "There is a problem" in page.text
    assert "confirm an email address" in page.text
    assert not NotificationPreference.objects.exists()


def test_choices_are_saved(client):
    user = ConfirmedEmailCitizenFactory()
    client.force_login(user)
    answer = client.post(
        "/accounts/messages/preferences/",
        {"kind-appointment_reminder": "both", "kind-application_ready": "email"},
    )
    assert answer.status_code == 302
    chosen = dict(NotificationPreference.objects.values_list("kind", "channels"))
    assert chosen == {"appointment_reminder": "both", "application_ready": "email"}
    page = client.get("/accounts/messages/preferences/")
    assert 'id="kind-application_ready-email" value="email" checked' in page.text


def test_the_account_page_links_to_messages_with_the_unread_count(client, me):
    services.notification_queue(user=me, kind="appointment_booked", subject="S", text="T")
    page = client.get("/accounts/", headers={"accept-language": "en"})
    assert "/accounts/messages/" in page.text and "1 unread" in page.text
