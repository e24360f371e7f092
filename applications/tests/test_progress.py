"""The progress lookup's service: what it answers, that a missing application and a wrong ID
number cannot be told apart (same queries, same comparison, same answer), and its limits."""

import datetime as dt
import hmac

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from applications import progress
from applications.models import ApplicationStatus
from applications.progress import ProgressError, application_number_parse, progress_lookup
from applications.selectors import application_outlook
from core.errors import Problem
from core.ratelimit import RateLimited
from persons.idnumbers import id_number_make
from persons.tests.factories import PersonFactory

from .accepted import accepted_application

pytestmark = pytest.mark.django_db

# A valid ID number that belongs to nobody in these tests.
STRANGER_ID = id_number_make(area="110105", birth_date=dt.date(1970, 1, 1), sequence=999)


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.PROGRESS_LOOKUP_RATE_PER_ADDRESS = "1000/60"
    settings.PROGRESS_LOOKUP_RATE_PER_NUMBER = "1000/60"


def _unused_number(number: str) -> str:
    """Another 14-digit number of the same day that no application has."""
    return number[:6] + f"{(int(number[6:]) + 1) % 10**8:08d}"


def lookup(number: str, id_number: str, address: str | None = "203.0.113.9"):
    return progress_lookup(application_number=number, id_number=id_number, client_address=address)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("26112512345678", "26112512345678"), (" 261125-1234 5678 ", "26112512345678")],
)
def test_application_numbers_ignore_spaces_and_hyphens(given, expected):
    assert application_number_parse(given) == expected


@pytest.mark.parametrize(
    "given", ["", "2611251234567", "261125123456789", "2611251234567X", "２６"]
)
def test_malformed_application_numbers_are_refused_with_the_field_named(given):
    with pytest.raises(Problem) as refused:
        application_number_parse(given)
    assert refused.value.status == 422
    assert refused.value.code == ProgressError.INVALID_APPLICATION_NUMBER
    assert refused.value.errors[0]["field"] == "application_number"


def test_the_applicant_sees_the_progress_and_a_masked_name():
    # given an application under review with an expected date
    person = PersonFactory(name_zh="王建国", name_pinyin="Wang Jianguo")
    application = accepted_application(person, expected_on=dt.date(2026, 12, 18))
    # when the applicant looks it up, in Chinese and in English
    with translation.override("zh-hans"):
        answer_zh = lookup(application.number, person.id_number)
    with translation.override("en"):
        answer_en = lookup(application.number.replace("", " ").strip(), person.id_number.lower())
    # then the answer is the workflow's outlook, with the name masked in each language
    outlook = application_outlook(application)
    assert answer_zh.application_number == answer_en.application_number == application.number
    assert answer_zh.name_masked == "王**" and answer_en.name_masked == "Wang J."
    assert answer_en.status == outlook.status == ApplicationStatus.ACCEPTED
    assert answer_en.expected_date == outlook.expected_date == dt.date(2026, 12, 18)
    with translation.override("en"):
        assert answer_en.stage_label == application_outlook(application).stage_label
        assert answer_en.next_step == application_outlook(application).next_step
    assert answer_en.status_name == "Accepted at the hall"
    assert answer_en.document_type == "passport"


def test_no_answer_holds_the_full_name_or_id_number():
    # given
    person = PersonFactory(name_zh="王建国", name_pinyin="Wang Jianguo")
    application = accepted_application(person)
    # when
    answer = lookup(application.number, person.id_number)
    # then
    text = repr(answer)
    assert "建国" not in text and "Jianguo" not in text and person.id_number not in text


def test_a_missing_application_and_a_wrong_id_number_give_one_answer():
    # given an application and a stranger's valid ID number
    person = PersonFactory()
    application = accepted_application(person)
    # when the stranger tries its number, and the applicant's ID number with a missing number
    with pytest.raises(Problem) as wrong_person:
        lookup(application.number, STRANGER_ID)
    with pytest.raises(Problem) as no_application:
        lookup(_unused_number(application.number), person.id_number)
    # then both get the same 404, code and text
    for refused in (wrong_person.value, no_application.value):
        assert refused.status == 404 and refused.code == ProgressError.NO_MATCH
    assert wrong_person.value.detail == no_application.value.detail
    assert type(wrong_person.value) is type(no_application.value)
    assert wrong_person.value.errors == no_application.value.errors == []


