import datetime as dt
import json
import random

import pytest
from django.utils import timezone

from crossings.models import Crossing
from crossings.services import port_credential_create, port_credential_revoke
from documents.tests.factories import HkMacaoPassFactory, PassportFactory

from .conftest import event
from .factories import PortFactory

pytestmark = pytest.mark.django_db


def test_a_batch_is_recorded_and_a_resend_adds_nothing(post_batch):
    # given a batch of exits and entries on two people's documents
    card, passport = HkMacaoPassFactory(), PassportFactory()
    now = timezone.now()
    events = [
        event(card, event_id=f"e{i}", when=now - dt.timedelta(hours=i), direction=d)
        for i, d in enumerate(["exit", "entry", "exit"], start=1)
    ] + [event(passport, event_id="p1", destination="JPN", vehicle="CA925")]

    # when the port sends it
    response = post_batch({"port": "SZ-LUOHU", "events": events})

    # then every event is accepted and recorded
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["event_id"] for a in body["accepted"]] == ["e1", "e2", "e3", "p1"]
    assert body["duplicates"] == [] and body["rejected"] == []
    assert Crossing.objects.count() == 4
    recorded = Crossing.objects.get(event_id="p1")
    assert (recorded.person_id, recorded.document_id, recorded.vehicle) == (
        passport.person_id,
        passport.pk,
        "CA925",
    )

    # when it is sent again, shuffled
    random.Random(4).shuffle(events)
    again = post_batch({"port": "SZ-LUOHU", "events": events}).json()

    # then nothing is added: all are duplicates
    assert again["accepted"] == [] and len(again["duplicates"]) == 4
    assert Crossing.objects.count() == 4


def test_each_event_is_checked_on_its_own(post_batch):
    # given one good event among bad ones
    card, other = HkMacaoPassFactory(), HkMacaoPassFactory()
    now = timezone.now()
    events = [
        event(card, event_id="good", when=now - dt.timedelta(hours=1)),
        event(card, event_id="future", when=now + dt.timedelta(hours=1)),
        event(card, event_id="old", when=now - dt.timedelta(days=365 * 11)),
        event(card, event_id="unknown", document_number="C99999999"),
        event(card, event_id="not-theirs", id_number=other.person.id_number),
        event(card, event_id="direction", direction="sideways"),
        event(card, event_id="elsewhere", port="ZH-GONGBEI"),
        event(card, event_id="naive", occurred_at="2026-01-01T10:00:00"),
        "not an object",
        event(card, event_id="good", when=now - dt.timedelta(hours=1)),
        event(card, event_id="good", when=now - dt.timedelta(hours=1), destination="MAC"),
    ]

    # when the batch is sent
    response = post_batch({"port": "SZ-LUOHU", "events": events})

    # then the good one is recorded, the repeat is a duplicate, every other one says why
    assert response.status_code == 200
    body = response.json()
    assert [a["event_id"] for a in body["accepted"]] == ["good"]
    assert [d["index"] for d in body["duplicates"]] == [9]
    assert [(r["index"], r["code"]) for r in body["rejected"]] == [
        (1, "event_in_future"),
        (2, "event_too_old"),
        (3, "document_unknown"),
        (4, "document_not_persons"),
        (5, "event_invalid"),
        (6, "event_other_port"),
        (7, "event_invalid"),
        (8, "event_invalid"),
        (10, "event_invalid"),
    ]
    assert body["rejected"][4]["errors"][0]["field"] == "direction"
    assert Crossing.objects.count() == 1


def test_out_of_order_events_are_all_kept(post_batch):
    # given an entry sent before its exit, and a late batch of older events
    card = HkMacaoPassFactory()
    now = timezone.now()
    post_batch({"port": "SZ-LUOHU", "events": [event(card, event_id="in", direction="entry")]})

    # when the exit and an older one arrive later
    body = post_batch(
        {
            "port": "SZ-LUOHU",
            "events": [
                event(card, event_id="out", when=now - dt.timedelta(hours=5)),
                event(card, event_id="older", when=now - dt.timedelta(days=40)),
            ],
        }
    ).json()

    # then both are recorded
    assert len(body["accepted"]) == 2
    assert Crossing.objects.filter(person=card.person).count() == 3


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"port": "SZ-LUOHU"}, 422, "crossing_batch_invalid"),
        ({"port": "SZ-LUOHU", "events": []}, 422, "crossing_batch_invalid"),
        ([1, 2], 422, "crossing_batch_invalid"),
        ({"port": "SZ-LUOHU", "events": {"a": 1}}, 422, "crossing_batch_invalid"),
        ({"port": "ZH-GONGBEI", "events": [{}]}, 403, "port_not_yours"),
        ({"events": [{}]}, 403, "port_not_yours"),
        ({"port": "SZ-LUOHU", "events": [{}] * 1001}, 413, "crossing_batch_too_large"),
    ],
)
def test_a_malformed_batch_is_refused_whole(post_batch, payload, status, code):
    response = post_batch(payload)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert Crossing.objects.count() == 0


