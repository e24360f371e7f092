import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.auth import token_hash, token_new_key
from accounts.models import ApiToken
from documents.models import DocumentEvent, DocumentStatus
from persons.tests.factories import GuardianshipFactory, MinorFactory

from .factories import (
    CitizenFactory,
    HkMacaoPassFactory,
    PassportFactory,
    TaiwanPermitFactory,
    UnboundCitizenFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
JSON = "application/json"
LIST = "/api/v1/me/documents"
# When, where and how: the body report-lost requires.
LOSS = {"lost_on": "2024-05-01", "place": "Shenzhen Bay Port", "how": "lost"}


def bearer(user) -> dict:
    prefix, secret, key = token_new_key()
    ApiToken.objects.create(
        user=user,
        name="test phone",
        prefix=prefix,
        key_hash=token_hash(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"authorization": f"Bearer {key}"}


def problem(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if code:
        assert body["code"] == code
    return body


@pytest.fixture
def family(citizen):
    child = MinorFactory(name_zh="王小明", name_pinyin="Wang Xiaoming")
    GuardianshipFactory(guardian=citizen.person, child=child)
    passport = PassportFactory(person=citizen.person, expires_on=days_from_today(100))
    child_pass = HkMacaoPassFactory(person=child, expires_on=days_from_today(1000))
    return citizen, child, passport, child_pass


def test_my_documents_grouped_self_first_then_minors(client, family):
    # given
    user, child, passport, child_pass = family
    # when
    response = client.get(LIST, headers=bearer(user) | {"accept-language": "en"})
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    me, minor = body["persons"]
    assert me["person"]["relation"] == "self"
    assert me["person"]["id_number_masked"].count("*") == 16
    assert minor["person"] == {
        "name": "Wang Xiaoming",
        "name_zh": "王小明",
        "name_pinyin": "Wang Xiaoming",
        "relation": "minor",
        "id_number_masked": child.id_number[:1] + "*" * 16 + child.id_number[-1:],
    }
    document = me["documents"][0]
    assert document["id"] == passport.pk
    assert document["number"] == passport.number
    assert document["number_masked"] == passport.number[0] + "******" + passport.number[-2:]
    assert document["type"] == "passport"
    assert document["type_name"] == "Ordinary passport"
    assert document["status"] == "valid"
    assert document["days_left"] == 100
    assert document["expiring_soon"] is True
    assert document["usable"] is True
    assert document["issuing_authority"] == "National Immigration Administration"
    assert document["url"].endswith(f"/api/v1/me/documents/{passport.pk}")
    assert minor["documents"][0]["number"] == child_pass.number
    assert minor["documents"][0]["expiring_soon"] is False


def test_my_documents_in_chinese_by_default(client, family):
    user, *_ = family
    body = client.get(LIST, headers=bearer(user)).json()
    # (type and status names follow the catalogue once it is translated)
    assert body["persons"][0]["documents"][0]["issuing_authority"] == "国家移民管理局"
    assert body["persons"][1]["person"]["name"] == "王小明"


def test_expired_documents_show_as_expired(client, citizen):
    TaiwanPermitFactory(
        person=citizen.person, issued_on=dt.date(2010, 1, 1), expires_on=days_from_today(-1)
    )
    document = client.get(LIST, headers=bearer(citizen)).json()["persons"][0]["documents"][0]
    assert (document["status"], document["days_left"], document["usable"]) == (
        "expired",
        None,
        False,
    )


def test_the_list_has_a_fixed_number_of_queries(client, family, django_assert_num_queries):
    # given many documents across the family
    user, child, *_ = family
    for n in range(3):
        TaiwanPermitFactory(person=child if n % 2 else user.person, status="invalidated")
    headers = bearer(user)
    client.get(LIST, headers=headers)  # the token's last-used time is written once
    # when / then: the token with its user and bound person, the family's documents, then the
    # endorsements on their card passes (one query for all)
    with django_assert_num_queries(3):
        response = client.get(LIST, headers=headers)
    assert response.json()["count"] == 5


def test_one_document_with_its_mrz(client, family):
    user, _child, passport, child_pass = family
    body = client.get(f"{LIST}/{child_pass.pk}", headers=bearer(user)).json()
    assert body["id"] == child_pass.pk
    assert body["holder"]["relation"] == "minor"
    assert [len(line) for line in body["mrz"]] == [30, 30, 30]
    assert body["mrz"][0].startswith("CSCHN" + child_pass.number)
    assert body["mrz"][2].startswith("WANG<<XIAOMING<")
    body = client.get(f"{LIST}/{passport.pk}", headers=bearer(user)).json()
    assert [len(line) for line in body["mrz"]] == [44, 44]


def test_report_lost_needs_a_step_up_code(client, family):
    user, _child, passport, _child_pass = family
    # when a token reports a document lost without confirming it is the citizen
    response = client.post(
        f"{LIST}/{passport.pk}/report-lost", LOSS, content_type=JSON, headers=bearer(user)
    )
    # then refused, and nothing changes
    problem(response, 403, "step_up_required")
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VALID


def test_report_lost_with_a_bearer_token(client, family, stepped_up):
    user, _child, passport, _child_pass = family
    headers = bearer(user) | {"accept-language": "en"}
    stepped_up(client, user, headers)
    # when
    response = client.post(
        f"{LIST}/{passport.pk}/report-lost", LOSS, content_type=JSON, headers=headers
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["status_name"], body["usable"]) == (
        "reported_lost",
        "Reported lost",
        False,
    )
    assert body["status_changed_at"]
    # twice: a clear conflict
    again = client.post(
        f"{LIST}/{passport.pk}/report-lost", LOSS, content_type=JSON, headers=headers
    )
    problem(again, 409, "document_already_reported_lost")


def test_report_lost_honours_the_idempotency_key(client, family, stepped_up):
    user, _child, passport, child_pass = family
    token = bearer(user)
    stepped_up(client, user, token)
    headers = token | {"Idempotency-Key": "retry-1"}
    first = client.post(
        f"{LIST}/{passport.pk}/report-lost", LOSS, content_type=JSON, headers=headers
    )
    retry = client.post(
        f"{LIST}/{passport.pk}/report-lost", LOSS, content_type=JSON, headers=headers
    )
    assert first.status_code == retry.status_code == 200
    assert first.json()["status"] == retry.json()["status"] == "reported_lost"
    assert DocumentEvent.objects.filter(kind="reported_lost").count() == 1
    reused = client.post(
        f"{LIST}/{child_pass.pk}/report-lost", LOSS, content_type=JSON, headers=headers
    )
    problem(reused, 422, "idempotency_key_reused")
    bad = client.post(
        f"{LIST}/{child_pass.pk}/report-lost",
        LOSS,
        content_type=JSON,
        headers=token | {"Idempotency-Key": "x" * 101},
    )
    problem(bad, 422, "invalid_idempotency_key")


def test_a_guardian_reports_a_minors_document(client, family, stepped_up):
    user, child, _passport, child_pass = family
    headers = bearer(user)
    stepped_up(client, user, headers)
    response = client.post(
        f"{LIST}/{child_pass.pk}/report-lost", LOSS, content_type=JSON, headers=headers
    )
    assert response.status_code == 200
    event = DocumentEvent.objects.get(document=child_pass, kind="reported_lost")
    assert (event.actor, event.on_behalf_of) == (user, child)


def test_report_lost_of_an_expired_document_is_a_conflict(client, citizen, stepped_up):
    permit = TaiwanPermitFactory(
        person=citizen.person, issued_on=dt.date(2010, 1, 1), expires_on=days_from_today(-1)
    )
    headers = bearer(citizen)
    stepped_up(client, citizen, headers)
    response = client.post(
        f"{LIST}/{permit.pk}/report-lost", LOSS, content_type=JSON, headers=headers
    )
    problem(response, 409, "document_not_valid")


def test_report_lost_with_the_session_needs_the_csrf_token(family, stepped_up):
    user, _child, passport, _ = family
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get("/documents/")
    stepped_up(browser, user, {"X-CSRFToken": browser.cookies["csrftoken"].value})
    # without the token: refused, nothing changes
    refused = browser.post(f"{LIST}/{passport.pk}/report-lost", LOSS, content_type=JSON)
    assert refused.status_code == 403
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VALID
    # with the token
    browser.get("/documents/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        f"{LIST}/{passport.pk}/report-lost", LOSS, content_type=JSON, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "reported_lost"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", LIST), ("get", f"{LIST}/1"), ("post", f"{LIST}/1/report-lost")],
)
def test_unauthenticated_gets_401(client, method, path):
    problem(getattr(client, method)(path), 401, "not_authenticated")


def test_a_revoked_or_unknown_token_gets_401(client, citizen):
    headers = bearer(citizen)
    ApiToken.objects.update(revoked_at=timezone.now())
    problem(client.get(LIST, headers=headers), 401)
    problem(client.get(LIST, headers={"authorization": "Bearer nope.nope"}), 401)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", LIST), ("get", f"{LIST}/1"), ("post", f"{LIST}/1/report-lost")],
)
def test_unbound_accounts_get_403(client, method, path):
    headers = bearer(UnboundCitizenFactory())
    body = {"data": LOSS, "content_type": JSON} if method == "post" else {}
    problem(getattr(client, method)(path, headers=headers, **body), 403, "identity_not_bound")


