import pytest
from django.db import transaction

from core.errors import Problem
from documents.tests.factories import CitizenFactory
from notifications import services
from notifications.models import Notification, NotificationPreference
from notifications.selectors import inbox_for, notification_preferences_get

from .factories import ConfirmedEmailCitizenFactory, NotificationFactory

pytestmark = pytest.mark.django_db


def queue(user, kind="appointment_booked"):
    return services.notification_queue(
        user=user, kind=kind, subject="Booked", text="Booked: 1234", reference="appointment:1"
    )


def test_by_default_a_message_is_one_text_message_and_one_inbox_entry():
    # given a citizen who chose nothing
    user = CitizenFactory()
    # when
    entry = queue(user)
    # then
    rows = list(Notification.objects.filter(user=user))
    assert [(r.channel, r.in_inbox, r.status) for r in rows] == [("sms", True, "queued")]
    assert entry == rows[0]
    assert list(inbox_for(user=user)) == [entry]


def test_both_channels_make_two_rows_and_one_inbox_entry():
    # given a confirmed email and "both" for bookings
    user = ConfirmedEmailCitizenFactory()
    NotificationPreference.objects.create(user=user, kind="appointment_booked", channels="both")
    # when
    entry = queue(user)
    # then
    rows = Notification.objects.filter(user=user).order_by("pk")
    assert [(r.channel, r.in_inbox) for r in rows] == [("sms", True), ("email", False)]
    assert list(inbox_for(user=user)) == [entry]
    # and another kind keeps the default
    queue(user, kind="seat_available")
    assert Notification.objects.filter(user=user, kind="seat_available").count() == 1


def test_email_without_a_confirmed_address_goes_by_text_message():
    # given a preference for email, and then the address is no longer confirmed
    user = ConfirmedEmailCitizenFactory()
    NotificationPreference.objects.create(user=user, kind="appointment_booked", channels="email")
    user.email_confirmed_at = None
    # when
    queue(user)
    # then
    assert list(Notification.objects.filter(user=user).values_list("channel", flat=True)) == ["sms"]


def test_email_only_goes_by_email():
    user = ConfirmedEmailCitizenFactory()
    NotificationPreference.objects.create(user=user, kind="appointment_booked", channels="email")
    entry = queue(user)
    assert (entry.channel, entry.in_inbox) == ("email", True)
    assert Notification.objects.filter(user=user).count() == 1


def test_the_message_is_recorded_in_the_language_of_the_account():
    from django.utils import translation

    english, chinese = CitizenFactory(language="en"), CitizenFactory(language="zh-hans")
    for site in ("en", "zh-hans"):
        with translation.override(site):
            assert queue(english).language == "en"
            assert queue(chinese).language == "zh-hans"


def test_preferences_are_set_and_read_back():
    # given
    user = ConfirmedEmailCitizenFactory()
    # when
    chosen = services.notification_preferences_set(
        user=user, channels={"appointment_reminder": "both", "application_ready": "email"}
    )
    # then
    assert chosen["appointment_reminder"] == "both"
    assert chosen["application_ready"] == "email"
    assert chosen["appointment_booked"] == "sms"  # untouched: the default
    assert notification_preferences_get(user=user) == chosen
    # and choosing again replaces, never duplicates
    services.notification_preferences_set(user=user, channels={"application_ready": "sms"})
    assert NotificationPreference.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    ("channels", "code", "field"),
    [
        ({"no_such_kind": "sms"}, "notification_preference_invalid", "no_such_kind"),
        ({"appointment_booked": "fax"}, "notification_preference_invalid", "appointment_booked"),
        ({"appointment_booked": "both"}, "email_not_confirmed", "appointment_booked"),
    ],
)
def test_preferences_refuse_what_cannot_be_delivered(channels, code, field):
    # given an account without a confirmed email
    user = CitizenFactory(email="a@example.com")
    # when / then
    with pytest.raises(Problem) as caught:
        services.notification_preferences_set(user=user, channels=channels)
    assert (caught.value.status, caught.value.code) == (422, code)
    assert caught.value.errors[0]["field"] == field
    assert not NotificationPreference.objects.exists()


def test_the_database_refuses_a_second_preference_for_a_kind_and_unknown_channels():
    from django.db import IntegrityError

    user = CitizenFactory()
    NotificationPreference.objects.create(user=user, kind="appointment_booked", channels="sms")
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationPreference.objects.create(user=user, kind="appointment_booked", channels="sms")
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationPreference.objects.create(user=user, kind="seat_available", channels="fax")


def test_the_database_refuses_a_sent_row_without_its_time_and_sending_without_a_lease():
    from django.db import IntegrityError

    row = NotificationFactory()
    for status in ("sent", "sending", "failed", "lost"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.filter(pk=row.pk).update(status=status)


def test_mark_read_touches_only_the_users_own_unread_entries():
    # given two users' messages
    mine, other = CitizenFactory(), CitizenFactory()
    first, second = queue(mine), queue(mine)
    theirs = queue(other)
    # when I mark mine and theirs
    marked = services.notifications_mark_read(user=mine, ids=[first.pk, theirs.pk])
    # then only mine changed
    assert marked == 1
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    # and marking all marks the rest once
    assert services.notifications_mark_read(user=mine) == 1
    assert services.notifications_mark_read(user=mine) == 0
    assert Notification.objects.get(pk=second.pk).read_at is not None


def test_retry_sends_failed_and_in_doubt_messages_again_but_not_sent_ones():
    # given
    from django.utils import timezone

    now = timezone.now()
    failed = NotificationFactory(status="failed", failed_at=now, attempts=8, last_error="HTTP 500")
    doubtful = NotificationFactory(status="in_doubt", in_doubt_at=now, attempts=1)
    sent = NotificationFactory(status="sent", sent_at=now, attempts=1)
    # when
    count = services.notifications_retry(ids=[failed.pk, doubtful.pk, sent.pk])
    # then
    assert count == 2
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.failed_at) == ("queued", 0, None)
    assert failed.last_error == "HTTP 500"  # kept for the reader until the next attempt
    assert Notification.objects.get(pk=sent.pk).status == "sent"
