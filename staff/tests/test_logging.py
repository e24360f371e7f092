"""Nothing the staff side logs, or writes to the access log, holds a full ID number."""

import logging
import re

import pytest

from documents.tests.factories import PassportFactory
from persons.idnumbers import id_check_character
from persons.tests.factories import PersonFactory
from staff.models import AccessLog

from .conftest import verified_client
from .factories import totp_code

pytestmark = pytest.mark.django_db

REASON = "Checking {number} for application A2026-0001"
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def _full_id_numbers(text: str) -> list[str]:
    return [m for m in _CANDIDATE.findall(text) if id_check_character(m[:17]) == m[17].upper()]


def test_a_whole_staff_journey_logs_no_full_id_number(client, officer, supervisor, caplog):
    # given a person, and every log record captured
    caplog.set_level(logging.DEBUG)
    person = PersonFactory()
    PassportFactory(person=person)
    number = person.id_number
    reason = REASON.format(number=number)

    # when the officer signs in, looks up (badly, then well), opens, reveals
    client.post(
        "/staff/login/",
        {
            "username": "officer",
            "password": "staff-password-123",
            "otp_code": totp_code(officer.totpdevice_set.get()),
        },
    )
    wrong_check = number[:17] + ("1" if number[17] != "1" else "2")
    client.post("/staff/persons/lookup/", {"id_number": wrong_check, "reason": reason})
    client.post("/staff/persons/lookup/", {"id_number": "11010519491231002X", "reason": reason})
    client.post("/staff/persons/lookup/", {"id_number": number, "reason": reason})
    client.get(f"/staff/persons/{person.pk}/")
    client.post(f"/staff/persons/{person.pk}/reveal-id-number/")
    api = "/api/v1/staff/persons/lookup"
    client.post(api, {"id_number": number, "reason": reason}, content_type="application/json")
    client.post(api, {"id_number": number, "reason": "x"}, content_type="application/json")
    # and the supervisor searches the log by the number, on the page and the API
    boss = verified_client(supervisor)
    boss.post("/staff/access-log/", {"id_number": number})
    boss.get("/staff/access-log/", {"id_number": number})
    boss.get("/api/v1/staff/access-log", {"id_number": number})

    # then the journey happened
    assert AccessLog.objects.count() == 4
    # and no log record, nor any access log entry, holds the full number
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "staff" in logged  # the requests were logged
    assert not _full_id_numbers(logged)
    for row in AccessLog.objects.values():
        assert not _full_id_numbers(" ".join(str(v) for v in row.values()))
