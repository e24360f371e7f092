"""Property-based tests of the service guide API against its own OpenAPI document."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from exitentry.wsgi import application

from .factories import CalendarDayFactory, GuideFAQFactory, HallExceptionFactory, HallFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def guide_data(db):
    """A few halls with hours and exceptions, a calendar override and a guide with a FAQ."""
    # Requests go straight to the WSGI app, whose request signals would close the test's
    # database connection in the middle of its transaction (Django's test client avoids this
    # the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    luohu = HallFactory(code="LUOHU")
    HallFactory(code="FUTIAN", latitude=22.52, longitude=114.05)
    HallExceptionFactory(hall=luohu)
    CalendarDayFactory()
    GuideFAQFactory()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_guide_api_conforms_to_its_schema(case, guide_data):
    # when any generated request is sent, then no 5xx, and every answer matches the schema
    # (Cross-field rules, such as "radius_km needs near", are answered with a 422 problem that
    # the schema documents, so the "schema-valid data must be accepted" check does not apply.)
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


@pytest.mark.parametrize(
    ("path", "parameter"),
    [("/api/v1/halls/{code}", "code"), ("/api/v1/guides/{slug}", "slug")],
)
def test_existing_halls_and_guides_match_the_schema(guide_data, path, parameter):
    # given a hall and a guide that exist (generated codes and slugs almost never do)
    from guide.models import Guide

    value = "LUOHU" if parameter == "code" else Guide.objects.get().slug
    case = schema[path]["GET"].Case(path_parameters={parameter: value})
    # when / then: found, and the whole answer matches the schema
    response = case.call_and_validate()
    assert response.status_code == 200
