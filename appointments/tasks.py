"""Periodic work of appointments (Celery beat in production; `manage.py appointments_tick` by
cron or by hand in the embedded mode). Thin wrappers over the services."""

from celery import shared_task

from . import services, slots


@shared_task(name="appointments.release_slots")
def release_slots() -> int:
    """Make the coming days' slots ahead of their release time, so release mornings only read."""
    return slots.slots_generate()


@shared_task(name="appointments.mark_no_shows")
def mark_no_shows() -> int:
    return services.appointments_mark_no_shows()


@shared_task(name="appointments.check_seat_alerts")
def check_seat_alerts() -> int:
    return services.seat_watches_check()