def test_a_body_that_is_not_json_or_not_json_typed_is_refused(post_batch):
    assert post_batch(body=b"{not json").json()["code"] == "invalid_json"
    assert post_batch(body=b"\xff\xfe").status_code == 400
    response = post_batch(body=b"{}", content_type="text/plain")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def test_an_oversized_body_is_refused_before_it_is_read(post_batch):
    response = post_batch(body=b"[" + b" " * (1024 * 1024) + b"]")
    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")


def test_a_port_may_use_any_of_its_active_credentials(post_batch, port, credential):
    # given a second credential (rotation), then the first revoked
    card = HkMacaoPassFactory()
    new, new_secret = port_credential_create(port=port)
    ok = post_batch({"port": "SZ-LUOHU", "events": [event(card, event_id="a")]})
    ok_new = post_batch(
        {"port": "SZ-LUOHU", "events": [event(card, event_id="b")]}, key=(new.key_id, new_secret)
    )
    port_credential_revoke(credential=credential[0])

    # when the port signs with the old one, then it is refused; the new one still works
    refused = post_batch({"port": "SZ-LUOHU", "events": [event(card, event_id="c")]})
    assert (ok.status_code, ok_new.status_code) == (200, 200)
    assert (refused.status_code, refused.json()["code"]) == (401, "port_key_unknown")
    again = post_batch(
        {"port": "SZ-LUOHU", "events": [event(card, event_id="c")]}, key=(new.key_id, new_secret)
    )
    assert again.status_code == 200


def test_another_ports_key_cannot_report_for_this_port(post_batch):
    # given a key of another port
    other, secret = port_credential_create(port=PortFactory(code="ZH-GONGBEI"))
    card = HkMacaoPassFactory()

    # when it signs a batch naming this port
    response = post_batch(
        {"port": "SZ-LUOHU", "events": [event(card, event_id="x")]}, key=(other.key_id, secret)
    )

    # then it is refused, and nothing is recorded
    assert (response.status_code, response.json()["code"]) == (403, "port_not_yours")
    assert Crossing.objects.count() == 0


def test_bad_signatures_stale_and_replayed_requests_are_refused(client, post_batch, credential):
    card = HkMacaoPassFactory()
    payload = {"port": "SZ-LUOHU", "events": [event(card, event_id="x")]}
    key_id, secret = credential[0].key_id, credential[1]

    wrong_secret = post_batch(payload, key=(key_id, secret + "x"))
    unknown = post_batch(payload, key=("pk_nobody_at_all", secret))
    stale = post_batch(payload, timestamp=int(timezone.now().timestamp()) - 301)
    ahead = post_batch(payload, timestamp=int(timezone.now().timestamp()) + 301)
    missing = post_batch(payload, headers={"X-Port-Signature": ""})
    bad_nonce = post_batch(payload, headers={"X-Port-Nonce": "short"})

    assert [
        (r.status_code, r.json()["code"])
        for r in (wrong_secret, unknown, stale, ahead, missing, bad_nonce)
    ] == [
        (401, "port_signature_invalid"),
        (401, "port_key_unknown"),
        (401, "port_request_stale"),
        (401, "port_request_stale"),
        (401, "port_signature_missing"),
        (401, "port_signature_missing"),
    ]

    # given a good request, when exactly the same request (same nonce) is sent again
    from crossings import signing

    body = json.dumps(payload).encode()
    headers = signing.signed_headers(
        key_id=key_id, secret=secret, method="POST", path="/api/v1/border/crossings", body=body
    )
    first = client.post(
        "/api/v1/border/crossings", body, content_type="application/json", headers=headers
    )
    replay = client.post(
        "/api/v1/border/crossings", body, content_type="application/json", headers=headers
    )
    # then the replay is refused
    assert first.status_code == 200
    assert (replay.status_code, replay.json()["code"]) == (401, "port_request_replayed")
    # and a body changed under a good signature is refused
    headers = signing.signed_headers(
        key_id=key_id, secret=secret, method="POST", path="/api/v1/border/crossings", body=body
    )
    changed = client.post(
        "/api/v1/border/crossings",
        body.replace(b'"x"', b'"y"'),
        content_type="application/json",
        headers=headers,
    )
    assert (changed.status_code, changed.json()["code"]) == (401, "port_signature_invalid")
    assert Crossing.objects.count() == 1


