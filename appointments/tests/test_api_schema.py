"""Property-based tests of the appointments and applications API against its OpenAPI document."""

import datetime as dt
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from accounts.auth import token_hash, token_new_key
from accounts.models import ApiToken
from accounts.tests.factories import StaffUserFactory
from applications.services import application_accept
from appointments.models import AppointmentStatus, SlotWatch
from documents.tests.factories import CitizenFactory, PassportFactory
from exitentry.wsgi import application
from guide.tests.factories import HallFactory

from .factories import AppointmentFactory, SlotFactory, in_days

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    tag=["appointments", "applications"]
)


@pytest.fixture
def citizen_headers(db, settings):
    """A citizen with a passport, an appointment, an application and a seat alert, at a hall
    with free times; returns the headers of their bearer token."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Requests go straight to the WSGI app, whose request signals would close the test's
    # database connection in the middle of its transaction (see guide/tests/test_api_schema.py).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    hall = HallFactory(code="LUOHU")
    for day in (3, 4):
        SlotFactory(hall=hall, starts_at=in_days(day))
    user = CitizenFactory()
    PassportFactory(person=user.person)
    booked = AppointmentFactory(
        person=user.person, booked_by=user, slot__hall=hall, slot__starts_at=in_days(5)
    )
    application_accept(
        appointment=AppointmentFactory(
            person=user.person, document_type="hk_macao_pass", status=AppointmentStatus.CHECKED_IN
        ),
        officer=StaffUserFactory(),
        fee_amount=Decimal("80"),
    )
    SlotWatch.objects.create(
        user=user,
        hall=hall,
        service=booked.service,
        date_from=booked.slot.date,
        date_to=booked.slot.date,
    )
    prefix, secret, key = token_new_key()
    ApiToken.objects.create(
        user=user,
        name="schema test",
        prefix=prefix,
        key_hash=token_hash(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    yield {"Authorization": f"Bearer {key}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_appointments_api_conforms_to_its_schema(case, citizen_headers):
    # when any generated request is sent by a signed-in citizen, then no 5xx, and every answer
    # matches the schema. (Schema-valid requests are often refused with a documented 4xx: an
    # unknown number or time is a 404, answers that do not fit the person's documents a 422, a
    # full time a 409, so the "schema-valid data must be accepted" check does not apply.)
    case.call_and_validate(headers=citizen_headers, excluded_checks=[positive_data_acceptance])
