"""The periodic expiry: active endorsements past their last valid day become expired through
the workflow, once, by the system; nothing else changes."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from documents.tests.factories import days_from_today
from endorsements import services, tasks
from endorsements.models import Endorsement, EndorsementEvent, EndorsementStatus

from .factories import EndorsementFactory

pytestmark = pytest.mark.django_db
S = EndorsementStatus


def _ended(**fields):
    return EndorsementFactory(
        valid_from=days_from_today(-100), valid_until=days_from_today(-1), **fields
    )


def test_active_endorsements_past_their_validity_expire_through_the_workflow():
    # given an active endorsement whose last day was yesterday, one valid until today, and an
    # approved one (not printed) whose dates have passed
    ended = _ended()
    today = EndorsementFactory(valid_until=days_from_today(0))
    approved = _ended(status=S.APPROVED)
    # when the periodic work runs
    assert services.endorsements_expire() == 1
    # then only the first is expired, with its event by the system
    statuses = dict(Endorsement.objects.values_list("pk", "status"))
    assert statuses == {ended.pk: S.EXPIRED, today.pk: S.ACTIVE, approved.pk: S.APPROVED}
    (event,) = EndorsementEvent.objects.filter(endorsement=ended)
    assert (event.action, event.from_status, event.status, event.actor) == (
        "expire",
        S.ACTIVE,
        S.EXPIRED,
        None,
    )
    # and a second run changes nothing
    assert services.endorsements_expire() == 0
    assert EndorsementEvent.objects.count() == 1


def test_an_endorsement_valid_until_today_expires_tomorrow():
    # given an endorsement whose last valid day is today (Beijing time)
    endorsement = EndorsementFactory(valid_until=days_from_today(0))
    # then it stays active today
    assert services.endorsements_expire(now=timezone.now()) == 0
    endorsement.refresh_from_db()
    assert endorsement.status == S.ACTIVE
    # and expires at the run a day later
    assert services.endorsements_expire(now=timezone.now() + dt.timedelta(days=1)) == 1


def test_the_tick_and_the_task_run_it():
    first, second = _ended(), _ended()
    out = io.StringIO()
    call_command("endorsements_tick", stdout=out)
    assert "2 endorsements expired" in out.getvalue()
    assert tasks.expire.apply().get() == 0
    assert set(Endorsement.objects.values_list("status", flat=True)) == {S.EXPIRED}
    assert {first.pk, second.pk} == set(
        EndorsementEvent.objects.filter(action="expire").values_list("endorsement_id", flat=True)
    )
