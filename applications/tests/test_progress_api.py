"""POST /api/v1/progress/lookup: no sign-in, one answer for "missing" and "not yours", every bad
input a problem+json (never a 500), and the limits with Retry-After."""

import datetime as dt
import json

import pytest

from persons.idnumbers import id_number_make
from persons.tests.factories import PersonFactory

from .accepted import accepted_application

pytestmark = pytest.mark.django_db
URL = "/api/v1/progress/lookup"
PROBLEM = "application/problem+json"
STRANGER_ID = id_number_make(area="110105", birth_date=dt.date(1970, 1, 1), sequence=999)


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.PROGRESS_LOOKUP_RATE_PER_ADDRESS = "1000/60"
    settings.PROGRESS_LOOKUP_RATE_PER_NUMBER = "1000/60"


def post(client, body, *, content_type="application/json", language="en", **extra):
    data = json.dumps(body) if isinstance(body, dict | list) else body
    return client.post(
        URL, data=data, content_type=content_type, headers={"accept-language": language}, **extra
    )


def problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["title"] and body["detail"]
    return body


@pytest.fixture
def applicant():
    return PersonFactory(name_zh="王建国", name_pinyin="Wang Jianguo")


@pytest.fixture
def application(applicant):
    return accepted_application(applicant, expected_on=dt.date(2026, 12, 18))


def test_the_applicant_gets_the_progress_without_signing_in(client, applicant, application):
    # when
    response = post(
        client, {"application_number": application.number, "id_number": applicant.id_number}
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["application_number"] == application.number
    assert body["name_masked"] == "Wang J."
    assert body["status"] == "accepted" and body["status_name"] == "Accepted at the hall"
    assert body["expected_date"] == "2026-12-18"
    assert body["stage"] and body["next_step"]
    assert body["document_type"] == "passport"
    assert body["updated_at"].endswith("+08:00")
    assert body["kind"] == "application"
    assert set(body) == {
        "application_number",
        "kind",
        "name_masked",
        "document_type",
        "document_type_name",
        "status",
        "status_name",
        "stage",
        "expected_date",
        "next_step",
        "updated_at",
    }
    assert applicant.id_number not in response.content.decode()
    assert "Jianguo" not in response.content.decode()


def test_chinese_readers_get_the_chinese_name_masked(client, applicant, application):
    response = post(
        client,
        {"application_number": application.number, "id_number": applicant.id_number},
        language="zh-Hans",
    )
    assert response.json()["name_masked"] == "王**"


def test_missing_and_not_matching_answer_alike(client, applicant, application):
    # given a number no application has
    missing = application.number[:6] + f"{(int(application.number[6:]) + 1) % 10**8:08d}"
    # when a stranger tries the real number, and the applicant's ID number a missing one
    wrong = post(client, {"application_number": application.number, "id_number": STRANGER_ID})
    absent = post(client, {"application_number": missing, "id_number": applicant.id_number})
    # then the answers are the same but for the request id
    bodies = [problem(r, 404, "progress_no_match") for r in (wrong, absent)]
    for body in bodies:
        body.pop("request_id")
    assert bodies[0] == bodies[1]
    assert sorted(wrong.headers) == sorted(absent.headers)


BAD_CHECK = STRANGER_ID[:17] + ("1" if STRANGER_ID[17] != "1" else "2")
NUMBER = "26112512345678"


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        ({"application_number": "12-34", "id_number": None}, "validation_failed", ["id_number"]),
        (
            {"application_number": "1234", "id_number": STRANGER_ID},
            "invalid_application_number",
            ["application_number"],
        ),
        (
            {"application_number": NUMBER, "id_number": BAD_CHECK},
            "invalid_id_number",
            ["id_number"],
        ),
        (
            {"application_number": "abc", "id_number": "123"},
            "validation_failed",
            ["application_number", "id_number"],
        ),
        ({"application_number": NUMBER}, "validation_failed", ["id_number"]),
        (
            {"application_number": "1" * 65, "id_number": STRANGER_ID},
            "validation_failed",
            ["application_number"],
        ),
        (
            {"application_number": int(NUMBER), "id_number": STRANGER_ID},
            "validation_failed",
            ["application_number"],
        ),
    ],
)
def test_bad_fields_are_named_with_a_message(client, body, code, fields):
    # when
    response = post(client, body)
    # then
    found = problem(response, 422, code)
    assert [error["field"] for error in found["errors"]] == fields
    assert all(error["message"] for error in found["errors"])


