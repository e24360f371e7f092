"""The booking's message is written in the booking's own statement (core.rawsql), one row per
channel the booker chose: the fan-out must hold there too."""

import pytest

from appointments import services
from appointments.tests.factories import SlotFactory
from documents.tests.factories import PassportFactory
from notifications.models import Notification, NotificationPreference

from .factories import ConfirmedEmailCitizenFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("channels", "expected"),
    [
        ("sms", [("sms", True)]),
        ("email", [("email", True)]),
        ("both", [("sms", True), ("email", False)]),
    ],
)
def test_booking_writes_one_message_row_per_chosen_channel(settings, channels, expected):
    # given a booker with a confirmed email and a choice for bookings
    settings.APPOINTMENT_RATE_PER_ACCOUNT = "0/60"
    user = ConfirmedEmailCitizenFactory()
    PassportFactory(person=user.person)
    NotificationPreference.objects.create(user=user, kind="appointment_booked", channels=channels)
    # when
    booking = services.appointment_book(
        user=user, document_type="passport", kind="renewal", slot_id=SlotFactory().pk
    )
    # then
    rows = Notification.objects.filter(user=user).order_by("pk")
    assert [(r.channel, r.in_inbox) for r in rows] == expected
    assert all(booking.appointment.number_display in r.text for r in rows)
    assert {r.reference for r in rows} == {f"appointment:{booking.appointment.number}"}
