"""trips_use: one exit to the destination uses one trip of a valid endorsement."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.errors import OutsideTransaction
from documents.tests.factories import days_from_today
from endorsements.models import Endorsement, EndorsementEvent, EndorsementStatus
from endorsements.services import TripExit, trips_use

from .factories import EndorsementFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def consume_trip(*, document_id: int, destination: str, crossed_at: dt.datetime):
    """One exit through trips_use: the endorsement whose trip it used, or None."""
    exit_ = TripExit(key=0, document_id=document_id, destination=destination, crossed_at=crossed_at)
    pk = trips_use(exits=[exit_])[0]
    return None if pk is None else Endorsement.objects.get(pk=pk)


def _consume(endorsement, *, destination="HKG", at=None):
    with transaction.atomic():
        return consume_trip(
            document_id=endorsement.document_id,
            destination=destination,
            crossed_at=at or timezone.now(),
        )


def test_a_crossing_uses_one_trip_and_the_last_trip_uses_it_up():
    # given an active 2-trip endorsement
    endorsement = EndorsementFactory(trips_total=2)
    # when two crossings use it
    first = _consume(endorsement)
    second = _consume(endorsement)
    # then the second is the last trip: used up, with its event; a third finds none
    assert first.pk == second.pk == endorsement.pk
    endorsement.refresh_from_db()
    assert endorsement.trips_used == 2
    assert endorsement.status == EndorsementStatus.USED_UP
    assert EndorsementEvent.objects.filter(endorsement=endorsement, action="use_up").count() == 1
    assert _consume(endorsement) is None


def test_the_endorsement_that_expires_first_is_used():
    # given a multiple-trip endorsement and a 1-trip one expiring sooner on the same pass
    multiple = EndorsementFactory(
        trips_total=None, valid_until=days_from_today(300), policy=PolicyFactory(option_code="1yM")
    )
    soon = EndorsementFactory(
        document=multiple.document, applied_by=multiple.applied_by, valid_until=days_from_today(30)
    )
    # when a crossing uses a trip
    used = _consume(multiple)
    # then
    assert used.pk == soon.pk
    # and then the multiple-trip one, which never runs out
    assert _consume(multiple).pk == multiple.pk
    assert _consume(multiple).pk == multiple.pk
    multiple.refresh_from_db()
    assert (multiple.trips_used, multiple.status) == (2, EndorsementStatus.ACTIVE)


def test_no_trip_for_another_destination_an_inactive_or_an_expired_endorsement():
    hong_kong = EndorsementFactory()
    assert _consume(hong_kong, destination="MAC") is None
    approved = EndorsementFactory(status=EndorsementStatus.APPROVED)
    assert _consume(approved) is None
    old = EndorsementFactory(valid_from=days_from_today(-100), valid_until=days_from_today(-10))
    assert _consume(old) is None


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction():
    endorsement = EndorsementFactory()
    with pytest.raises(OutsideTransaction):
        consume_trip(
            document_id=endorsement.document_id, destination="HKG", crossed_at=timezone.now()
        )


def test_the_database_refuses_more_trips_than_the_total():
    endorsement = EndorsementFactory(trips_total=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Endorsement.objects.filter(pk=endorsement.pk).update(trips_used=2)


@pytest.mark.django_db(transaction=True)
def test_two_crossings_at_once_with_one_trip_left_exactly_one_gets_it():
    # given an endorsement with one trip left
    endorsement = EndorsementFactory(trips_total=2, trips_used=1)
    barrier = threading.Barrier(2)
    errors: list[str] = []

    def cross(_):
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                return consume_trip(
                    document_id=endorsement.document_id,
                    destination="HKG",
                    crossed_at=timezone.now(),
                )
        except Exception as exc:
            errors.append(repr(exc))
            return "error"
        finally:
            connection.close()

    # when two crossings are reported at the same moment
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(cross, range(2)))
    # then exactly one got the trip
    assert not errors
    assert sorted(r is None for r in results) == [False, True]
    endorsement.refresh_from_db()
    assert endorsement.trips_used == 2
    assert endorsement.status == EndorsementStatus.USED_UP


def test_a_batch_of_exits_uses_trips_oldest_first_and_after_lock_drops_some():
    # given a 2-trip endorsement and three exits, one of which the caller drops once locked
    endorsement = EndorsementFactory(trips_total=2)
    now = timezone.now()
    exits = [
        TripExit(key=k, document_id=endorsement.document_id, destination="HKG", crossed_at=at)
        for k, at in [
            ("c", now),
            ("a", now - dt.timedelta(hours=2)),
            ("b", now - dt.timedelta(hours=1)),
        ]
    ]
    seen = []

    def after_lock(keys):
        seen.extend(keys)
        return [k for k in keys if k != "b"]

    # when
    with transaction.atomic():
        used = trips_use(exits=exits, after_lock=after_lock)

    # then the two kept use the two trips, oldest first, and the endorsement is used up
    assert seen == ["a", "b", "c"]
    assert used == {"a": endorsement.pk, "c": endorsement.pk}
    endorsement.refresh_from_db()
    assert (endorsement.trips_used, endorsement.status) == (2, EndorsementStatus.USED_UP)
    assert EndorsementEvent.objects.get(endorsement=endorsement, action="use_up").at == now
