"""Nothing the accounts log holds a full mobile number or ID number (PIPL)."""

import logging
import re

import pytest
from django.test import Client

from persons.tests.factories import PersonFactory

from .factories import PASSWORD

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_no_full_phone_or_id_number_is_logged(caplog, committed, outbox, citizen):
    caplog.set_level(logging.DEBUG)
    person = PersonFactory(name_zh="张伟", phone_on_file="+8613955556666")
    client = Client()
    # given a journey through every kind of event
    with committed():
        client.post(
            "/api/v1/auth/otp", {"purpose": "register", "phone": "13912345678"}, content_type=JSON
        )
    for _attempt in range(6):
        client.post(
            "/api/v1/auth/login",
            {"phone": citizen.phone, "password": "wrong"},
            content_type=JSON,
            REMOTE_ADDR="10.3.3.3",
        )
    client.post(
        "/api/v1/auth/login", {"phone": citizen.phone, "password": PASSWORD}, content_type=JSON
    )
    with committed():
        client.post(
            "/api/v1/me/identity",
            {"name": "张伟", "id_number": person.id_number},
            content_type=JSON,
        )
    client.post(
        "/api/v1/me/identity/confirm",
        {"code": outbox.latest_code("+8613955556666")},
        content_type=JSON,
    )
    client.post(
        "/api/v1/auth/token",
        {"phone": citizen.phone, "password": PASSWORD, "device": "d"},
        content_type=JSON,
    )
    client.post("/api/v1/auth/logout", content_type=JSON)
    # then
    # (factory_boy's own debug records describe the test data, not what the site logs)
    text = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("factory"))
    assert "Sign-in event" in text and "lockout" in text and "bound" in text
    for number in ("13912345678", citizen.phone[3:], "13955556666", person.id_number):
        assert number not in text
    assert not re.search(r"1[3-9]\d{9}", text)
