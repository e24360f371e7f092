"""The endorsement API: the public policy (cacheable), applying, my endorsements, problems."""

import io
import json

import pytest
from django.core.management import call_command

from documents.tests.factories import HkMacaoPassFactory, days_from_today
from endorsements.models import Endorsement, EndorsementPolicy
from endorsements.selectors import policy_document

from .conftest import citizen_client

pytestmark = pytest.mark.django_db
POLICY = "/api/v1/endorsements/policy"
APPLY = "/api/v1/me/endorsement-applications"


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_the_policy_is_public_cacheable_and_answers_304_to_its_etag(client, policies):
    # when anyone asks for the policy
    response = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="en")
    # then it is public, cacheable and has an ETag
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]
    body = response.json()
    option = next(
        o
        for o in body["options"]
        if (o["destination"], o["type"], o["option"]) == ("HKG", "G", "3m1")
    )
    assert option["fee"] == "15.00" and option["label"] == "3 months, 1 trip, 7 days per stay"
    assert next(o for o in body["options"] if o["destination"] == "TWN")["suspended"] is True
    # and the same ETag gets a 304 without a body
    again = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_the_policy_is_served_by_the_plain_view_and_documented_in_the_api(client, policies):
    from django.urls import resolve

    from endorsements.views import policy_json

    # when the policy's path is resolved and the API's document read
    match = resolve(POLICY)
    schema = client.get("/api/v1/openapi.json").json()
    # then the plain view serves it, the API documents it, and other methods are a problem
    assert match.func is policy_json
    assert "get" in schema["paths"][POLICY]
    assert client.head(POLICY).status_code == 200
    refused = client.post(POLICY)
    assert refused.status_code == 405
    assert refused["Content-Type"].startswith("application/problem+json")


def test_the_policy_matches_its_schema_and_follows_the_language(client, policies):
    from endorsements.api import PolicyOut

    chinese = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="zh-Hans").json()
    english = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="en").json()
    assert PolicyOut.model_validate(english)
    assert {o["type_name"] for o in chinese["options"]} >= {"个人旅游"}
    assert {o["type_name"] for o in english["options"]} >= {"Individual travel"}


def test_a_policy_change_gives_a_new_rendering_and_etag(client, policies):
    # given the policy as a client cached it
    first = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="en")
    # when an administrator changes a fee
    policy = policies["G"]
    policy.fee = 20
    policy.save()
    # then the client's ETag no longer matches and the new fee is served
    second = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    option = next(o for o in second.json()["options"] if o["option"] == "3m1" and o["type"] == "G")
    assert option["fee"] == "20.00"
    assert EndorsementPolicy.history.filter(id=policy.pk).count() >= 1


def test_the_seeded_policy_marks_unconfirmed_facts(db):
    # given the seeded rows (the data migration's; put back by the command where an earlier
    # transactional test flushed them)
    if not EndorsementPolicy.objects.exists():
        call_command("load_endorsement_policy", stdout=io.StringIO())
    rows = EndorsementPolicy.objects.all()
    assert rows.filter(destination="TWN", type_code="G", suspended=True).exists()
    shenzhen = rows.get(option_code="1yM-sz")
    assert shenzhen.eligible_regions == ["440300"] and shenzhen.trips is None
    assert all("[?]" in r.note for r in rows.filter(type_code="G"))
    assert policy_document()["options"]


