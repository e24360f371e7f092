"""Exits to Hong Kong, Macao and Taiwan on a card pass use trips of the endorsements, once."""

import datetime as dt
import json
import random
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from crossings import signing
from crossings.models import Crossing, CrossingMonth, Flag
from documents.tests.factories import (
    CitizenFactory,
    HkMacaoPassFactory,
    PassportFactory,
    days_from_today,
)
from endorsements.models import Endorsement
from endorsements.tests.factories import EndorsementFactory, PolicyFactory

from .conftest import PATH, event


def _card_with_endorsements():
    """A card pass with a 1-trip HKG endorsement expiring in 30 days, a 2-trip HKG one expiring
    in 90 days, and a 1-trip MAC one."""
    card = HkMacaoPassFactory()
    citizen = CitizenFactory(person=card.person)
    soon = EndorsementFactory(
        document=card,
        applied_by=citizen,
        valid_from=days_from_today(-20),
        valid_until=days_from_today(30),
    )
    later = EndorsementFactory(
        document=card,
        applied_by=citizen,
        policy=PolicyFactory(type_code="S", option_code="3m2", trips=2, name_en="Business"),
        valid_from=days_from_today(-20),
        valid_until=days_from_today(90),
    )
    macao = EndorsementFactory(
        document=card,
        applied_by=citizen,
        policy=PolicyFactory(destination="MAC"),
        valid_from=days_from_today(-20),
        valid_until=days_from_today(30),
    )
    return card, soon, later, macao


def _batch(card):
    now = timezone.now()
    days = [5, 4, 3, 1]  # four exits to Hong Kong: three trips exist
    events = [
        event(card, event_id=f"hk-{d}", when=now - dt.timedelta(days=d, hours=2)) for d in days
    ]
    events += [
        event(card, event_id=f"back-{d}", direction="entry", when=now - dt.timedelta(days=d))
        for d in days
    ]
    events.append(
        event(card, event_id="mo", destination="MAC", when=now - dt.timedelta(days=2, hours=2))
    )
    passport = PassportFactory(person=card.person)
    events.append(event(passport, event_id="by-passport", destination="HKG"))
    return events


@pytest.mark.django_db
def test_a_batch_sent_twice_and_shuffled_lands_once_and_uses_the_right_trips(post_batch):
    # given a card pass with three trips to Hong Kong and one to Macao, and a shuffled batch
    card, soon, later, macao = _card_with_endorsements()
    events = _batch(card)
    random.Random(12).shuffle(events)

    # when the port sends it, then sends it again shuffled otherwise
    first = post_batch({"port": "SZ-LUOHU", "events": events}).json()
    random.Random(13).shuffle(events)
    second = post_batch({"port": "SZ-LUOHU", "events": events}).json()

    # then every event is recorded once; the resend changes nothing
    assert len(first["accepted"]) == len(events) and first["rejected"] == []
    assert second["accepted"] == [] and len(second["duplicates"]) == len(events)
    assert Crossing.objects.count() == len(events)
    # the oldest exit used the endorsement that expires first, the next two the later one,
    # and the last exit found no trip left: recorded and flagged
    used = dict(Crossing.objects.values_list("event_id", "endorsement_id"))
    assert used["hk-5"] == soon.pk
    assert used["hk-4"] == used["hk-3"] == later.pk
    assert used["hk-1"] is None
    assert used["mo"] == macao.pk
    # entries and exits on a passport use no trip
    assert used["back-5"] is None and used["by-passport"] is None
    flagged = Crossing.objects.filter(flag=Flag.NO_ENDORSEMENT)
    assert list(flagged.values_list("event_id", flat=True)) == ["hk-1"]
    assert {a["event_id"]: a["flag"] for a in first["accepted"]}["hk-1"] == "no_endorsement"
    trips = dict(Endorsement.objects.values_list("pk", "trips_used"))
    assert (trips[soon.pk], trips[later.pk], trips[macao.pk]) == (1, 2, 1)
    # and the months index counts each crossing once, those that used a trip too
    months = CrossingMonth.objects.filter(person=card.person).values_list("count", flat=True)
    assert sum(months) == Crossing.objects.filter(person=card.person).count() == len(events)