def test_another_citizens_documents_are_404(client, family):
    # given another citizen with a document, and a minor of theirs
    _user, _child, passport, child_pass = family
    other = CitizenFactory()
    headers = bearer(other)
    for document in (passport, child_pass):
        # when / then: exactly as if it did not exist
        missing = problem(client.get(f"{LIST}/{document.pk}", headers=headers), 404)
        unknown = problem(client.get(f"{LIST}/999999", headers=headers), 404)
        assert missing["code"] == unknown["code"] == "document_not_found"
        assert missing["detail"] == unknown["detail"]
        problem(
            client.post(
                f"{LIST}/{document.pk}/report-lost", LOSS, content_type=JSON, headers=headers
            ),
            404,
            "document_not_found",
        )
        document.refresh_from_db()
        assert document.status == DocumentStatus.VALID
    body = client.get(LIST, headers=headers).json()
    assert body["count"] == 0
    assert [g["person"]["relation"] for g in body["persons"]] == ["self"]


@pytest.mark.parametrize("document_id", ["0", "-1", "abc", "99999999999999999999999"])
def test_bad_ids(client, citizen, document_id):
    response = client.get(f"{LIST}/{document_id}", headers=bearer(citizen))
    assert response.status_code in (404, 422)
    assert response["Content-Type"].startswith(PROBLEM)


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/me/documents", "/api/v1/me/documents/{document_id}"} <= set(paths)
    report = paths["/api/v1/me/documents/{document_id}/report-lost"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(report["responses"])
    assert "Idempotency-Key" in [p["name"] for p in report["parameters"]]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_is_exactly_what_validation_against_its_schema_gives(client, family, language):
    # given documents in every status, one expired by date, and a minor without documents
    from documents.api import MyDocumentsOut

    user, _child, _passport, _child_pass = family
    TaiwanPermitFactory(person=user.person, status=DocumentStatus.REPORTED_LOST)
    HkMacaoPassFactory(person=user.person, expires_on=days_from_today(-3))
    PassportFactory(person=user.person, status=DocumentStatus.INVALIDATED)
    GuardianshipFactory(guardian=user.person, child=MinorFactory())
    # when
    response = client.get(LIST, headers=bearer(user) | {"accept-language": language})
    # then the body is the validated rendering
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body == MyDocumentsOut.model_validate(body).model_dump(mode="json")
    assert list(body) == list(MyDocumentsOut.model_fields)
    statuses = {d["status"] for g in body["persons"] for d in g["documents"]}
    assert statuses == {"valid", "expired", "reported_lost", "invalidated"}
    assert [len(g["documents"]) for g in body["persons"]][-1] == 0


def test_report_lost_keeps_when_where_and_how(client, family, stepped_up):
    from documents.models import LossReport

    user, _child, passport, _child_pass = family
    headers = bearer(user)
    stepped_up(client, user, headers)
    body = LOSS | {"how": "stolen", "circumstances": "  Bag taken on the metro  "}
    # when
    response = client.post(
        f"{LIST}/{passport.pk}/report-lost", body, content_type=JSON, headers=headers
    )
    # then the report is kept with the event, as the website's form keeps it
    assert response.status_code == 200, response.content
    report = LossReport.objects.get(event__document=passport)
    assert (report.lost_on, report.place, report.how, report.circumstances) == (
        dt.date(2024, 5, 1),
        "Shenzhen Bay Port",
        "stolen",
        "Bag taken on the metro",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (None, None),
        ({}, "lost_on"),
        ({k: v for k, v in LOSS.items() if k != "place"}, "place"),
        (LOSS | {"lost_on": "tomorrow"}, "lost_on"),
        (LOSS | {"lost_on": "2024-02-30"}, "lost_on"),
        (LOSS | {"lost_on": "in-the-future"}, "lost_on"),
        (LOSS | {"lost_on": "before-issue"}, "lost_on"),
        (LOSS | {"place": ""}, "place"),
        (LOSS | {"place": "   "}, "place"),
        (LOSS | {"place": "x" * 201}, "place"),
        (LOSS | {"how": "eaten"}, "how"),
        (LOSS | {"circumstances": "x" * 501}, "circumstances"),
        (LOSS | {"place": 12}, "place"),
    ],
)
def test_report_lost_refuses_bad_details_and_changes_nothing(
    client, family, stepped_up, body, field
):
    user, _child, passport, _child_pass = family
    headers = bearer(user)
    stepped_up(client, user, headers)
    if body and body.get("lost_on") == "in-the-future":
        body = body | {"lost_on": days_from_today(1).isoformat()}
    if body and body.get("lost_on") == "before-issue":
        body = body | {"lost_on": (passport.issued_on - dt.timedelta(days=1)).isoformat()}
    # when
    if body is None:  # no body at all
        response = client.post(f"{LIST}/{passport.pk}/report-lost", headers=headers)
    else:
        response = client.post(
            f"{LIST}/{passport.pk}/report-lost", body, content_type=JSON, headers=headers
        )
    # then a problem naming the field (no body at all: a bad request), and the document is
    # still valid
    refused = problem(response, 400 if body is None else 422)
    if field:
        assert field in [e["field"] for e in refused.get("errors", [])], refused
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VALID


def test_report_lost_refuses_malformed_json(client, family, stepped_up):
    user, _child, passport, _child_pass = family
    headers = bearer(user)
    stepped_up(client, user, headers)
    response = client.post(
        f"{LIST}/{passport.pk}/report-lost", "{not json", content_type=JSON, headers=headers
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith(PROBLEM)
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VALID


def test_the_report_lost_body_is_required_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    report = paths["/api/v1/me/documents/{document_id}/report-lost"]["post"]
    assert report["requestBody"]["required"] is True
