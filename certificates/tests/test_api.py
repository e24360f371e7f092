import datetime as dt
import io
import zlib

import base45
import cwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cwt import COSEKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from certificates import qr, services
from certificates.models import Certificate, CertificateKind
from documents.tests.factories import CitizenFactory
from staff.models import AccessLog

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
VERIFY = "/api/v1/verify"
VERIFY_QR = "/api/v1/verify/qr"


def problem(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    if code:
        assert body["code"] == code, body
    return body


def upload(client, data: bytes, **fields):
    file = SimpleUploadedFile("certificate.pdf", data, content_type="application/pdf")
    return client.post(VERIFY, {"file": file, **fields})


def appended_edit(pdf: bytes) -> bytes:
    """`pdf` with an incremental update that writes "FORGED" on its page, as an editor would."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (FORGED) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_citizen_asks_for_a_certificate_lists_and_downloads_it(client, citizen):
    # given
    client.force_login(citizen)
    # when
    created = client.post(
        "/api/v1/me/certificates",
        {"person_id": citizen.person.pk, "kind": "passport_issuance"},
        content_type="application/json",
    )
    # then
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["record_count"] == 1 and body["signature_level"] == "PAdES-B-LT"
    listed = client.get("/api/v1/me/certificates").json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    pdf = client.get(f"/api/v1/me/certificates/{body['id']}.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "no-store"
    assert pdf.content == bytes(Certificate.objects.get().pdf)


def test_someone_elses_certificate_is_not_found(client, issued):
    # given
    other = CitizenFactory()
    client.force_login(other)
    # when
    response = client.get(f"/api/v1/me/certificates/{issued.pk}.pdf")
    # then
    problem(response, 404, "certificate_not_found")


def test_period_beyond_10_years_is_a_clear_problem(client, citizen):
    # given
    client.force_login(citizen)
    today = timezone.localdate()
    # when
    response = client.post(
        "/api/v1/me/certificates",
        {
            "person_id": citizen.person.pk,
            "kind": "crossings",
            "period_start": str(today - dt.timedelta(days=3700)),
            "period_end": str(today),
            "purpose": "Visa application",
        },
        content_type="application/json",
    )
    # then
    problem(response, 422, "period_invalid")


def test_the_issued_file_is_authentic(client, issued):
    # when
    body = upload(client, bytes(issued.pdf)).json()
    # then
    assert body["authentic"] is True, body
    assert body["certificate"]["code"] == issued.code_display
    assert body["certificate"]["holder_masked"] == "王**"
    assert body["checks"]["modification_level"] == "lta_updates"


def test_a_changed_byte_is_not_authentic(client, issued):
    # given one byte of the signed content changed
    pdf = bytearray(issued.pdf)
    at = bytes(pdf).index(b"/Producer") + 3
    pdf[at] = ord("X") if pdf[at] != ord("X") else ord("Y")
    # when
    body = upload(client, bytes(pdf)).json()
    # then
    assert body["authentic"] is False
    assert body["reason"] == "altered", body


def test_an_appended_edit_is_not_authentic(client, issued):
    # when
    body = upload(client, appended_edit(bytes(issued.pdf))).json()
    # then
    assert body["authentic"] is False
    assert body["reason"] == "appended_edit", body
    assert body["message"] == "未通过核验：文件在签名后被追加了修改。"


def test_a_truncated_file_is_not_authentic(client, issued):
    # when
    body = upload(client, bytes(issued.pdf)[:5000]).json()
    # then
    assert body["authentic"] is False
    assert body["reason"] in {"unreadable", "altered", "unsigned"}, body


def test_a_non_pdf_upload_is_refused(client):
    # when
    response = upload(client, b"GIF89a not a pdf")
    # then
    problem(response, 415, "upload_not_pdf")


def test_an_oversized_upload_is_refused(client, settings):
    # given
    settings.CERTIFICATES_UPLOAD_MAX_BYTES = 1000
    # when
    response = upload(client, b"%PDF-1.7\n" + b"0" * 2000)
    # then
    problem(response, 413, "upload_too_large")


def test_code_alone_says_what_was_issued(client, issued):
    # when
    body = client.post(VERIFY, {"code": issued.code_display.lower()}).json()
    # then
    assert body["authentic"] is True
    assert body["certificate"]["record_count"] == 1


def test_unknown_and_malformed_codes(client, issued):
    # when
    unknown = client.post(VERIFY, {"code": "AAAA-BBBB-CCCC-DDDD"}).json()
    malformed = client.post(VERIFY, {"code": "hello"})
    nothing = client.post(VERIFY, {})
    # then
    assert unknown["authentic"] is False and unknown["reason"] == "unknown_code"
    problem(malformed, 422, "code_invalid")
    problem(nothing, 422, "nothing_to_verify")


def test_file_of_another_certificate_than_the_code(client, issued, citizen):
    # given
    other = services.certificate_request(
        user=citizen,
        person_id=citizen.person.pk,
        kind=CertificateKind.PASSPORT_ISSUANCE,
        verify_url="https://example.test/verify/",
    )
    # when
    body = upload(client, bytes(issued.pdf), code=other.code).json()
    # then
    assert body["reason"] == "code_mismatch"


def _qr_of(certificate: Certificate) -> str:
    return qr.certificate_payload(
        code=certificate.code,
        name_masked="王**",
        kind=certificate.kind,
        period=None,
        record_count=certificate.record_count,
        issued_at=certificate.issued_at,
        content_sha256=certificate.content_sha256,
    )


def test_qr_payload_verifies_offline_with_only_the_published_keys(client, issued):
    # given only what GET /trust/keys publishes
    keys = client.get("/api/v1/trust/keys").json()
    published = [
        COSEKey.from_pem(k["public_key_pem"].encode(), alg="ES256", kid=k["kid"])
        for k in keys["qr_keys"]
    ]
    cose_key = COSEKey.new(
        __import__("cbor2").loads(
            __import__("base64").urlsafe_b64decode(keys["qr_keys"][0]["cose_key"] + "==")
        )
    )
    payload = _qr_of(issued)
    # when (offline: no database, no server)
    statement = qr.payload_read(payload, public_keys=published)
    from_cose_key = qr.payload_read(payload, public_keys=[cose_key])
    # then
    assert statement.code == issued.code
    assert statement.content_sha256 == issued.content_sha256
    assert from_cose_key.record_count == 1
    # and online
    assert client.post(VERIFY_QR, {"payload": payload}, "application/json").json()["authentic"]


def test_qr_payload_signed_by_another_key_is_refused(client, issued):
    # given a payload signed with a key that is not published, under our kid
    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    forged_key = COSEKey.from_pem(pem, alg="ES256", kid=qr.cose_keys().kid)
    claims = {1: qr.ISSUER, 6: 1_800_000_000, qr.CLAIM_CERTIFICATE: {"c": issued.code}}
    forged = qr.PREFIX + base45.b45encode(zlib.compress(cwt.encode(claims, forged_key))).decode()
    # when
    body = client.post(VERIFY_QR, {"payload": forged}, "application/json").json()
    # then
    assert body["authentic"] is False and body["reason"] == "bad_signature"
    with pytest.raises(qr.PayloadInvalid):
        qr.payload_read(forged, public_keys=[qr.cose_keys().public])


@pytest.mark.parametrize("payload", ["EEC1:!!!", "EEC1:" + "A" * 30, "hello", "EEC1:"])
def test_malformed_qr_payloads_are_not_authentic(client, payload):
    # when
    body = client.post(VERIFY_QR, {"payload": payload}, "application/json").json()
    # then
    assert body["authentic"] is False and body["reason"] == "malformed"


def test_revoked_certificate_verifies_as_revoked_and_is_on_the_signed_list(
    client, issued, supervisor
):
    # when
    services.certificate_revoke(
        staff=supervisor,
        code=issued.code,
        reason="Issued on a wrong record, replaced",
        client_address="10.0.0.1",
    )
    # then
    body = upload(client, bytes(issued.pdf)).json()
    assert body["authentic"] is False and body["revoked"] is True and body["reason"] == "revoked"
    keys = client.get("/api/v1/trust/keys").json()
    published = [
        COSEKey.from_pem(
            keys["qr_keys"][0]["public_key_pem"].encode(),
            alg="ES256",
            kid=keys["qr_keys"][0]["kid"],
        )
    ]
    issued_at, codes = qr.revocation_list_read(
        keys["revocation_list"]["token"], public_keys=published
    )
    assert codes == [issued.code]
    assert abs((issued_at - timezone.now()).total_seconds()) < 60
    assert AccessLog.objects.filter(staff=supervisor, action="certificate_revoke").count() == 1


def test_staff_revoke_api_needs_a_supervisor(client, issued):
    # when (no staff session)
    response = client.post(
        f"/api/v1/staff/certificates/{issued.code}/revoke",
        {"reason": "Wrong record, replaced"},
        content_type="application/json",
    )
    # then
    assert response.status_code in {401, 403}


def test_verification_is_rate_limited_per_address(client, settings, issued):
    # given
    settings.CERTIFICATES_VERIFY_RATE_PER_ADDRESS = "2/60"
    # when
    answers = [client.post(VERIFY, {"code": issued.code}).status_code for _ in range(3)]
    # then
    assert answers == [200, 200, 429]


@pytest.mark.parametrize(
    "forged",
    [
        b"%PDF-1.7\n%%EOF",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-" + bytes(range(256)) * 20,
    ],
    ids=["empty", "no-signature", "garbage"],
)
def test_forged_uploads_are_an_answer_not_a_crash(client, forged):
    # when
    response = upload(client, forged)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["authentic"] is False and body["reason"] in {"unreadable", "unsigned"}
