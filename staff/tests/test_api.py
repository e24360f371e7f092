import re

import pytest
from django.test import Client

from documents.models import DocumentStatus
from documents.tests.factories import HkMacaoPassFactory, PassportFactory
from persons.tests.factories import GuardianshipFactory, PersonFactory
from staff.models import AccessLog, Role

from .conftest import verified_client
from .factories import AccessLogFactory, CitizenFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db

LOOKUP = "/api/v1/staff/persons/lookup"
LOG = "/api/v1/staff/access-log"
REASON = "Application A2026-0001: checking the documents"


@pytest.fixture
def person():
    person = PersonFactory(name_zh="李娜")
    PassportFactory(person=person, number="E12345678")
    HkMacaoPassFactory(person=person, number="C12345678", status=DocumentStatus.REPORTED_LOST)
    GuardianshipFactory(child=person, child__birth_date=person.birth_date)
    return person


def _post(client: Client, data: dict, **headers):
    return client.post(LOOKUP, data, content_type="application/json", **headers)


def _full_numbers(text: str) -> list[str]:
    return re.findall(r"(?<![0-9])\d{17}[0-9X](?![0-9])|[ECL]\d{8}", text)


# Who may call


def test_lookup_without_a_session_is_401(client, person):
    response = _post(client, {"id_number": person.id_number, "reason": REASON})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"


def test_a_citizen_gets_403_from_staff_endpoints(client, person):
    client.force_login(CitizenFactory())
    response = _post(client, {"id_number": person.id_number, "reason": REASON})
    assert response.status_code == 403
    assert response.json()["code"] == "staff_verification_required"
    assert client.get(LOG).status_code == 403


def test_staff_without_a_verified_device_get_403(client, officer, supervisor, person):
    client.force_login(officer)
    response = _post(client, {"id_number": person.id_number, "reason": REASON})
    assert response.status_code == 403
    assert response.json()["code"] == "staff_verification_required"
    client.force_login(supervisor)
    assert client.get(LOG).json()["code"] == "staff_verification_required"
    assert not AccessLog.objects.exists()


def test_bearer_tokens_are_not_accepted(client, person):
    response = _post(
        client, {"id_number": person.id_number, "reason": REASON}, HTTP_AUTHORIZATION="Bearer x.y"
    )
    assert response.status_code == 401


