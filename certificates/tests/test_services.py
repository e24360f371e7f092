import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from certificates import qr, services, signing
from certificates.errors import NoPassportRecords, PeriodInvalid, PersonNotFound
from certificates.models import Certificate, CertificateEvent, CertificateKind
from documents.tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db
VERIFY_URL = "https://example.test/verify/"


def issue_passport_record(user, **kwargs) -> Certificate:
    return services.certificate_request(
        user=user,
        person_id=user.person.pk,
        kind=CertificateKind.PASSPORT_ISSUANCE,
        verify_url=VERIFY_URL,
        **kwargs,
    )


def test_passport_issuance_record_is_signed_stored_and_digested(citizen):
    # given a citizen with one passport
    # when
    certificate = issue_passport_record(citizen)
    # then
    pdf = bytes(certificate.pdf)
    assert pdf.startswith(b"%PDF-")
    assert certificate.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert certificate.record_count == 1
    assert len(certificate.code) == 16
    assert certificate.signature_level == "PAdES-B-LT"
    check = signing.pdf_signature_check(pdf)
    assert check.problem is None, check
    assert check.modification_level == "lta_updates"
    assert CertificateEvent.objects.filter(certificate=certificate, kind="issued").exists()


def test_passport_record_refused_without_any_passport(db):
    # given
    user = CitizenFactory()
    # when / then
    with pytest.raises(NoPassportRecords):
        issue_passport_record(user)


def test_someone_elses_person_is_not_found(citizen):
    # given
    other = CitizenFactory()
    # when / then
    with pytest.raises(PersonNotFound):
        services.certificate_request(
            user=citizen,
            person_id=other.person.pk,
            kind=CertificateKind.PASSPORT_ISSUANCE,
            verify_url=VERIFY_URL,
        )


@pytest.mark.parametrize(
    "start_days, end_days",
    [(-3660, -1), (-10, -20), (-10, 1)],
    ids=["beyond-10-years", "start-after-end", "ends-in-future"],
)
def test_crossings_period_must_lie_within_the_last_10_years(citizen, start_days, end_days):
    # given
    today = timezone.localdate()
    # when / then
    with pytest.raises(PeriodInvalid):
        services.certificate_request(
            user=citizen,
            person_id=citizen.person.pk,
            kind=CertificateKind.CROSSINGS,
            period_start=today + dt.timedelta(days=start_days),
            period_end=today + dt.timedelta(days=end_days),
            purpose="Visa application",
            verify_url=VERIFY_URL,
        )


def test_qr_payload_carries_the_statement(citizen):
    # given
    certificate = issue_passport_record(citizen)
    payload = qr.certificate_payload(
        code=certificate.code,
        name_masked="王**",
        kind=certificate.kind,
        period=None,
        record_count=certificate.record_count,
        issued_at=certificate.issued_at,
        content_sha256=certificate.content_sha256,
    )
    # when
    statement = qr.payload_read(payload)
    # then
    assert statement.code == certificate.code
    assert statement.name_masked == "王**"
    assert statement.content_sha256 == certificate.content_sha256
