"""Who gets what, across every app: read from the published OpenAPI document, so a new
endpoint is covered the day it is added.

- every citizen endpoint (`/api/v1/me...`) answers 401 to an anonymous caller;
- every citizen endpoint with an object id answers 404 to a citizen who does not own it;
- every staff endpoint (`/api/v1/staff/...`) gives nothing to a citizen, nor to staff whose
  second factor is not verified.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
_PARAM = re.compile(r"\{[^}]+\}")


def operations(prefix: str) -> list[tuple[str, str]]:
    schema = Client().get("/api/v1/openapi.json").json()
    found = []
    for path, methods in schema["paths"].items():
        if path.startswith(prefix):
            found += [(method.upper(), path) for method in methods]
    return sorted(found)


def fill(path: str, value: str = "999999") -> str:
    return _PARAM.sub(value, path)


def call(client: Client, method: str, path: str, **headers):
    return client.generic(
        method, fill(path), data=b"{}", content_type="application/json", **headers
    )


CITIZEN_OPERATIONS = operations("/api/v1/me")
STAFF_OPERATIONS = operations("/api/v1/staff")


def test_the_matrix_has_endpoints_to_check():
    assert CITIZEN_OPERATIONS, "no /api/v1/me endpoints published"
    assert STAFF_OPERATIONS, "no /api/v1/staff endpoints published"


@pytest.mark.parametrize(("method", "path"), CITIZEN_OPERATIONS)
def test_citizen_endpoints_refuse_anonymous_callers(method, path):
    response = call(Client(), method, path)
    assert response.status_code == 401, (method, path, response.content[:300])
    assert response["Content-Type"].startswith(PROBLEM)


@pytest.mark.parametrize(("method", "path"), STAFF_OPERATIONS)
def test_staff_endpoints_refuse_anonymous_callers(method, path):
    response = call(Client(), method, path)
    assert response.status_code in {401, 403}, (method, path, response.content[:300])
    assert response["Content-Type"].startswith(PROBLEM)


# -- another citizen's objects: 404, exactly as if they did not exist -----------------------


def bearer_for(user) -> str:
    """A bearer token for `user` made the way the service makes them."""
    from accounts.auth import token_hash, token_new_key
    from accounts.models import ApiToken

    prefix, secret, key = token_new_key()
    ApiToken.objects.create(
        user=user,
        name="test device",
        prefix=prefix,
        key_hash=token_hash(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return key


@pytest.fixture
def owner_objects(settings):
    """Citizen A with a document and a device; returns the ids by path parameter name."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from decimal import Decimal

    from accounts.models import ApiToken
    from accounts.tests.factories import BoundUserFactory
    from applications.services import application_accept
    from appointments.models import AppointmentStatus, SlotWatch
    from appointments.tests.factories import AppointmentFactory
    from documents.tests.factories import PassportFactory
    from staff.tests.factories import StaffUserFactory

    owner = BoundUserFactory()
    document = PassportFactory(person=owner.person)
    bearer_for(owner)
    booked = AppointmentFactory(person=owner.person, booked_by=owner)
    accepted = application_accept(
        appointment=AppointmentFactory(
            person=owner.person,
            document_type="hk_macao_pass",
            status=AppointmentStatus.CHECKED_IN,
        ),
        officer=StaffUserFactory(),
        fee_amount=Decimal("60"),
    )
    alert = SlotWatch.objects.create(
        user=owner,
        hall=booked.hall,
        service=booked.service,
        date_from=booked.slot.date,
        date_to=booked.slot.date,
    )
    from notifications.services import notification_queue

    message = notification_queue(user=owner, kind="appointment_booked", subject="S", text="T")
    from certificates.models import Certificate

    certificate = Certificate.objects.create(
        code="ABCDEFGHIJKLMNOP",
        person=owner.person,
        requested_by=owner,
        kind="passport_issuance",
        issued_at=timezone.now(),
        record_count=1,
        pdf_sha256="0" * 64,
        content_sha256="0" * 64,
        pdf=b"%PDF-1.7",
        signature_level="PAdES-B-LT",
    )
    from documents.tests.factories import HkMacaoPassFactory
    from endorsements.tests.factories import EndorsementFactory

    endorsement = EndorsementFactory(
        document=HkMacaoPassFactory(person=owner.person), applied_by=owner, status="approved"
    )
    from accounts.models import KnownDevice

    device = KnownDevice.objects.create(
        user=owner, device_hash="0" * 64, kind="app", name="Zhang Wei's phone"
    )
    return {
        "device_id": str(device.pk),
        "certificate_id": str(certificate.pk),
        "endorsement_id": str(endorsement.pk),
        "notification_id": str(message.pk),
        "document_id": str(document.pk),
        "token_id": str(ApiToken.objects.get(user=owner).pk),
        "appointment_number": booked.number,
        "application_number": accepted.number,
        "alert_id": str(alert.pk),
    }


WITH_IDS = [(m, p) for m, p in CITIZEN_OPERATIONS if _PARAM.search(p)]


def test_the_matrix_covers_object_endpoints():
    assert WITH_IDS


# Endpoints whose body is required: a valid one, so that the answer is about the object.
VALID_BODIES = {
    "/api/v1/me/documents/{document_id}/report-lost": (
        b'{"lost_on": "2024-05-01", "place": "Shenzhen", "how": "lost"}'
    ),
}


@pytest.mark.parametrize(("method", "path"), WITH_IDS)
def test_another_citizens_object_is_not_found(method, path, owner_objects):
    from accounts.tests.factories import BoundUserFactory

    # given citizen B, signed in with a bearer token
    intruder = BoundUserFactory()
    key = bearer_for(intruder)
    # when B asks for A's object
    url = _PARAM.sub(lambda m: owner_objects[m.group(0)[1:-1]], path)
    response = Client().generic(
        method,
        url,
        data=VALID_BODIES.get(path, b"{}"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    # then it does not exist for B
    assert response.status_code == 404, (method, url, response.content[:300])
    assert response["Content-Type"].startswith(PROBLEM)


# -- staff endpoints: nothing for citizens, nothing without a verified second factor -------


@pytest.fixture
def unverified_staff_client(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from staff.models import Role
    from staff.tests.factories import StaffRoleFactory

    role = StaffRoleFactory(role=Role.SUPERVISOR)
    TOTPDevice.objects.create(user=role.user, name="phone", confirmed=True)
    client = Client()
    client.force_login(role.user)  # password only: the device is not verified in the session
    return client


@pytest.mark.parametrize(("method", "path"), STAFF_OPERATIONS)
def test_staff_endpoints_give_nothing_without_a_verified_second_factor(
    method, path, unverified_staff_client
):
    response = call(unverified_staff_client, method, path)
    assert response.status_code in {401, 403}, (method, path, response.content[:300])
    assert response["Content-Type"].startswith(PROBLEM)


@pytest.mark.parametrize(("method", "path"), STAFF_OPERATIONS)
def test_staff_endpoints_give_nothing_to_citizens(method, path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from accounts.tests.factories import BoundUserFactory

    citizen = BoundUserFactory()
    key = bearer_for(citizen)
    response = call(Client(), method, path, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code in {401, 403}, (method, path, response.content[:300])
    session = Client()
    session.force_login(citizen)
    assert call(session, method, path).status_code in {401, 403}
