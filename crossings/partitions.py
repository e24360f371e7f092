"""Monthly partitions of the crossings table on PostgreSQL: made ahead, dropped past retention.

A partition per calendar month (UTC) of `occurred_at`: about 54 million rows a month at national
scale (docs/scaling.md), small enough to vacuum and index, few enough (~123 live) for the planner.
The per-person read always bounds `occurred_at`, so it touches only the months asked for.
On SQLite there is one table: retention deletes rows instead of dropping partitions.
"""

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

TABLE = "crossings_crossing"
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


def month_start(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(dt.UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def retention_start(now: dt.datetime | None = None) -> dt.datetime:
    """The oldest moment kept: crossings before it leave (CROSSINGS_RETENTION_YEARS, 10)."""
    now = now or timezone.now()
    return now - relativedelta(years=settings.CROSSINGS_RETENTION_YEARS)


def partition_name(start: dt.datetime) -> str:
    return f"{TABLE}_y{start.year:04d}m{start.month:02d}"


def wanted_months(now: dt.datetime | None = None) -> list[dt.datetime]:
    """First instants of the months that must exist: from the retention start's month to
    CROSSINGS_PARTITIONS_AHEAD months after this one."""
    now = now or timezone.now()
    month = month_start(retention_start(now))
    last = month_start(now) + relativedelta(months=settings.CROSSINGS_PARTITIONS_AHEAD)
    months = []
    while month <= last:
        months.append(month)
        month += relativedelta(months=1)
    return months


def create_partition_sql(start: dt.datetime) -> str:
    end = start + relativedelta(months=1)
    return (
        f'CREATE TABLE IF NOT EXISTS "{partition_name(start)}" PARTITION OF "{TABLE}" '
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    )


def existing_partitions(cursor) -> dict[str, dt.datetime]:
    """{partition name: its month's start} of the partitions attached to the table."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    found = {}
    for (name,) in cursor.fetchall():
        match = _NAME.match(name)
        if match:
            found[name] = dt.datetime(int(match[1]), int(match[2]), 1, tzinfo=dt.UTC)
    return found


@dataclass(frozen=True)
class Maintenance:
    created: list[str]
    dropped: list[str]
    deleted_rows: int = 0


def is_partitioned(using_connection=None) -> bool:
    return (using_connection or connection).vendor == "postgresql"


def maintain_partitions(*, now: dt.datetime | None = None) -> Maintenance:
    """Create the months ahead (and any missing within retention); drop months wholly older
    than the retention start. Idempotent: the periodic job runs it daily."""
    from .models import Crossing, CrossingMonth

    now = now or timezone.now()
    oldest_kept = retention_start(now)
    # The months index keeps the months of the partitions kept.
    CrossingMonth.objects.filter(month__lt=month_start(oldest_kept).date()).delete()
    if not is_partitioned():
        deleted, _ = Crossing.objects.filter(occurred_at__lt=oldest_kept).delete()
        return Maintenance(created=[], dropped=[], deleted_rows=deleted)
    created, dropped = [], []
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign-key checks still deferred in this transaction would block DROP TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        existing = existing_partitions(cursor)
        for month in wanted_months(now):
            name = partition_name(month)
            if name not in existing:
                cursor.execute(create_partition_sql(month))
                created.append(name)
        for name, month in sorted(existing.items(), key=lambda item: item[1]):
            # A month leaves only once its last instant is older than the retention start.
            if month + relativedelta(months=1) <= oldest_kept:
                cursor.execute(f'DROP TABLE "{name}"')
                dropped.append(name)
    return Maintenance(created=created, dropped=dropped)