def test_the_months_index_counts_each_new_crossing_once(post_batch):
    # given two crossings in one month and one in another, sent twice
    from crossings.models import CrossingMonth

    card = HkMacaoPassFactory()
    now = timezone.now()
    this_month = now.replace(day=1, hour=12)
    events = [
        event(card, event_id="a", when=this_month),
        event(card, event_id="b", when=this_month + dt.timedelta(minutes=5), direction="entry"),
        event(card, event_id="c", when=this_month - dt.timedelta(days=40)),
    ]
    post_batch({"port": "SZ-LUOHU", "events": events})
    post_batch({"port": "SZ-LUOHU", "events": events})

    # then the person's months count 2 and 1
    counts = sorted(
        CrossingMonth.objects.filter(person=card.person).values_list("count", flat=True)
    )
    assert counts == [1, 2]


def test_times_with_an_offset_and_microseconds_are_kept_exactly(post_batch):
    # given an event at a Beijing time with microseconds, written with its +08:00 offset
    passport = PassportFactory()
    beijing = dt.timezone(dt.timedelta(hours=8))
    when = (timezone.now() - dt.timedelta(days=3)).astimezone(beijing).replace(microsecond=654321)
    events = [event(passport, event_id="t1", destination="JPN", when=when)]

    # when the port sends it, then sends the same time written in UTC
    first = post_batch({"port": "SZ-LUOHU", "events": events}).json()
    events[0]["occurred_at"] = when.astimezone(dt.UTC).isoformat()
    again = post_batch({"port": "SZ-LUOHU", "events": events}).json()

    # then it is recorded at that very instant, and the resend is the same event
    assert [a["event_id"] for a in first["accepted"]] == ["t1"]
    assert Crossing.objects.get(event_id="t1").occurred_at == when
    assert again["accepted"] == [] and [d["event_id"] for d in again["duplicates"]] == ["t1"]


def test_a_batch_reads_the_same_whether_or_not_another_event_is_invalid(post_batch):
    # given the same events with spaces around values and no vehicle, once alone (read in one
    # pass) and once beside an invalid event (read event by event), at two ports' ids
    card = HkMacaoPassFactory()
    when = timezone.now() - dt.timedelta(hours=3)

    def events(prefix):
        one = event(card, event_id=f" {prefix}1 ", when=when, destination=" HKG ")
        one.pop("vehicle")
        return [one, event(card, event_id=f"{prefix}2", when=when, direction="entry")]

    # when both are sent
    alone = post_batch({"port": "SZ-LUOHU", "events": events("a")}).json()
    beside = post_batch({"port": "SZ-LUOHU", "events": [*events("b"), {"event_id": "x"}]}).json()

    # then both record the same values; only the invalid event is refused
    assert [a["event_id"] for a in alone["accepted"]] == ["a1", "a2"]
    assert [a["event_id"] for a in beside["accepted"]] == ["b1", "b2"]
    assert [r["index"] for r in beside["rejected"]] == [2]
    rows = Crossing.objects.order_by("event_id").values_list(
        "event_id", "destination", "vehicle", "direction"
    )
    assert [row[1:] for row in rows] == [("HKG", "", "exit"), ("HKG", "", "entry")] * 2


def test_a_batch_with_no_valid_event_records_nothing(post_batch):
    # given a batch whose only event is in the future
    card = HkMacaoPassFactory()
    when = timezone.now() + dt.timedelta(hours=1)

    # when it is sent
    body = post_batch({"port": "SZ-LUOHU", "events": [event(card, event_id="f", when=when)]})

    # then it is answered, the event refused with its reason, nothing recorded
    assert body.status_code == 200
    assert [r["code"] for r in body.json()["rejected"]] == ["event_in_future"]
    assert body.json()["accepted"] == [] and Crossing.objects.count() == 0