@pytest.mark.django_db
def test_a_late_exit_uses_the_endorsement_valid_then(post_batch):
    # given an endorsement that ended last week and one valid now
    card = HkMacaoPassFactory()
    citizen = CitizenFactory(person=card.person)
    ended = EndorsementFactory(
        document=card,
        applied_by=citizen,
        valid_from=days_from_today(-60),
        valid_until=days_from_today(-7),
    )
    EndorsementFactory(
        document=card,
        applied_by=citizen,
        policy=PolicyFactory(type_code="S", option_code="3m2", trips=2, name_en="Business"),
        valid_from=days_from_today(-3),
        valid_until=days_from_today(90),
    )

    # when an exit of ten days ago arrives today
    when = timezone.now() - dt.timedelta(days=10)
    body = post_batch({"port": "SZ-LUOHU", "events": [event(card, event_id="late", when=when)]})

    # then it used the endorsement valid at the time of the crossing
    assert body.status_code == 200
    assert Crossing.objects.get(event_id="late").endorsement_id == ended.pk


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_sent_at_once_by_two_connections_uses_each_trip_once(credential):
    # given a card with three trips to Hong Kong and a batch of four exits
    card, soon, later, _macao = _card_with_endorsements()
    body = json.dumps({"port": "SZ-LUOHU", "events": _batch(card)}).encode()
    key_id, secret = credential[0].key_id, credential[1]
    answers = []
    barrier = threading.Barrier(2)

    def send():
        headers = signing.signed_headers(
            key_id=key_id, secret=secret, method="POST", path=PATH, body=body
        )
        barrier.wait()
        try:
            answers.append(
                Client().post(PATH, body, content_type="application/json", headers=headers).json()
            )
        finally:
            connection.close()

    # when two port connections send it at the same moment
    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one records it and the other finds duplicates; each trip is used once
    assert sorted(len(a["accepted"]) for a in answers) == [0, 10]
    assert Crossing.objects.count() == 10
    trips = dict(Endorsement.objects.values_list("pk", "trips_used"))
    assert (trips[soon.pk], trips[later.pk]) == (1, 2)


@pytest.mark.django_db
def test_an_exit_on_a_card_without_any_endorsement_is_flagged_once(post_batch):
    # given a card pass with no endorsement
    card = HkMacaoPassFactory()
    batch = {"port": "SZ-LUOHU", "events": [event(card, event_id="x"), event(card, event_id="y")]}
    batch["events"][1]["direction"] = "entry"

    # when the exit and an entry arrive, twice
    first = post_batch(batch).json()
    post_batch(batch)

    # then the exit is recorded flagged, the entry not, each once
    assert {a["event_id"]: a["flag"] for a in first["accepted"]} == {
        "x": "no_endorsement",
        "y": "",
    }
    assert dict(Crossing.objects.values_list("event_id", "flag")) == {
        "x": Flag.NO_ENDORSEMENT,
        "y": "",
    }


@pytest.mark.django_db
def test_an_exit_recorded_meanwhile_fails_the_batch_whole_and_uses_no_trip(post_batch, monkeypatch):
    # given an exit that used a trip, and a check of "sent before" that misses it (as when a
    # copy of the batch commits between the check and the insert)
    card, soon, _later, _macao = _card_with_endorsements()
    events = [event(card, event_id="hk", when=timezone.now() - dt.timedelta(days=1))]
    assert post_batch({"port": "SZ-LUOHU", "events": events}).status_code == 200
    monkeypatch.setattr("crossings.services._recorded", lambda port, exits: set())

    # when it is sent again
    response = post_batch({"port": "SZ-LUOHU", "events": events})

    # then the batch is refused whole: the trip was used once
    assert (response.status_code, response.json()["code"]) == (409, "crossing_batch_conflict")
    assert Crossing.objects.count() == 1
    assert Endorsement.objects.get(pk=soon.pk).trips_used == 1
