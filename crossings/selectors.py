"""Reads of border crossings. Every read of a person's crossings is bounded in time, so that on
PostgreSQL it touches only the monthly partitions of the period asked for (docs/scaling.md)."""

import datetime as dt

from django.db.models import QuerySet

from .models import Crossing


def person_crossings(
    person_id: int,
    *,
    start: dt.datetime,
    end: dt.datetime,
    document_id: int | None = None,
) -> QuerySet[Crossing]:
    """The person's crossings with start <= occurred_at < end, newest first, with their port
    and document; only those on `document_id` when given.

    The bounds are what prunes the partitions: callers keep them within the retention window
    (crossings.partitions.retention_start) and the period the reader asked for.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    crossings = Crossing.objects.filter(
        person_id=person_id, occurred_at__gte=start, occurred_at__lt=end
    )
    if document_id is not None:
        crossings = crossings.filter(document_id=document_id)
    return crossings.select_related("port", "document").order_by("-occurred_at", "-id")
