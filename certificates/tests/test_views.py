import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from certificates.models import Certificate
from staff.models import AccessLog, Role
from staff.tests.factories import StaffRoleFactory, TOTPDeviceFactory

pytestmark = pytest.mark.django_db


def verified_client(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


def test_citizen_asks_for_a_passport_record_on_the_page(client, citizen):
    # given
    client.force_login(citizen)
    # when
    response = client.post(
        "/certificates/",
        {"person": citizen.person.pk, "kind": "passport_issuance"},
        follow=True,
    )
    # then
    certificate = Certificate.objects.get()
    assert response.status_code == 200
    assert certificate.code_display in response.content.decode()
    download = client.get(f"/certificates/{certificate.pk}.pdf")
    assert download["Cache-Control"] == "no-store"
    assert download.content == bytes(certificate.pdf)


def test_a_period_beyond_10_years_is_explained_on_the_page(client, citizen):
    # given
    client.force_login(citizen)
    # when
    response = client.post(
        "/certificates/",
        {
            "person": citizen.person.pk,
            "kind": "crossings",
            "period_start": "2000-01-01",
            "period_end": "2001-01-01",
            "purpose": "Visa",
        },
    )
    # then
    assert response.status_code == 422
    assert "近10年内" in response.content.decode()
    assert not Certificate.objects.exists()


def test_another_citizen_cannot_download_it(client, issued):
    # given
    from documents.tests.factories import CitizenFactory

    client.force_login(CitizenFactory())
    # when / then
    assert client.get(f"/certificates/{issued.pk}.pdf").status_code == 404


def test_verification_page_by_file_code_and_qr(client, issued):
    # when
    by_file = client.post(
        "/verify/",
        {"file": SimpleUploadedFile("c.pdf", bytes(issued.pdf), "application/pdf")},
    )
    by_code = client.post("/verify/", {"code": issued.code_display})
    by_qr = client.post("/verify/", {"payload": "EEC1:NOT-A-PAYLOAD"})
    not_pdf = client.post("/verify/", {"file": SimpleUploadedFile("c.pdf", b"hello")})
    # then
    assert 'data-authentic="true"' in by_file.content.decode()
    assert 'data-authentic="true"' in by_code.content.decode()
    assert 'data-reason="malformed"' in by_qr.content.decode()
    assert not_pdf.status_code == 415


def test_supervisor_revokes_on_the_staff_page(issued):
    # given
    supervisor = StaffRoleFactory(role=Role.SUPERVISOR).user
    TOTPDeviceFactory(user=supervisor)
    client = verified_client(supervisor)
    # when
    response = client.post(
        "/staff/certificates/",
        {"code": issued.code, "reason": "Issued on the wrong record; replaced"},
        follow=True,
    )
    # then
    assert response.status_code == 200
    issued.refresh_from_db()
    assert issued.revoked_at is not None and issued.revoked_by == supervisor
    assert AccessLog.objects.filter(action="certificate_revoke", person=issued.person).exists()


def test_a_hall_officer_may_not_revoke(issued):
    # given
    officer = StaffRoleFactory(role=Role.HALL_OFFICER).user
    TOTPDeviceFactory(user=officer)
    # when
    response = verified_client(officer).post(
        "/staff/certificates/", {"code": issued.code, "reason": "Issued on the wrong record"}
    )
    # then
    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.revoked_at is None
