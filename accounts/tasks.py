"""Periodic work of accounts (Celery beat; `manage.py purge_codes` by cron in the embedded
mode). Thin wrappers over the services."""

from celery import shared_task

from . import services


@shared_task(name="accounts.purge")
def purge() -> int:
    """Delete spent one-time codes and sign-in records past their retention."""
    return services.codes_purge() + services.sign_in_records_purge()
