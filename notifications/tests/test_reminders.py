import datetime as dt

import pytest
from django.utils import translation

from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory, SlotFactory, in_days
from documents.tests.factories import CitizenFactory
from notifications import services
from notifications.models import Notification
from notifications.reminders import appointment_reminders_queue

pytestmark = pytest.mark.django_db


def booked(days: int, *, language: str = "", status=AppointmentStatus.BOOKED, hour: int = 10):
    user = CitizenFactory()
    appointment = AppointmentFactory(
        person=user.person,
        booked_by=user,
        status=status,
        slot=SlotFactory(starts_at=in_days(days, hour), booked=1),
    )
    if language:  # the confirmation, as booking writes it
        services.notification_queue(
            user=user,
            kind="appointment_booked",
            subject="Booked",
            text="Booked",
            reference=f"appointment:{appointment.number}",
            language=language,
        )
    return appointment


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
        [f"appointment:{early.number}", f"appointment:{late.number}"]
    )
    assert {r.user_id for r in reminders()} == {early.booked_by_id, late.booked_by_id}


def test_the_reminder_is_in_the_language_of_the_booking():
    # given a booking confirmed in English and one in Chinese
    english, chinese = booked(1, language="en"), booked(1, language="zh-hans")
    # when (the task runs outside any request, in whatever language)
    with translation.override("zh-hans"):
        appointment_reminders_queue()
    # then
    text = {r.reference: r for r in reminders()}
    assert "Reminder: your appointment" in text[f"appointment:{english.number}"].text
    assert english.number_display in text[f"appointment:{english.number}"].text
    assert text[f"appointment:{chinese.number}"].language == "zh-hans"
    assert "明天" in text[f"appointment:{chinese.number}"].text


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
            reference=f"appointment:{appointment.number}",
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
    assert reminders().get().reference == f"appointment:{appointment.number}"


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
