import datetime as dt
import hashlib
import re

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


def test_crossings_certificate_lists_the_period_s_records(citizen):
    # given two crossings in the period and one before it
    from crossings.tests.factories import CrossingFactory, PortFactory

    passport = citizen.person.documents.get()
    port = PortFactory(code="LUOHU", name_zh="罗湖口岸", name_en="Luohu")
    now = timezone.now()
    for days in (40, 20):
        CrossingFactory(document=passport, port=port, occurred_at=now - dt.timedelta(days=days))
    CrossingFactory(document=passport, port=port, occurred_at=now - dt.timedelta(days=400))
    today = timezone.localdate()
    # when
    certificate = services.certificate_request(
        user=citizen,
        person_id=citizen.person.pk,
        kind=CertificateKind.CROSSINGS,
        period_start=today - dt.timedelta(days=100),
        period_end=today,
        purpose="Visa application",
        verify_url=VERIFY_URL,
    )
    # then
    assert certificate.record_count == 2
    assert (certificate.period_start, certificate.period_end) == (
        today - dt.timedelta(days=100),
        today,
    )
    text = _pdf_text(bytes(certificate.pdf))
    assert "出入境记录证明" in text and "Entry/Exit Record Certificate" in text
    assert "罗湖口岸" in text and "香港 Hong Kong" in text
    assert certificate.code_display in text


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_embeds_the_cjk_font_as_a_subset_and_copies_as_text(citizen):
    # when
    pdf = bytes(issue_passport_record(citizen).pdf)
    # then
    assert b"/FontFile2" in pdf  # TrueType outlines embedded
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+WenQuanYi", pdf)  # a subset: AAAAAA+ prefix
    text = _pdf_text(pdf)
    assert "普通护照签发记录" in text and "E12345678" in text


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_revoking_at_once_revoke_once(citizen, supervisor):
    # given
    import threading

    from django.db import connection

    from certificates.errors import AlreadyRevoked
    from staff.models import Role
    from staff.tests.factories import StaffRoleFactory

    certificate = issue_passport_record(citizen)
    other = StaffRoleFactory(role=Role.SUPERVISOR).user
    outcomes, barrier = [], threading.Barrier(2)

    def revoke(staff):
        try:
            barrier.wait()
            services.certificate_revoke(
                staff=staff,
                code=certificate.code,
                reason="Issued on the wrong record, replaced",
                client_address=None,
            )
            outcomes.append("revoked")
        except AlreadyRevoked:
            outcomes.append("already")
        except Exception as error:  # SQLite: the second writer may find the database locked
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=revoke, args=(s,)) for s in (supervisor, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert outcomes.count("revoked") == 1, outcomes
    assert CertificateEvent.objects.filter(certificate=certificate, kind="revoked").count() == 1


def test_the_database_refuses_to_change_a_certificate_event(citizen):
    # given
    from django.db import DatabaseError, transaction

    certificate = issue_passport_record(citizen)
    # when / then
    with pytest.raises(DatabaseError), transaction.atomic():
        CertificateEvent.objects.filter(certificate=certificate).update(reason="rewritten")
