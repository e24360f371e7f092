import datetime as dt
import json

import pytest
from django.utils import timezone

from crossings import signing
from crossings.services import port_credential_create

from .factories import PortFactory

PATH = "/api/v1/border/crossings"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def port(db):
    return PortFactory(code="SZ-LUOHU")


@pytest.fixture
def credential(port):
    credential, secret = port_credential_create(port=port, label="gate system")
    return credential, secret


@pytest.fixture
def post_batch(client, credential):
    """post_batch(payload, *, key=None, body=None, timestamp=None, headers=None): a signed POST."""

    def post(payload=None, *, key=None, body=None, timestamp=None, headers=None, **extra):
        key_id, secret = key or (credential[0].key_id, credential[1])
        if body is None:
            body = json.dumps(payload, default=str).encode()
        signed = signing.signed_headers(
            key_id=key_id, secret=secret, method="POST", path=PATH, body=body, timestamp=timestamp
        )
        signed.update(headers or {})
        return client.generic(
            "POST",
            PATH,
            data=body,
            content_type=extra.pop("content_type", "application/json"),
            headers=signed,
            **extra,
        )

    return post


def event(document, *, event_id, direction="exit", when=None, destination="HKG", **changes):
    """One event as a port sends it."""
    when = when or timezone.now() - dt.timedelta(hours=1)
    return {
        "event_id": event_id,
        "occurred_at": when.isoformat(),
        "direction": direction,
        "document_type": document.type,
        "document_number": document.number,
        "id_number": document.person.id_number,
        "destination": destination,
        "vehicle": "",
    } | changes


@pytest.fixture
def citizen(db):
    from documents.tests.factories import CitizenFactory

    return CitizenFactory()


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client
