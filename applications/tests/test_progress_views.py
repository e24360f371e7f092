"""The progress lookup page (/progress/): a question page without sign-in, each refusal next to
its field, the same message for a missing application and a wrong ID number."""

import datetime as dt
import re

import pytest

from persons.idnumbers import id_number_make
from persons.tests.factories import PersonFactory

from .accepted import accepted_application

pytestmark = pytest.mark.django_db
URL = "/progress/"
STRANGER_ID = id_number_make(area="110105", birth_date=dt.date(1970, 1, 1), sequence=999)


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.PROGRESS_LOOKUP_RATE_PER_ADDRESS = "1000/60"
    settings.PROGRESS_LOOKUP_RATE_PER_NUMBER = "1000/60"


@pytest.fixture
def applicant():
    return PersonFactory(name_zh="王建国", name_pinyin="Wang Jianguo")


@pytest.fixture
def application(applicant):
    return accepted_application(applicant, expected_on=dt.date(2026, 12, 18))


def ask(client, number, id_number, language="en", **extra):
    return client.post(
        URL,
        {"application_number": number, "id_number": id_number},
        headers={"accept-language": language},
        **extra,
    )


def field_error(html: str, field: str) -> str:
    """The error message shown next to a field ('' if none)."""
    found = re.search(rf'id="id_{field}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("Error:", "").strip() if found else ""


def test_the_page_asks_for_the_number_and_the_id_number(client):
    # when
    response = client.get(URL, headers={"accept-language": "en"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="application_number"' in html and 'name="id_number"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "no-store" in response["Cache-Control"]


def test_the_receipts_link_fills_in_the_number(client):
    response = client.get(URL + "?number=26112512345678")
    assert 'value="26112512345678"' in response.content.decode()


def test_the_home_page_links_to_the_lookup(client):
    assert f'href="{URL}"' in client.get("/").content.decode()


def test_the_applicant_sees_the_progress(client, applicant, application):
    # when
    response = ask(client, application.number, applicant.id_number)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wang J." in html and "2026-12-18" in html and application.number in html
    assert "Accepted at the hall" in html
    assert "Jianguo" not in html and applicant.id_number not in html
    assert "no-store" in response["Cache-Control"]


def test_the_page_in_chinese(client, applicant, application):
    html = ask(client, application.number, applicant.id_number, language="zh-Hans").content
    text = html.decode()
    assert "王**" in text and "建国" not in text and "办理进度" in text


def test_missing_and_not_matching_look_the_same(client, applicant, application):
    # given a number that no application has
    missing = application.number[:6] + f"{(int(application.number[6:]) + 1) % 10**8:08d}"
    # when
    wrong = ask(client, application.number, STRANGER_ID)
    absent = ask(client, missing, applicant.id_number)
    # then the same status and the same message, next to the number
    assert wrong.status_code == absent.status_code == 404
    message = field_error(wrong.content.decode(), "application_number")
    assert message.startswith("No application matches")
    assert field_error(absent.content.decode(), "application_number") == message
    assert 'href="#id_application_number"' in wrong.content.decode()


@pytest.mark.parametrize(
    ("number", "id_number", "field", "words"),
    [
        ("12345", STRANGER_ID, "application_number", "14 digits"),
        ("26112512345678", STRANGER_ID[:17] + "Y", "id_number", "17 digits"),
        ("26112512345678", "11010519491231002", "id_number", "18 characters"),
        ("", STRANGER_ID, "application_number", "Enter the application number"),
        ("26112512345678", "", "id_number", "Enter the applicant's ID number"),
    ],
)
def test_bad_input_is_explained_next_to_its_field(client, number, id_number, field, words):
    # when
    response = ask(client, number, id_number)
    # then
    html = response.content.decode()
    assert response.status_code == 422
    assert words.replace("'", "&#x27;") in field_error(html, field)
    assert f'href="#id_{field}"' in html  # the error summary links to it
    assert 'aria-invalid="true"' in html


def test_a_wrong_check_character_says_so(client):
    bad = STRANGER_ID[:17] + ("1" if STRANGER_ID[17] != "1" else "2")
    html = ask(client, "26112512345678", bad).content.decode()
    assert "last character" in field_error(html, "id_number")


def test_too_many_attempts_are_refused_with_retry_after(client, settings, applicant, application):
    # given a limit of 2 per address
    settings.PROGRESS_LOOKUP_RATE_PER_ADDRESS = "2/60"
    for _attempt in range(2):
        assert ask(client, application.number, STRANGER_ID).status_code == 404
    # when
    response = ask(client, application.number, applicant.id_number)
    # then
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many attempts" in response.content.decode()


def test_other_methods_are_not_allowed(client):
    assert client.put(URL).status_code == 405
