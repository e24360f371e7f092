"""The staff API of applications: queue and filters, access-logged detail, actions, 409 with
the allowed actions, 404 outside the scope, bad input as problem+json, bulk production."""

import datetime as dt

import pytest

from applications.models import Application
from applications.tests.conftest import accept, staff_member, verified_client
from persons.tests.factories import MinorFactory
from staff.models import AccessAction, AccessLog, Role

pytestmark = pytest.mark.django_db
BASE = "/api/v1/staff/applications"
PROBLEM = "application/problem+json"


def problem(response, status, code=None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    if code:
        assert body["code"] == code, body
    return body


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def test_the_queue_writes_each_person_of_the_page_to_the_access_log(application, reviewer, citizen):
    # when the reviewer reads the queue through the API
    body = verified_client(reviewer).get(BASE).json()
    # then the person on the page is logged as listed, once
    assert body["count"] == 1
    listed = AccessLog.objects.filter(action=AccessAction.BACK_OFFICE_LIST)
    assert [(e.staff, e.person, e.reason) for e in listed] == [
        (reviewer, citizen.person, "applications queue")
    ]
    # and a page beyond the end shows nobody and logs nobody
    verified_client(reviewer).get(f"{BASE}?offset=50")
    assert listed.count() == 1


def test_a_reviewer_works_through_the_queue(application, reviewer, officer, citizen):
    client = verified_client(reviewer)
    # given the queue
    body = client.get(BASE).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["number"] == application.number and row["overdue"] is False
    assert "*" in row["id_number_masked"] and citizen.person.id_number not in str(body)
    assert [a["name"] for a in row["actions"]] == ["start_review"]
    # when the reviewer opens it: written to the access log
    detail = client.get(f"{BASE}/{application.number}").json()
    assert detail["timeline"][0]["action"] == "accept"
    assert AccessLog.objects.filter(
        staff=reviewer, person=citizen.person, action=AccessAction.VIEW_APPLICATION
    ).exists()
    # and takes it through review and production
    assert post(client, f"{BASE}/{application.number}/start-review").json()["assigned_to"] == (
        "reviewer"
    )
    assert post(client, f"{BASE}/{application.number}/approve").json()["status"] == "approved"
    results = post(client, f"{BASE}/production", {"numbers": [application.number]}).json()
    assert results == [{"number": application.number, "done": True, "code": "", "detail": ""}]
    produced = post(client, f"{BASE}/{application.number}/produce").json()
    assert produced["status"] == "produced" and produced["issued_document"].startswith("E")
    # then the hall officer makes it ready and hands it over
    hall = verified_client(officer)
    assert post(hall, f"{BASE}/{application.number}/ready").json()["status"] == "ready"
    wrong = post(
        hall, f"{BASE}/{application.number}/hand-over", {"id_number": "11010519491231002X"}
    )
    problem(wrong, 422, "identity_check_failed")
    done = post(
        hall,
        f"{BASE}/{application.number}/hand-over",
        {"id_number": citizen.person.id_number, "old_document_number": "E12345678"},
    ).json()
    assert done["status"] == "collected"
    assert done["timeline"][-1]["by"] == "officer"


def test_a_refused_action_is_409_with_the_allowed_ones(application, reviewer):
    client = verified_client(reviewer)
    body = problem(
        post(client, f"{BASE}/{application.number}/approve"),
        409,
        "application_transition_not_allowed",
    )
    assert body["allowed_actions"] == ["start_review"]
    assert "start_review" in body["detail"]


def test_double_submissions_are_one_step(application, reviewer):
    client = verified_client(reviewer)
    post(client, f"{BASE}/{application.number}/start-review")
    first = post(client, f"{BASE}/{application.number}/approve")
    second = post(client, f"{BASE}/{application.number}/approve")
    assert first.status_code == second.status_code == 200
    assert [s["action"] for s in second.json()["timeline"]].count("approve") == 1


def test_an_application_outside_the_scope_is_404(application, other_hall):
    stranger = staff_member(Role.REVIEWER, "far", halls=[other_hall])
    client = verified_client(stranger)
    problem(client.get(f"{BASE}/{application.number}"), 404, "application_not_found")
    problem(post(client, f"{BASE}/{application.number}/start-review"), 404)
    problem(post(client, f"{BASE}/{application.number}/reject"), 404)  # whatever the body
    problem(post(client, f"{BASE}/{application.number}/hand-over"), 404)
    assert client.get(BASE).json()["count"] == 0


def test_bad_input_is_problem_json(application, reviewer):
    client = verified_client(reviewer)
    post(client, f"{BASE}/{application.number}/start-review")
    problem(
        post(client, f"{BASE}/{application.number}/reject", {"reason_code": "photo"}),
        422,
        "reason_required",
    )
    problem(
        post(client, f"{BASE}/{application.number}/reject", {"text": "x" * 2000}),
        422,
        "validation_failed",
    )
    problem(
        post(
            client,
            f"{BASE}/{application.number}/reject",
            {"reason_code": "nonsense", "text": "Long enough text here"},
        ),
        422,
        "invalid_reason_code",
    )
    problem(client.get(BASE, {"due_by": "yesterday"}), 422, "validation_failed")
    problem(client.get(BASE, {"age": "old"}), 422, "validation_failed")
    raw = client.post(
        f"{BASE}/{application.number}/reject", "{not json", content_type="application/json"
    )
    assert raw.status_code in (400, 422) and raw["Content-Type"].startswith(PROBLEM)
    problem(post(client, f"{BASE}/production", {"numbers": []}), 422, "validation_failed")


def test_filters_and_the_supervisors_view(hall, officer, reviewer, supervisor, citizen):
    adult = accept(citizen.person, hall=hall, officer=officer)
    child = accept(MinorFactory(), hall=hall, officer=officer, document_type="hk_macao_pass")
    Application.objects.filter(pk=child.pk).update(due_on=dt.date(2020, 1, 2))
    client = verified_client(reviewer)

    def numbers(**query):
        return [r["number"] for r in client.get(BASE, query).json()["results"]]

    assert numbers(age="under_16") == [child.number]
    assert numbers(age="16_or_over") == [adult.number]
    assert numbers(document_type="passport") == [adult.number]
    assert numbers(overdue="true") == [child.number]
    assert numbers(due_by="2020-01-31") == [child.number]
    assert numbers(hall="440303-01") == [child.number, adult.number]
    assert client.get(BASE, {"overdue": "true"}).json()["results"][0]["working_days_late"] > 100
    # the supervisors see each officer's load; a reviewer may not
    problem(client.get(f"{BASE}/officers"), 403, "permission_denied")
    loads = verified_client(supervisor).get(f"{BASE}/officers").json()
    assert loads == [{"username": "", "open": 2, "overdue": 1}]


def test_staff_api_needs_a_verified_staff_session(client, application, citizen):
    problem(client.get(BASE), 401)
    client.force_login(citizen)
    problem(client.get(BASE), 403, "staff_verification_required")
