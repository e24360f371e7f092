import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from crossings import partitions
from crossings.models import Crossing
from crossings.selectors import person_crossings
from documents.tests.factories import PassportFactory

from .factories import CrossingFactory

pytestmark = pytest.mark.django_db


def test_months_wanted_span_the_retention_and_three_ahead():
    now = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
    months = partitions.wanted_months(now)
    assert months[0] == dt.datetime(2016, 12, 1, tzinfo=dt.UTC)
    assert months[-1] == dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    assert len(months) == 124


def test_maintenance_drops_what_is_past_retention_and_makes_months_ahead():
    # given a crossing of 9 years ago and one of today
    passport = PassportFactory()
    now = timezone.now()
    kept = CrossingFactory(document=passport, occurred_at=now - dt.timedelta(days=365 * 9))
    CrossingFactory(document=passport, occurred_at=now)

    # when the maintenance runs 15 months later
    later = now + dt.timedelta(days=460)
    done = partitions.maintain_partitions(now=later)

    # then the crossing older than 10 years by then has left, the other stays
    assert kept.pk not in set(Crossing.objects.values_list("pk", flat=True))
    assert Crossing.objects.count() == 1
    if connection.vendor == "postgresql":
        assert done.dropped and done.created
        assert partitions.partition_name(partitions.month_start(later)) in done.created
    else:
        assert done.deleted_rows == 1


def test_the_per_person_read_prunes_partitions():
    # given the read of one month
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    crossings = person_crossings(1, start=start, end=start + dt.timedelta(days=31))

    # then the query bounds the partition key on both sides (what lets PostgreSQL prune)
    sql = str(crossings.query)
    assert re.search(r'"occurred_at" >= ', sql) and re.search(r'"occurred_at" < ', sql), sql
    if connection.vendor != "postgresql":
        return  # one table on SQLite: nothing to prune

    # when PostgreSQL plans it, then it looks only in that month's partition (and the next)
    plan = crossings.explain()
    touched = set(re.findall(r"\bcrossings_crossing_y\d{4}m\d{2}\b", plan))
    assert touched <= {"crossings_crossing_y2026m03", "crossings_crossing_y2026m04"}
    assert touched
