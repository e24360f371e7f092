"""Periodic work of crossings (Celery beat in production, daily; `manage.py crossings_tick` in
the embedded mode). Thin wrappers over the services."""

from celery import shared_task

from . import partitions


@shared_task(name="crossings.maintain_partitions")
def maintain_partitions() -> dict:
    """Make the coming months' partitions; drop the months past the 10-year retention."""
    done = partitions.maintain_partitions()
    return {"created": done.created, "dropped": done.dropped, "deleted_rows": done.deleted_rows}
