import datetime as dt

import pytest
from django.utils import timezone

from core.api import encode_json
from documents.tests.factories import (
    CitizenFactory,
    HkMacaoPassFactory,
    PassportFactory,
)
from endorsements.tests.factories import EndorsementFactory
from persons.tests.factories import GuardianshipFactory, MinorFactory

from .factories import CrossingFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/crossings"


def test_my_crossings_over_all_my_documents_newest_first(citizen, citizen_client):
    # given crossings on an old passport and a card pass, someone else's, and one too old
    now = timezone.now()
    old_passport = PassportFactory(person=citizen.person, status="invalidated")
    card = HkMacaoPassFactory(person=citizen.person)
    first = CrossingFactory(document=old_passport, occurred_at=now - dt.timedelta(days=3000))
    second = CrossingFactory(document=card, occurred_at=now - dt.timedelta(days=2))
    CrossingFactory(occurred_at=now - dt.timedelta(days=1))
    EndorsementFactory(document=card, applied_by=citizen, trips_total=2, trips_used=1)

    # when I read my records
    response = citizen_client.get(URL)

    # then mine come newest first with masked numbers, and the trips left
    assert response.status_code == 200, response.content
    body = response.json()
    assert [c["id"] for c in body["crossings"]] == [second.pk, first.pk]
    assert body["crossings"][0]["document"]["number_masked"] != card.number
    assert body["crossings"][0]["port"]["code"] == second.port.code
    assert body["relation"] == "self" and body["next"] is None
    assert [(e["trips_total"], e["trips_left"]) for e in body["endorsements"]] == [(2, 1)]


def test_my_crossings_filtered_by_period_and_document_and_paged(citizen, citizen_client):
    # given five crossings on a card, one on a passport
    now = timezone.now()
    card = HkMacaoPassFactory(person=citizen.person)
    passport = PassportFactory(person=citizen.person)
    on_card = [
        CrossingFactory(document=card, occurred_at=now - dt.timedelta(days=d)) for d in range(1, 6)
    ]
    CrossingFactory(document=passport, occurred_at=now - dt.timedelta(days=2))

    # when I page through the card's, two at a time
    seen, url = [], f"{URL}?document={card.pk}&limit=2"
    while url:
        body = citizen_client.get(url).json()
        seen += [c["id"] for c in body["crossings"]]
        url = body["next"]

    # then each comes once, newest first
    assert seen == [c.pk for c in on_card]
    # and a period keeps only its days
    start = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    end = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    body = citizen_client.get(f"{URL}?start={start}&end={end}&document={card.pk}").json()
    assert len(body["crossings"]) in {1, 2, 3}  # the day boundary is Asia/Shanghai's
    assert all(c["document"]["id"] == card.pk for c in body["crossings"])


def test_a_guardian_reads_a_minors_records_but_nobody_elses(citizen, citizen_client):
    # given my minor child with a crossing, and a stranger with one
    child = MinorFactory()
    GuardianshipFactory(guardian=citizen.person, child=child)
    mine = CrossingFactory(document=HkMacaoPassFactory(person=child))
    stranger = CrossingFactory()

    # when I ask for each
    theirs = citizen_client.get(f"{URL}?person={child.pk}")
    other = citizen_client.get(f"{URL}?person={stranger.person_id}")
    other_document = citizen_client.get(f"{URL}?document={stranger.document_id}")

    # then the child's come, the stranger's do not
    assert theirs.status_code == 200
    assert theirs.json()["relation"] == "minor"
    assert [c["id"] for c in theirs.json()["crossings"]] == [mine.pk]
    assert other.status_code == 404 and other_document.status_code == 404


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("start=2001-01-01", 422, "crossing_period_invalid"),
        ("start=2026-01-10&end=2026-01-01", 422, "crossing_period_invalid"),
        ("before=nonsense", 422, "crossing_period_invalid"),
        ("before=1_99999999999999999999", 422, "crossing_period_invalid"),
        ("person=99999999999999999999", 422, "validation_failed"),
        ("start=10000-01-01", 422, "validation_failed"),
        ("limit=1000", 422, "validation_failed"),
    ],
)
def test_bad_queries_are_refused_clearly(citizen_client, query, status, code):
    response = citizen_client.get(f"{URL}?{query}")
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_my_crossings_needs_a_bound_signed_in_citizen(client):
    assert client.get(URL).status_code == 401
    client.force_login(CitizenFactory(person=None, bound_at=None))
    assert client.get(URL).status_code == 403


