"""Background work of notifications (Celery; in-process in the embedded mode). Thin wrappers
over the relay and the services."""

from celery import shared_task

from . import relay as relay_module
from . import reminders


@shared_task(name="notifications.relay", ignore_result=True)
def relay() -> int:
    """Deliver every due notification (queued after commit, and periodically by beat)."""
    return relay_module.relay_run().sent


@shared_task(name="notifications.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Queue the reminder of each appointment of tomorrow (once per appointment)."""
    return reminders.appointment_reminders_queue()
