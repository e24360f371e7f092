"""A lookup needs a real reason and is rate-limited; the access log's person filter shows
nobody outside the viewer's scope."""

import pytest

from persons.tests.factories import PersonFactory
from staff import services
from staff.models import AccessLog

from .conftest import verified_client
from .factories import AccessLogFactory

pytestmark = pytest.mark.django_db
REASON = "Application A2026-0001: checking the documents of the applicant"


@pytest.mark.parametrize("reason", ["xxxxxxxxxx", "1111111111", "ab ab ab ab ab", "..........!!"])
def test_a_reason_that_says_nothing_is_refused(officer, reason):
    person = PersonFactory()
    response = verified_client(officer).post(
        "/api/v1/staff/persons/lookup",
        {"id_number": person.id_number, "reason": reason},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] in {"reason_not_meaningful", "reason_too_short"}
    assert not AccessLog.objects.exists()


def test_a_chinese_reason_is_accepted():
    assert services.lookup_reason_clean("核对申请材料：护照换发") == "核对申请材料：护照换发"


def test_lookups_are_rate_limited(officer, settings):
    # given a limit of two lookups an hour
    settings.STAFF_LOOKUP_RATE = "2/3600"
    person = PersonFactory()
    client = verified_client(officer)

    def lookup():
        return client.post(
            "/api/v1/staff/persons/lookup",
            {"id_number": person.id_number, "reason": REASON},
            content_type="application/json",
        )

    assert lookup().status_code == 200
    assert lookup().status_code == 200
    # when a third comes / then 429 with Retry-After, and nothing read or logged
    refused = lookup()
    assert refused.status_code == 429
    assert refused.json()["code"] == "lookup_rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert AccessLog.objects.count() == 2


def test_the_person_filter_names_nobody_outside_the_viewers_scope(supervisor):
    # given a person nobody in the supervisor's scope looked at
    stranger = PersonFactory(name_pinyin="Zhang Mimi")
    AccessLogFactory(person=stranger)  # by staff elsewhere
    client = verified_client(supervisor)
    # when the supervisor filters the log by that person's record id, or ID number
    by_id = client.get("/staff/access-log/", {"person": stranger.pk})
    by_number = client.post("/staff/access-log/", {"id_number": stranger.id_number})
    # then the page neither names the person nor tells that they exist
    for page in (by_id, by_number):
        assert stranger.name_zh not in page.text
        assert "Zhang Mimi" not in page.text
    unknown = client.post("/staff/access-log/", {"id_number": "11010519491231002X"})
    assert _errors(unknown) == _errors(by_number)


def _errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get("id_number", [])]