def test_pages_read_month_by_month_also_when_a_document_filter_skips_rows(citizen, citizen_client):
    # given crossings spread over many months, most on a passport, a few on a card
    now = timezone.now()
    card = HkMacaoPassFactory(person=citizen.person)
    passport = PassportFactory(person=citizen.person)
    on_card = []
    for month in range(30):
        when = now - dt.timedelta(days=31 * month + 1)
        CrossingFactory(document=passport, occurred_at=when)
        CrossingFactory(document=passport, occurred_at=when - dt.timedelta(hours=1))
        if month % 7 == 0:
            on_card.append(CrossingFactory(document=card, occurred_at=when - dt.timedelta(hours=2)))

    # when the card's are asked for two at a time, and everything ten at a time
    seen, url = [], f"{URL}?document={card.pk}&limit=2"
    while url:
        body = citizen_client.get(url).json()
        seen += [c["id"] for c in body["crossings"]]
        url = body["next"]
    everything, url = [], f"{URL}?limit=10"
    while url:
        body = citizen_client.get(url).json()
        everything += [c["occurred_at"] for c in body["crossings"]]
        url = body["next"]

    # then each comes once, in order
    assert seen == [c.pk for c in on_card]
    assert len(everything) == 60 + len(on_card)
    assert everything == sorted(everything, reverse=True)


def test_crossings_at_the_same_moment_are_paged_each_once(citizen, citizen_client):
    # given five crossings at the very same moment and one just before (a keyset on time alone
    # would skip or repeat some)
    moment = timezone.now() - dt.timedelta(days=40)
    card = HkMacaoPassFactory(person=citizen.person)
    same = [CrossingFactory(document=card, occurred_at=moment) for _ in range(5)]
    before = CrossingFactory(document=card, occurred_at=moment - dt.timedelta(seconds=1))

    # when I page through them two at a time
    seen, url = [], f"{URL}?limit=2"
    while url:
        body = citizen_client.get(url).json()
        seen += [c["id"] for c in body["crossings"]]
        url = body["next"]

    # then each comes once: the same moment by id, newest id first, then the earlier one
    assert seen == [c.pk for c in sorted(same, key=lambda c: -c.pk)] + [before.pk]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_answer_is_exactly_what_validation_against_its_schema_gives(
    citizen, citizen_client, language
):
    # given crossings with microseconds on two documents, an endorsement with trips, a next page
    from crossings.api import CrossingOut, MyCrossingsOut

    now = timezone.now().replace(microsecond=123456)
    card = HkMacaoPassFactory(person=citizen.person)
    passport = PassportFactory(person=citizen.person)
    for days in range(3):
        CrossingFactory(document=card, occurred_at=now - dt.timedelta(days=days + 1))
        CrossingFactory(document=passport, occurred_at=now - dt.timedelta(days=days + 40))
    EndorsementFactory(document=card, applied_by=citizen, trips_total=2, trips_used=1)

    # when I read a page of my records
    response = citizen_client.get(f"{URL}?limit=4", headers={"accept-language": language})

    # then the body is the validated rendering, field for field and in the schema's order
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    validated = MyCrossingsOut.model_validate(body).model_dump()
    assert response.content == encode_json(validated)  # as ninja renders
    assert list(body) == list(MyCrossingsOut.model_fields)
    assert list(body["crossings"][0]) == list(CrossingOut.model_fields)
    assert len(body["crossings"]) == 4 and body["next"] and body["endorsements"]
