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
    past = timezone.now() - dt.timedelta(hours=3)
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