def test_a_wrong_check_character_is_explained(client):
    bad = STRANGER_ID[:17] + ("1" if STRANGER_ID[17] != "1" else "2")
    response = post(client, {"application_number": "26112512345678", "id_number": bad})
    assert "last character" in problem(response, 422, "invalid_id_number")["detail"]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "42"])
def test_a_body_that_is_not_an_object_is_refused(client, body):
    problem(post(client, body), 422, "validation_failed")


@pytest.mark.parametrize("body", ["{bad", " ", "\xff\xfe", '{"application_number": "1"'])
def test_a_body_that_is_not_json_is_refused(client, body):
    problem(post(client, body), 400, "invalid_json")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/xml"],
)
def test_other_content_types_are_refused(client, content_type):
    # given a body that would be valid JSON
    body = json.dumps({"application_number": "26112512345678", "id_number": STRANGER_ID})
    # when / then
    found = problem(post(client, body, content_type=content_type), 415, "unsupported_media_type")
    assert "application/json" in found["detail"]


def test_an_oversized_body_is_refused_unread(client):
    body = json.dumps({"application_number": "2" * 3_000_000, "id_number": STRANGER_ID})
    problem(post(client, body), 413, "payload_too_large")


def test_a_body_just_under_the_limit_is_read(client):
    # (padded with white space: the schema allows no other field)
    body = json.dumps({"application_number": "1234", "id_number": STRANGER_ID})
    body = body[:-1] + " " * 1900 + "}"
    assert 1900 < len(body) <= 2048
    problem(post(client, body), 422, "invalid_application_number")


def test_a_field_beyond_the_schema_is_refused(client):
    body = {"application_number": "1234", "id_number": STRANGER_ID, "pad": "x"}
    problem(post(client, json.dumps(body)), 422, "validation_failed")


def test_other_methods_are_refused(client):
    response = client.get(URL)
    problem(response, 405, "method_not_allowed")


def test_one_address_is_limited_with_retry_after(client, settings, applicant, application):
    # given a limit of 3 per address
    settings.PROGRESS_LOOKUP_RATE_PER_ADDRESS = "3/60"
    body = {"application_number": application.number, "id_number": applicant.id_number}
    for _attempt in range(3):
        assert post(client, body).status_code == 200
    # when
    response = post(client, body)
    # then
    problem(response, 429, "progress_lookup_rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    # and another address is still served
    assert post(client, body, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_one_number_is_limited_across_addresses(client, settings, applicant, application):
    # given a limit of 2 per application number, tried from two addresses with wrong ID numbers
    settings.PROGRESS_LOOKUP_RATE_PER_NUMBER = "2/600"
    guess = {"application_number": application.number, "id_number": STRANGER_ID}
    problem(post(client, guess, REMOTE_ADDR="198.51.100.1"), 404, "progress_no_match")
    problem(post(client, guess, REMOTE_ADDR="198.51.100.2"), 404, "progress_no_match")
    # when a third address tries, even with the right ID number
    right = guess | {"id_number": applicant.id_number}
    response = post(client, right, REMOTE_ADDR="198.51.100.3")
    # then
    problem(response, 429, "progress_lookup_rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 600


def test_the_openapi_document_describes_the_lookup(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/progress/lookup"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"application_number", "id_number"}
    assert {"200", "400", "404", "413", "415", "422", "429"} <= set(
        map(str, operation["responses"])
    )
    assert "security" not in operation


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_the_answer_is_its_schema_in_order(client, applicant, application, language):
    from applications.api import ProgressOut

    body = {"application_number": application.number, "id_number": applicant.id_number}
    response = post(client, body, language=language)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    answer = response.json()
    ProgressOut.model_validate(answer)
    assert list(answer) == list(ProgressOut.model_fields)