def test_lookup_needs_the_csrf_token_with_a_session(officer, person):
    # given a verified session in a client that enforces CSRF like a browser
    client = verified_client(officer)
    client.handler.enforce_csrf_checks = True

    # when
    response = _post(client, {"id_number": person.id_number, "reason": REASON})

    # then
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_an_administrator_may_not_look_up(administrator, person):
    response = _post(
        verified_client(administrator), {"id_number": person.id_number, "reason": REASON}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


# The lookup


def test_lookup_returns_the_masked_file_and_logs_once(officer, person):
    # when
    response = _post(
        verified_client(officer),
        {"id_number": person.id_number, "reason": REASON},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["person_id"] == person.pk
    assert body["name_zh"] == "李娜"
    assert body["id_number_masked"] == person.id_number[:1] + "*" * 16 + person.id_number[-1:]
    assert body["household_region"] == {"code": "440303", "name": "Luohu District"}
    assert {d["number_masked"]: d["status"] for d in body["documents"]} == {
        "E******78": "valid",
        "C******78": "reported_lost",
    }
    assert len(body["guardians"]) == 1
    assert not _full_numbers(response.text)
    entry = AccessLog.objects.get()
    assert body["access"] == {
        "id": entry.pk,
        "action": "lookup",
        "at": body["access"]["at"],
    }
    assert (entry.staff, entry.person, entry.reason) == (officer, person, REASON)
    assert entry.client_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("data", "status", "code", "field"),
    [
        (
            {"id_number": "110105194912310021", "reason": REASON},
            422,
            "invalid_id_number",
            "id_number",
        ),
        ({"id_number": "11010519491231002X", "reason": "short"}, 422, "reason_too_short", "reason"),
        ({"id_number": "11010519491231002X", "reason": "  "}, 422, "reason_required", "reason"),
        ({"id_number": "11010519491231002X"}, 422, "validation_failed", "reason"),
        ({"id_number": "11010519491231002X", "reason": REASON}, 404, "person_not_found", None),
    ],
)
def test_bad_lookups_are_problems_and_log_nothing(officer, data, status, code, field):
    response = _post(verified_client(officer), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    problem = response.json()
    assert problem["code"] == code
    if field:
        assert problem["errors"][0]["field"] == field
    assert not AccessLog.objects.exists()


def test_a_retried_lookup_is_logged_each_time(officer, person):
    client = verified_client(officer)
    for _ in range(2):
        _post(client, {"id_number": person.id_number, "reason": REASON})
    assert AccessLog.objects.count() == 2


# The access log


@pytest.fixture
def logged(officer, supervisor, person):
    AccessLogFactory(staff=officer, person=person, reason="Officer lookup for A2026-0001")
    outsider = StaffRoleFactory(role=Role.HALL_OFFICER, user__username="gz-officer").user
    AccessLogFactory(staff=outsider, reason="Outside the supervisor's region")
    return person


def test_the_access_log_needs_a_session(client):
    assert client.get(LOG).status_code == 401


def test_an_officer_may_not_read_the_access_log(officer):
    response = verified_client(officer).get(LOG)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_the_supervisor_reads_the_log_of_their_staff(supervisor, logged):
    response = verified_client(supervisor).get(LOG)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    entry = body["results"][0]
    assert entry["staff"] == "officer"
    assert entry["person_id_number_masked"] == (
        logged.id_number[:1] + "*" * 16 + logged.id_number[-1:]
    )
    assert entry["action"] == "lookup"
    assert entry["reason"] == "Officer lookup for A2026-0001"
    assert not _full_numbers(response.text)


def test_an_administrator_reads_everything(administrator, logged):
    assert verified_client(administrator).get(LOG).json()["count"] == 2


def test_the_access_log_filters(administrator, logged):
    client = verified_client(administrator)
    assert client.get(LOG, {"staff": "gz-officer"}).json()["count"] == 1
    assert client.get(LOG, {"id_number": logged.id_number}).json()["count"] == 1
    assert client.get(LOG, {"id_number": "11010519491231002X"}).json()["count"] == 0
    assert client.get(LOG, {"date_from": "2199-01-01"}).json()["count"] == 0


def test_the_access_log_pages(administrator, logged):
    body = verified_client(administrator).get(LOG, {"limit": 1}).json()
    assert body["count"] == 2
    assert len(body["results"]) == 1
    assert "offset=1" in body["next"]


def test_page_links_carry_the_person_id_not_the_id_number(administrator, logged):
    # given two entries about the person
    AccessLogFactory(person=logged)
    client = verified_client(administrator)

    # when the log is filtered by the full ID number, one per page
    body = client.get(LOG, {"id_number": logged.id_number, "limit": 1}).json()

    # then the next page's link names the person by record id
    assert body["count"] == 2
    assert logged.id_number not in body["next"]
    assert f"person_id={logged.pk}" in body["next"]
    following = client.get(body["next"]).json()
    assert following["count"] == 2
    assert following["previous"] and logged.id_number not in following["previous"]


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"id_number": "110105194912310021"}, "invalid_id_number", "id_number"),
        ({"date_from": "2026-10-02", "date_to": "2026-10-01"}, "invalid_date_range", "date_to"),
        ({"date_from": "soon"}, "validation_failed", "date_from"),
        ({"limit": 0}, "validation_failed", "limit"),
    ],
)
def test_bad_access_log_filters_are_422(supervisor, params, code, field):
    response = verified_client(supervisor).get(LOG, params)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["errors"][0]["field"] == field


def test_the_openapi_document_lists_the_staff_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    lookup, log = paths[LOOKUP]["post"], paths[LOG]["get"]
    # A request body that is not JSON is a 400 problem, so body-taking operations list it too.
    assert set(lookup["responses"]) == {"200", "400", "401", "403", "404", "422", "429"}
    assert set(log["responses"]) == {"200", "401", "403", "422"}
    assert "application/problem+json" in lookup["responses"]["403"]["content"]
    assert lookup["security"] == [{"StaffSessionAuth": []}]
