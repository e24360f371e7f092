"""An application in progress holds its document under concurrency, with real threads and real
transactions (each thread its own connection): no second appointment or application for the
same person and document, whatever the timing; the database keeps it."""

import pytest
from django.db import IntegrityError, transaction

from applications import services
from applications.models import Application, ApplicationStatus
from applications.tests.conftest import accept
from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_book
from appointments.tests.factories import AppointmentFactory, SlotFactory, in_days
from appointments.tests.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)
HOLDING = ("booked", "checked_in")


def holders(person) -> int:
    """Appointments that hold the document (active, or their application in progress)."""
    return sum(
        1
        for a in Appointment.objects.filter(person=person, document_type="passport")
        if a.status in HOLDING or a.application_in_progress
    )


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.APPOINTMENT_RATE_PER_ACCOUNT = "0/60"


def test_bookings_racing_a_withdrawal_give_at_most_one_new_appointment(application, citizen, hall):
    # given an application in progress and 12 free times
    slots = [
        SlotFactory(hall=hall, service=application.service, starts_at=in_days(3, 9 + i // 2))
        for i in range(0, 24, 2)
    ]

    def book(slot):
        return lambda: appointment_book(
            user=citizen, document_type="passport", kind="renewal", slot_id=slot.pk
        )

    def withdraw():
        services.application_withdraw(user=citizen, number=application.number)

    # when the citizen books 12 times while withdrawing at the same moment
    outcomes = race([withdraw, *(book(s) for s in slots)])
    # then at most one booking went through, every other is a clear 409, never a 500
    assert set(outcomes) <= {"booked", "already_booked", "application_in_progress"}, outcomes
    new = Appointment.objects.filter(person=citizen.person, status=AppointmentStatus.BOOKED)
    assert new.count() == outcomes["booked"] - 1 <= 1  # the withdrawal is one success
    assert holders(citizen.person) <= 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_two_acceptances_for_one_document_cannot_both_stay_in_progress(citizen, hall, officer):
    # given two checked-in appointments of the same person for the same document, which the
    # database allows only one at a time: the second is made once the first is accepted
    first = accept(citizen.person, hall=hall, officer=officer, booked_by=citizen)
    # when rows are written directly, racing: the partial unique indexes refuse the second
    slot = SlotFactory(hall=hall, starts_at=in_days(4, 10))

    def sneak_appointment():
        with transaction.atomic():
            AppointmentFactory(
                person=citizen.person,
                document_type="passport",
                slot=slot,
                status=AppointmentStatus.CHECKED_IN,
            )

    def sneak_application():
        with transaction.atomic():
            clone = Application.objects.get(pk=first.pk)
            clone.pk, clone.number, clone.appointment = None, "26010100000001", None
            clone.save()

    outcomes = race([sneak_appointment, sneak_application])
    # then neither got in: the document is held by the application in progress
    assert outcomes["booked"] == 0, outcomes
    assert Application.objects.filter(person=citizen.person).count() == 1
    assert holders(citizen.person) == 1
    with pytest.raises(IntegrityError):
        sneak_application()
