import datetime as dt

import pytest
from django.utils import translation

from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory, SlotFactory, in_days
from documents.tests.factories import CitizenFactory
from notifications.models import Notification
from notifications.reminders import appointment_reminders_queue

pytestmark = pytest.mark.django_db


def booked(days: int, *, language: str = "", status=AppointmentStatus.BOOKED, hour: int = 10):
    user = CitizenFactory(**({"language": language} if language else {}))
    appointment = AppointmentFactory(
        person=user.person,
        booked_by=user,
        status=status,
        slot=SlotFactory(starts_at=in_days(days, hour), booked=1),
    )
    return appointment


def ref(appointment) -> str:
    """The reminder's reference: the appointment and its time (Beijing)."""
    from guide.calendar import SHANGHAI

    when = appointment.starts_at.astimezone(SHANGHAI).strftime("%Y%m%d%H%M")
    return f"appointment:{appointment.number}:{when}"


def reminders():
    return Notification.objects.filter(kind="appointment_reminder")


def test_tomorrows_appointments_are_reminded_once():
    # given appointments tomorrow (early and late), the day after, and a cancelled one
    early, late = booked(1, hour=0), booked(1, hour=23)
    booked(2)
    booked(1, status=AppointmentStatus.CANCELLED)
    # when the periodic task runs twice
    assert appointment_reminders_queue() == 2
    assert appointment_reminders_queue() == 0
    # then each of tomorrow's booked appointments has one reminder, to its booker
    assert sorted(reminders().values_list("reference", flat=True)) == sorted(
        [ref(early), ref(late)]
    )
    assert {r.user_id for r in reminders()} == {early.booked_by_id, late.booked_by_id}


def test_the_reminder_is_in_the_language_of_the_account():
    # given an account that reads English and one that reads Chinese
    english, chinese = booked(1, language="en"), booked(1, language="zh-hans")
    # when (the task runs outside any request, in whatever language)
    with translation.override("zh-hans"):
        appointment_reminders_queue()
    # then
    text = {r.reference: r for r in reminders()}
    assert "Reminder: your appointment" in text[ref(english)].text
    assert text[ref(english)].language == "en"
    assert english.number_display in text[ref(english)].text
    assert text[ref(chinese)].language == "zh-hans"
    assert "明天" in text[ref(chinese)].text


def test_a_rescheduled_appointment_is_reminded_again_for_its_new_day():
    from appointments import services as appointments
    from documents.tests.factories import PassportFactory

    # given a booking in 3 days, reminded the day before it
    user = CitizenFactory()
    PassportFactory(person=user.person)
    first = SlotFactory(starts_at=in_days(3), capacity=2)
    booking = appointments.appointment_book(
        user=user,
        document_type="passport",
        kind="renewal",
        details={},
        slot_id=first.pk,
    )
    day_before = in_days(2, 9)
    assert appointment_reminders_queue(now=day_before) == 1
    # when it is moved to 5 days from now
    later = SlotFactory(hall=first.hall, service=first.service, starts_at=in_days(5), capacity=2)
    moved = appointments.appointment_reschedule(
        user=user, appointment=booking.appointment, slot_id=later.pk
    )
    # then the day before the new day a second reminder goes, for the new time
    assert appointment_reminders_queue(now=day_before) == 0
    assert appointment_reminders_queue(now=in_days(4, 9)) == 1
    assert appointment_reminders_queue(now=in_days(4, 10)) == 0
    second = reminders().get(reference=ref(moved))
    assert later.starts_at.astimezone(second_tz()).strftime("%H:%M") in second.text
    assert reminders().count() == 2


def test_the_database_keeps_one_reminder_per_appointment_and_channel():
    from django.db import IntegrityError, transaction

    appointment = booked(1)
    appointment_reminders_queue()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            user=appointment.booked_by,
            channel="sms",
            kind="appointment_reminder",
            text="again",
            reference=ref(appointment),
        )


def test_the_day_is_beijings_day(settings):
    # given an appointment at 00:30 Beijing time the day after tomorrow
    appointment = booked(2, hour=0)
    # when the task runs at 23:59 Beijing time tomorrow... it is "tomorrow" for that run only
    from guide.calendar import SHANGHAI

    today = dt.datetime.now(SHANGHAI).date()
    late_today = dt.datetime.combine(today, dt.time(23, 59), tzinfo=SHANGHAI)
    assert appointment_reminders_queue(now=late_today) == 0
    late_tomorrow = late_today + dt.timedelta(days=1)
    assert appointment_reminders_queue(now=late_tomorrow) == 1
    assert reminders().get().reference == ref(appointment)


def test_the_tick_command_queues_reminders_and_delivers_them(settings):
    from io import StringIO

    from django.core.management import call_command

    # given tomorrow's appointment (embedded mode: the development gateway)
    appointment = booked(1)
    out = StringIO()
    # when
    call_command("notifications_tick", stdout=out)
    # then the reminder is queued and sent
    assert "1 reminders queued; 1 sent" in out.getvalue()
    reminder = reminders().get()
    assert reminder.status == "sent"
    sent = list(settings.VERIFICATION_OUTBOX_DIR.glob(f"message-{reminder.pk}.json"))
    assert len(sent) == 1 and appointment.number_display in sent[0].read_text(encoding="utf-8")


def second_tz():
    from guide.calendar import SHANGHAI

    return SHANGHAI
