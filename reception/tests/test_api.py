import re

import pytest
from django.test import Client

from applications.models import Application
from appointments.selectors import appointment_checkin_code
from documents.tests.factories import CitizenFactory, PassportFactory
from persons.tests.factories import PersonFactory
from reception.models import Reception
from staff.models import AccessAction, AccessLog, Role

from .conftest import (
    appointment_at,
    image_bytes,
    now_slot_start,
    staff_member,
    upload,
    verified_client,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/staff/reception"
PROBLEM = "application/problem+json"


def post(client: Client, path: str, data: dict | None = None):
    return client.post(f"{BASE}/{path}", data or {}, content_type="application/json")


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code, body
    return body


def _full_id_numbers(text: str) -> list[str]:
    return re.findall(r"(?<![0-9])\d{17}[0-9X](?![0-9])", text)


@pytest.fixture
def api(officer):
    return verified_client(officer)


def check_in(api: Client, appointment) -> dict:
    response = post(api, "check-in", {"code": appointment.number})
    assert response.status_code == 201, response.content
    return response.json()


# Who may call


def test_no_session_is_401(appointment_now):
    problem(Client().get(f"{BASE}/today"), 401, "not_authenticated")
    problem(post(Client(), "check-in", {"code": appointment_now.number}), 401, "not_authenticated")


def test_citizens_and_unverified_staff_get_403(officer, appointment_now):
    citizen = Client()
    citizen.force_login(CitizenFactory())
    unverified = Client()
    unverified.force_login(officer)
    for client in (citizen, unverified):
        problem(client.get(f"{BASE}/today"), 403, "staff_verification_required")
        response = post(client, "check-in", {"code": appointment_now.number})
        problem(response, 403, "staff_verification_required")
    assert not Reception.objects.exists()


def test_staff_without_hall_service_get_403(hall, appointment_now):
    reviewer = verified_client(staff_member(Role.REVIEWER, halls=[hall]))
    problem(reviewer.get(f"{BASE}/today"), 403, "permission_denied")
    problem(post(reviewer, "check-in", {"code": appointment_now.number}), 403, "permission_denied")


def test_an_officer_of_another_hall_gets_404(officer, other_officer, appointment_now):
    other = verified_client(other_officer)
    problem(post(other, "check-in", {"code": appointment_now.number}), 404, "appointment_not_found")
    check_in(verified_client(officer), appointment_now)
    number = appointment_now.number
    problem(other.get(f"{BASE}/{number}"), 404, "appointment_not_found")
    problem(
        post(other, f"{number}/fingerprints", {"confirmed": True}), 404, "appointment_not_found"
    )
    problem(other.get(f"{BASE}/{number}/photo"), 404, "appointment_not_found")
    problem(other.get(f"{BASE}/today?hall={appointment_now.hall.code}"), 404, "hall_not_found")


def test_writes_need_the_csrf_token(officer, appointment_now):
    client = verified_client(officer)
    client.handler.enforce_csrf_checks = True
    response = post(client, "check-in", {"code": appointment_now.number})
    assert response.status_code == 403
    assert not Reception.objects.exists()


# Today's list


def test_todays_list_masks_id_numbers_and_pins_its_queries(
    api, hall, guide, appointment_now, django_assert_max_num_queries
):
    # given three more appointments today, one checked in
    for minutes in (0, 1, 2):
        appointment_at(hall, now_slot_start().replace(second=minutes))
    check_in(api, appointment_now)
    # when (session, user, device, roles, the scope, the hall, the rows: never one per row)
    with django_assert_max_num_queries(9):
        response = api.get(f"{BASE}/today?limit=2")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
    assert body["hall"]["code"] == hall.code
    assert not _full_id_numbers(response.text)
    row = next(r for r in api.get(f"{BASE}/today").json()["results"] if r["queue_number"])
    assert row["number"] == appointment_now.number and row["queue_display"] == "A001"
    assert row["status"] == "checked_in"


# Check-in and the steps


def test_check_in_by_qr_code_then_twice_is_409(api, appointment_now):
    body = check_in_by(api, appointment_checkin_code(appointment_now))
    assert body["queue_number"] == 1 and body["status"] == "checked_in"
    assert body["materials"]["items"] == ["居民身份证", "原护照"]
    assert body["steps_missing"] == ["materials", "fingerprints", "photo", "fee"]
    assert body["fee"]["amount_due"] == "120.00"
    problem(post(api, "check-in", {"code": appointment_now.number}), 409, "already_checked_in")


def check_in_by(api: Client, code: str) -> dict:
    response = post(api, "check-in", {"code": code})
    assert response.status_code == 201, response.content
    return response.json()


def test_unknown_and_malformed_numbers(api, hall):
    problem(post(api, "check-in", {"code": "ABCD-2345-EFGH"}), 404, "appointment_not_found")
    body = problem(post(api, "check-in", {"code": "nope"}), 422, "invalid_checkin_code")
    assert body["errors"][0]["field"] == "code"


def test_the_whole_visit_through_the_api(api, officer, appointment_now):
    # given
    number = appointment_now.number
    check_in(api, appointment_now)
    # when every step is recorded
    assert post(api, f"{number}/materials", {"checked": [0, 1]}).status_code == 200
    assert post(api, f"{number}/fingerprints", {"confirmed": True}).status_code == 200
    photo = upload(image_bytes(fmt="PNG"), name="p.png", content_type="image/png")
    response = api.post(f"{BASE}/{number}/photo", {"photo": photo})
    assert response.status_code == 200, response.content
    assert response.json()["photo"]["url"].endswith(f"/api/v1/staff/reception/{number}/photo")
    response = post(api, f"{number}/fee", {"method": "card", "receipt_number": "R-77"})
    assert response.status_code == 200
    body = response.json()
    assert body["fee"]["amount"] == "120.00" and body["fee"]["by"] == officer.username
    assert body["steps_missing"] == []
    # and accepted
    response = post(api, f"{number}/accept")
    # then
    assert response.status_code == 201, response.content
    application = Application.objects.get()
    assert response.json() == {
        "application_number": application.number,
        "appointment_number": number,
        "fee_amount": "120.00",
        "status": "accepted",
    }
    assert api.get(f"{BASE}/{number}").json()["application_number"] == application.number


def test_accept_with_steps_missing_is_409(api, appointment_now):
    check_in(api, appointment_now)
    body = problem(post(api, f"{appointment_now.number}/accept"), 409, "reception_steps_missing")
    assert body["missing"] == ["materials", "fingerprints", "photo", "fee"]


def test_a_step_twice_is_409(api, appointment_now):
    check_in(api, appointment_now)
    path = f"{appointment_now.number}/fingerprints"
    assert post(api, path, {"confirmed": True}).status_code == 200
    problem(post(api, path, {"confirmed": True}), 409, "step_already_done")


def test_a_fake_photo_is_422(api, appointment_now):
    check_in(api, appointment_now)
    fake = upload(b"GIF89a? no, plain text", name="photo.jpg")
    response = api.post(f"{BASE}/{appointment_now.number}/photo", {"photo": fake})
    body = problem(response, 422, "photo_not_an_image")
    assert body["errors"] == [{"field": "photo", "message": body["detail"]}]


def test_an_oversized_photo_is_422(api, appointment_now, settings):
    settings.RECEPTION_PHOTO_MAX_BYTES = 5000
    check_in(api, appointment_now)
    big = upload(image_bytes(fmt="PNG", quality=100) + b"\0" * 6000, name="photo.png")
    response = api.post(f"{BASE}/{appointment_now.number}/photo", {"photo": big})
    problem(response, 422, "photo_too_large")


def test_a_bad_payment_method_is_422(api, appointment_now):
    check_in(api, appointment_now)
    response = post(
        api, f"{appointment_now.number}/fee", {"method": "gold", "receipt_number": "R1"}
    )
    problem(response, 422, "validation_failed")


def test_not_accepted_needs_a_reason(api, appointment_now):
    check_in(api, appointment_now)
    path = f"{appointment_now.number}/not-accepted"
    problem(post(api, path, {"reason": "no"}), 422, "reason_required")
    response = post(api, path, {"reason": "The current passport was not brought."})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "not_accepted"
    assert body["status_note"] == "The current passport was not brought."


def test_reading_the_photo_is_logged(api, officer, appointment_now):
    check_in(api, appointment_now)
    number = appointment_now.number
    problem(api.get(f"{BASE}/{number}/photo"), 404, "photo_not_taken")
    api.post(f"{BASE}/{number}/photo", {"photo": upload(image_bytes())})
    response = api.get(f"{BASE}/{number}/photo")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    entry = AccessLog.objects.get()
    assert (entry.staff, entry.action) == (officer, AccessAction.VIEW_PERSON)


# Walk-ins


def test_a_walk_in_through_the_api_is_logged_and_checked_in(api, officer, hall, guide):
    person = PersonFactory()
    PassportFactory(person=person)
    response = post(
        api,
        "walk-ins",
        {
            "hall": hall.code,
            "id_number": person.id_number,
            "document_type": "passport",
            "kind": "renewal",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["walk_in"] and body["queue_number"] == 1
    assert body["person"]["name_zh"] == person.name_zh
    assert not _full_id_numbers(response.text)
    entry = AccessLog.objects.get()
    assert entry.reason == f"walk-in at {hall.name_zh} ({hall.code})"


def test_a_refused_walk_in_still_keeps_the_lookup_in_the_log(api, hall):
    person = PersonFactory()  # no passport: a renewal does not fit
    response = post(
        api,
        "walk-ins",
        {
            "hall": hall.code,
            "id_number": person.id_number,
            "document_type": "passport",
            "kind": "renewal",
        },
    )
    problem(response, 422, "application_kind_does_not_fit")
    assert AccessLog.objects.get().person == person
    assert not Reception.objects.exists()


def test_a_walk_in_at_a_hall_outside_the_scope_is_404_and_not_logged(api, other_hall):
    person = PersonFactory()
    response = post(
        api,
        "walk-ins",
        {
            "hall": other_hall.code,
            "id_number": person.id_number,
            "document_type": "passport",
            "kind": "first",
        },
    )
    problem(response, 404, "hall_not_found")
    assert not AccessLog.objects.exists()


def test_the_openapi_document_lists_the_reception(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/staff/reception/check-in" in schema["paths"]
    upload_op = schema["paths"]["/api/v1/staff/reception/{number}/photo"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert PROBLEM in upload_op["responses"]["422"]["content"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("check-in", {}),
        ("check-in", {"code": "x" * 101}),
        ("check-in", {"code": 12}),
        ("{n}/materials", {"checked": ["first"]}),
        ("{n}/materials", {"checked": [True, -1]}),
        ("{n}/fingerprints", {"confirmed": "maybe"}),
        ("{n}/fee", {"method": "cash"}),
        ("{n}/not-accepted", {"reason": None}),
        ("walk-ins", {"hall": "x", "id_number": "1"}),
        ("walk-ins", {"hall": "440303-01", "id_number": "123", "document_type": "x", "kind": "y"}),
        ("ABCD%002345EFGH/fingerprints", {"confirmed": True}),
    ],
)
def test_bad_input_is_a_problem_never_a_500(api, appointment_now, path, body):
    check_in(api, appointment_now)
    response = post(api, path.format(n=appointment_now.number), body)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == PROBLEM


def test_an_upload_without_a_file_is_422(api, appointment_now):
    check_in(api, appointment_now)
    response = api.post(f"{BASE}/{appointment_now.number}/photo", {})
    problem(response, 422, "validation_failed")


def test_materials_not_applicable_through_the_api(api, appointment_now):
    number = appointment_now.number
    check_in_by(api, appointment_now.number)
    # a reason given twice for one item is refused, as is an item both shown and not applicable
    twice = {"checked": [0], "not_applicable": [{"position": 1, "reason": "a"}] * 2}
    problem(post(api, f"{number}/materials", twice), 422, "materials_incomplete")
    both = {"checked": [0, 1], "not_applicable": [{"position": 1, "reason": "a"}]}
    problem(post(api, f"{number}/materials", both), 422, "materials_incomplete")
    # with a reason, the step is done and the reason reads back
    done = {"checked": [0], "not_applicable": [{"position": 1, "reason": "first passport"}]}
    assert post(api, f"{number}/materials", done).status_code == 200
    body = api.get(f"{BASE}/{number}").json()
    assert body["materials"]["not_applicable"] == [{"item": "原护照", "reason": "first passport"}]