def test_apply_approved_at_once(citizen, pass_of, policies):
    client = citizen_client(citizen)
    body = {
        "document_id": pass_of.pk,
        "items": [{"destination": "HKG", "type": "G", "option": "3m1"}],
        "channel": "kiosk",
    }
    response = post(client, APPLY, body, HTTP_IDEMPOTENCY_KEY="abc", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["created"] is True and data["total_fee"] == "15.00"
    (item,) = data["endorsements"]
    assert item["status"] == "approved" and item["trips_left"] == 1
    assert [s["action"] for s in item["timeline"]] == ["apply", "auto_approve"]
    # a retry with the same key returns the same, once
    again = post(client, APPLY, body, HTTP_IDEMPOTENCY_KEY="abc")
    assert again.status_code == 200 and again.json()["created"] is False
    assert Endorsement.objects.count() == 1
    # and my endorsements list it
    mine = client.get("/api/v1/me/endorsements").json()
    assert [m["number"] for m in mine] == [item["number"]]


def test_apply_ineligible_lists_the_reasons_in_the_readers_language(xian_citizen, policies):
    client = citizen_client(xian_citizen)
    document = xian_citizen.person.documents.get()
    body = {
        "document_id": document.pk,
        "items": [{"destination": "HKG", "type": "G", "option": "3m1"}],
        "channel": "kiosk",
    }
    english = post(client, APPLY, body, HTTP_ACCEPT_LANGUAGE="en").json()["endorsements"][0]
    assert english["status"] == "under_review"
    assert english["reasons"][0]["code"] == "household_region_not_eligible"
    assert "household registration" in english["reasons"][0]["message"]
    assert english["expected_on"] is not None
    chinese = client.get(f"/api/v1/me/endorsements/{english['id']}", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert "户籍" in chinese.json()["reasons"][0]["message"]


@pytest.mark.parametrize(
    ("setup", "status", "code"),
    [
        ("stranger", 404, "document_not_found"),
        ("lost", 409, "pass_not_usable"),
        ("suspended", 409, "endorsement_suspended"),
        ("unknown", 422, "unknown_endorsement_option"),
        ("answers", 422, "answer_required"),
        ("hall", 422, "hall_required"),
    ],
)
def test_bad_input_is_a_problem_with_a_code_never_a_500(
    citizen, pass_of, policies, setup, status, code
):
    from documents.tests.factories import TaiwanPermitFactory

    client = citizen_client(citizen)
    document_id, item, channel = (
        pass_of.pk,
        {"destination": "HKG", "type": "G", "option": "3m1"},
        "kiosk",
    )
    if setup == "stranger":
        document_id = HkMacaoPassFactory(expires_on=days_from_today(900)).pk
    elif setup == "lost":
        pass_of.__class__.objects.filter(pk=pass_of.pk).update(status="reported_lost")
    elif setup == "suspended":
        document_id = TaiwanPermitFactory(person=citizen.person, expires_on=days_from_today(900)).pk
        item = {"destination": "TWN", "type": "G", "option": "3m1"}
    elif setup == "unknown":
        item["option"] = "zz"
    elif setup == "answers":
        item = {"destination": "HKG", "type": "S", "option": "3m1"}
    elif setup == "hall":
        channel = "hall"
    for language, check in (("en", str.isascii), ("zh-Hans", lambda t: not t.isascii())):
        response = post(
            client,
            APPLY,
            {"document_id": document_id, "items": [item], "channel": channel},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == status, response.content
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["code"] == code
        assert check(response.json()["detail"])


def test_someone_elses_endorsement_is_not_found(citizen, xian_citizen, policies):
    from endorsements.tests.factories import EndorsementFactory

    theirs = EndorsementFactory(
        document=xian_citizen.person.documents.get(), applied_by=xian_citizen, policy=policies["G"]
    )
    response = citizen_client(citizen).get(f"/api/v1/me/endorsements/{theirs.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "endorsement_not_found"


def test_withdraw_until_paid(citizen, pass_of, policies):
    client = citizen_client(citizen)
    body = {
        "document_id": pass_of.pk,
        "items": [{"destination": "HKG", "type": "G", "option": "3m1"}],
        "channel": "kiosk",
    }
    (item,) = post(client, APPLY, body).json()["endorsements"]
    url = f"/api/v1/me/endorsements/{item['id']}/withdraw"
    first = post(client, url, {})
    assert first.status_code == 200 and first.json()["status"] == "withdrawn"
    assert post(client, url, {}).status_code == 200  # again: unchanged
    # and a new application for the same endorsement is possible again
    assert post(client, APPLY, body).status_code == 201
