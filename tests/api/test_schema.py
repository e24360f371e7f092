"""schemathesis over the whole API as an anonymous caller, a citizen and a staff member: no
5xx, and every answer matches the published schema (status, content type, body)."""

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from exitentry.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
SETTINGS = settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def direct_wsgi(db, settings):
    """Requests go straight to the WSGI app, whose request signals would close the test's
    database connection in the middle of its transaction."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def citizen_headers(direct_wsgi):
    """A bound citizen with a passport, a minor and a bearer token."""
    from accounts.auth import token_hash, token_new_key
    from accounts.models import ApiToken
    from documents.tests.factories import CitizenFactory, PassportFactory
    from persons.tests.factories import GuardianshipFactory

    user = CitizenFactory()
    PassportFactory(person=user.person)
    GuardianshipFactory(guardian=user.person)
    prefix, secret, key = token_new_key()
    ApiToken.objects.create(
        user=user,
        name="schema test",
        prefix=prefix,
        key_hash=token_hash(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def staff_headers(direct_wsgi):
    """A supervisor signed in with a verified second factor: its session cookie and CSRF."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from staff.models import Role
    from staff.tests.factories import StaffRoleFactory

    role = StaffRoleFactory(role=Role.SUPERVISOR)
    device = TOTPDevice.objects.create(user=role.user, name="phone", confirmed=True)
    client = Client()
    client.force_login(role.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.get("/accounts/login/")
    csrf = client.cookies["csrftoken"].value
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}"
    # The test client connected the request signals again: off, for the direct WSGI calls.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    return {"Cookie": cookie, "X-CSRFToken": csrf}


@schema.include(path_regex="^/api/v1/(?!me|staff)").parametrize()
@SETTINGS
def test_public_endpoints_as_anonymous(case, direct_wsgi):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


@schema.include(path_regex="^/api/v1/me").parametrize()
@SETTINGS
def test_citizen_endpoints_as_a_citizen(case, citizen_headers):
    case.call_and_validate(headers=citizen_headers, excluded_checks=[positive_data_acceptance])


@schema.include(path_regex="^/api/v1/staff").parametrize()
@SETTINGS
def test_staff_endpoints_as_staff(case, staff_headers):
    case.call_and_validate(headers=staff_headers, excluded_checks=[positive_data_acceptance])


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/me/documents"])
def test_my_answers_match_their_schema(citizen_headers, path):
    # given a citizen with a document and a minor / then the whole answer matches the schema
    response = schema[path]["GET"].Case().call_and_validate(headers=citizen_headers)
    assert response.status_code == 200
