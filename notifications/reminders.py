"""The reminder the day before an appointment (periodic: notifications.send_reminders)."""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification
from .services import in_language, notification_queue, recipient_language

logger = logging.getLogger(__name__)

from core.dates import SHANGHAI  # noqa: E402

KIND = "appointment_reminder"


def _reference(appointment) -> str:
    """One reminder per appointment AND its time (Beijing): an appointment moved to another day
    or time is reminded again for the new one (notification_reminder_once is on this)."""
    when = appointment.starts_at.astimezone(SHANGHAI).strftime("%Y%m%d%H%M")
    return f"appointment:{appointment.number}:{when}"


def _text(appointment) -> tuple[str, str]:
    when = appointment.starts_at.astimezone(SHANGHAI)
    subject = _("Your appointment is tomorrow")
    text = _(
        "Reminder: your appointment %(number)s is tomorrow, %(when)s, at %(hall)s. Bring your "
        "ID card and the documents on the appointment page. If you cannot come, cancel it so "
        "that someone else can have the time."
    ) % {
        "number": appointment.number_display,
        "when": when.strftime("%Y-%m-%d %H:%M"),
        "hall": appointment.hall.name,
    }
    return subject, text


def appointment_reminders_queue(*, now: dt.datetime | None = None) -> int:
    """Queue a reminder for each booked appointment of tomorrow (Beijing time) that has none.

    Idempotent: the database holds one reminder per appointment, time and channel
    (notification_reminder_once), so overlapping runs cannot send two; a reschedule to another
    time gets its own reminder. Written in the language
    of the account that booked it (accounts.User.language).
    """
    from appointments.models import Appointment, AppointmentStatus

    now = now or timezone.now()
    tomorrow = now.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=SHANGHAI)
    end = start + dt.timedelta(days=1)
    due = (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            booked_by__isnull=False,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("hall", "booked_by")
        .order_by("starts_at", "pk")
    )
    queued = 0
    for appointment in due.iterator(chunk_size=500):
        reference = _reference(appointment)
        if Notification.objects.filter(kind=KIND, reference=reference).exists():
            continue
        language = recipient_language(appointment.booked_by)
        try:
            with transaction.atomic(), in_language(language):
                subject, text = _text(appointment)
                notification_queue(
                    user=appointment.booked_by,
                    kind=KIND,
                    subject=subject,
                    text=text,
                    reference=reference,
                    language=language or "",
                )
        except IntegrityError:
            continue  # another run queued it in the meantime
        queued += 1
    if queued:
        logger.info("Reminders queued for %d appointments of %s", queued, tomorrow)
    return queued
