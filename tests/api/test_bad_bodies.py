"""Malformed and oversized bodies get problem+json with a 4xx, never a 500, on every write
endpoint of the published OpenAPI document: anonymous, as a citizen and as verified staff."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
_PARAM = re.compile(r"\{[^}]+\}")
TWENTY_MB = 20 * 1024 * 1024


def _writes(content_type: str = "") -> list[tuple[str, str]]:
    schema = Client().get("/api/v1/openapi.json").json()
    return sorted(
        (method.upper(), path)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in {"post", "put", "patch"}
        and "requestBody" in operation
        and (not content_type or content_type in operation["requestBody"]["content"])
    )


WRITES = _writes()
JSON_WRITES = _writes("application/json")


def _client(who: str) -> Client:
    client = Client()
    if who == "citizen":
        from accounts.tests.factories import BoundUserFactory

        client.force_login(BoundUserFactory())
    elif who == "staff":
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from staff.models import Role
        from staff.tests.factories import StaffRoleFactory

        role = StaffRoleFactory(role=Role.SUPERVISOR)
        device = TOTPDevice.objects.create(user=role.user, name="phone", confirmed=True)
        client.force_login(role.user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture(params=["anonymous", "citizen", "staff"])
def caller(request, settings) -> Client:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return _client(request.param)


def _who_may_call(path: str) -> str:
    if path.startswith("/api/v1/me"):
        return "citizen"
    return "staff" if path.startswith("/api/v1/staff") else "anonymous"


def test_there_are_write_endpoints():
    assert len(JSON_WRITES) > 10
    assert len(WRITES) > len(JSON_WRITES)  # and multipart ones (the hall's photo upload)


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_multipart_without_a_boundary_is_a_client_error(method, path, caller):
    # when a write comes as multipart/form-data without its boundary
    response = caller.generic(
        method, _PARAM.sub("1", path), data=b"--x\r\n", content_type="multipart/form-data"
    )
    # then a 4xx problem, not a 500
    assert 400 <= response.status_code < 500, (method, path, response.content[:300])
    assert response["Content-Type"].startswith(PROBLEM)


@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
def test_a_twenty_megabyte_body_is_too_large(method, path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # given a caller the endpoint lets through
    caller = _client(_who_may_call(path))
    # when a write carries a 20 MB JSON body
    body = b'{"x": "' + b"a" * TWENTY_MB + b'"}'
    url = _PARAM.sub("1", path)
    response = caller.generic(method, url, data=body, content_type="application/json")
    # then 413, as a problem
    assert response.status_code == 413, (method, path, response.content[:300])
    assert response["Content-Type"].startswith(PROBLEM)


def test_every_integer_parameter_is_bounded():
    # given the published document / then no integer parameter is unbounded (a huge id would
    # overflow the database driver instead of being refused)
    schema = Client().get("/api/v1/openapi.json").json()
    unbounded = [
        (path, parameter["name"])
        for path, methods in schema["paths"].items()
        for operation in methods.values()
        for parameter in operation.get("parameters", [])
        if parameter["schema"].get("type") == "integer" and "maximum" not in parameter["schema"]
    ]
    assert unbounded == []
