"""Periodic work of endorsements (Celery beat in production; `manage.py endorsements_tick` in
the embedded mode). Thin wrappers over the services."""

from celery import shared_task

from . import services


@shared_task(name="endorsements.expire")
def expire() -> int:
    """Active endorsements past their last valid day become expired (through the workflow)."""
    return services.endorsements_expire()
