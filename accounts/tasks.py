"""Periodic work of accounts (Celery beat; `manage.py purge_codes` by cron in the embedded
mode). Thin wrappers over the services."""

from celery import shared_task

from .services.codes import codes_purge
from .services.sign_in import sign_in_records_purge


@shared_task(name="accounts.purge")
def purge() -> int:
    """Delete spent one-time codes and sign-in records past their retention."""
    return codes_purge() + sign_in_records_purge()
