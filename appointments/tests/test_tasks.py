import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from appointments import tasks
from appointments.models import AppointmentStatus, Slot
from guide.tests.factories import HallFactory

from .factories import AppointmentFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_the_tick_makes_slots_and_marks_missed_appointments():
    # given a hall without slots and an appointment whose time has passed
    hall = HallFactory()
    past = timezone.now() - dt.timedelta(days=1)
    missed = AppointmentFactory(slot=SlotFactory(starts_at=past))
    out = io.StringIO()
    # when
    call_command("appointments_tick", stdout=out)
    # then
    assert Slot.objects.filter(hall=hall).exists()
    missed.refresh_from_db()
    assert missed.status == AppointmentStatus.NO_SHOW
    assert "1 appointments marked missed" in out.getvalue()


def test_tasks_run_the_services():
    hall = HallFactory()
    assert tasks.release_slots() == Slot.objects.filter(hall=hall).count() > 0
    assert tasks.mark_no_shows() == 0
    assert tasks.check_seat_alerts() == 0


def test_the_demo_appointment_is_booked_once_through_the_service(settings):
    # given the demo guardian bound, his child, and the Luohu hall offering passes (slots two
    # weeks ahead, so that a long holiday cannot leave the hall without a free time)
    settings.APPOINTMENT_RELEASE_DAYS = 14
    from django.core.management import call_command as run

    from documents.tests.factories import CitizenFactory, HkMacaoPassFactory
    from guide.tests.factories import ServiceFactory
    from persons.demo.fixed import CHEN_CHILD_ID_NUMBER
    from persons.tests.factories import GuardianshipFactory, MinorFactory

    user = CitizenFactory(username="+8613800000001", phone="+8613800000001")
    child = MinorFactory(id_number=CHEN_CHILD_ID_NUMBER)
    GuardianshipFactory(guardian=user.person, child=child)
    HkMacaoPassFactory(person=child)
    HallFactory(code="440303-01", services=[ServiceFactory(code="hk-macao-pass")])
    # when run twice
    first, second = io.StringIO(), io.StringIO()
    run("load_demo_appointments", stdout=first)
    run("load_demo_appointments", stdout=second)
    # then one booking, by the guardian for the child
    from appointments.models import Appointment

    appointment = Appointment.objects.get()
    assert (appointment.person, appointment.booked_by) == (child, user)
    assert "already booked" in second.getvalue()