def test_both_cases_run_the_same_queries():
    # given
    person = PersonFactory()
    application = accepted_application(person)
    runs = {}
    # when each case is looked up with the queries recorded
    for case, (number, id_number) in {
        "wrong id number": (application.number, STRANGER_ID),
        "no application": (_unused_number(application.number), STRANGER_ID),
    }.items():
        with CaptureQueriesContext(connection) as queries, pytest.raises(Problem):
            lookup(number, id_number)
        runs[case] = [query["sql"].replace(number, "?") for query in queries.captured_queries]
    # then the same statement ran, one (the application and the endorsement application by the
    # number): the number is the only difference
    assert runs["wrong id number"] == runs["no application"]
    assert len(runs["no application"]) == 1


def test_both_cases_compare_in_constant_time_once(monkeypatch):
    # given a spy on the constant-time comparison
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(progress.hmac, "compare_digest", spy)
    person = PersonFactory()
    application = accepted_application(person)
    # when a wrong ID number and a missing application are tried
    with pytest.raises(Problem):
        lookup(application.number, STRANGER_ID)
    with pytest.raises(Problem):
        lookup(_unused_number(application.number), person.id_number)
    # then each compared 18 characters with 18 characters, once per kind of application
    # (document, endorsement)
    assert calls == [(18, 18)] * 4


def test_a_wrong_id_check_character_is_refused_before_any_lookup():
    # given a valid ID number with its last character changed
    person = PersonFactory()
    application = accepted_application(person)
    wrong = person.id_number[:17] + ("0" if person.id_number[17] != "0" else "1")
    # when
    with CaptureQueriesContext(connection) as queries, pytest.raises(Problem) as refused:
        lookup(application.number, wrong)
    # then it says what is wrong with the ID number, and nothing was read
    assert refused.value.status == 422 and refused.value.code == "invalid_id_number"
    assert refused.value.errors == [{"field": "id_number", "message": refused.value.detail}]
    assert queries.captured_queries == []


def test_both_fields_wrong_report_both():
    with pytest.raises(Problem) as refused:
        lookup("12345", "123")
    assert refused.value.code == "validation_failed"
    assert [e["field"] for e in refused.value.errors] == ["application_number", "id_number"]


def test_one_application_number_is_limited_whoever_asks(settings):
    # given a limit of 3 attempts per number, from addresses that are each under their limit
    settings.PROGRESS_LOOKUP_RATE_PER_NUMBER = "3/600"
    person = PersonFactory()
    application = accepted_application(person)
    for attempt in range(3):
        with pytest.raises(Problem) as refused:
            lookup(application.number, STRANGER_ID, address=f"198.51.100.{attempt}")
        assert refused.value.status == 404
    # when a fourth address tries, even with the right ID number
    with pytest.raises(RateLimited) as limited:
        lookup(application.number, person.id_number, address="198.51.100.200")
    # then it must wait; another number is not affected
    assert limited.value.status == 429 and limited.value.code == ProgressError.RATE_LIMITED
    assert 1 <= limited.value.retry_after <= 600
    with pytest.raises(Problem) as other:
        lookup(_unused_number(application.number), STRANGER_ID, address="198.51.100.201")
    assert other.value.status == 404


def test_one_address_is_limited_whatever_it_asks(settings):
    # given a limit of 2 attempts per address
    settings.PROGRESS_LOOKUP_RATE_PER_ADDRESS = "2/60"
    person = PersonFactory()
    application = accepted_application(person)
    lookup(application.number, person.id_number, address="192.0.2.1")
    with pytest.raises(Problem):
        lookup("bad", "bad", address="192.0.2.1")  # malformed attempts count too
    # when the same address asks again
    with pytest.raises(RateLimited) as limited:
        lookup(application.number, person.id_number, address="192.0.2.1")
    # then it is refused, and another address is not
    assert limited.value.retry_after >= 1
    assert lookup(application.number, person.id_number, address="192.0.2.2").status


def test_the_limits_are_settings(settings):
    # given no limits at all (0), as an operator may set for a load test
    settings.PROGRESS_LOOKUP_RATE_PER_ADDRESS = "0/60"
    settings.PROGRESS_LOOKUP_RATE_PER_NUMBER = "0/60"
    person = PersonFactory()
    application = accepted_application(person)
    # when / then
    for _attempt in range(30):
        assert lookup(application.number, person.id_number).application_number
