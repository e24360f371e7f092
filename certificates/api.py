"""Certificates in the API: a citizen asks for one (for themself or a minor), lists theirs and
downloads the signed PDF; anyone verifies one (code, PDF upload, QR payload) and reads the
published trust keys; supervisors revoke (staff_api)."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from accounts.auth import citizen_auth, require_bound
from core.api import Page, PageParams, ProblemOut, page_links
from core.bounds import MAX_ID
from core.http import client_address
from core.masking import mask_name

from . import selectors, services, verification
from .errors import NothingToVerify
from .models import Certificate, CertificateKind

router = Router(tags=["certificates"])
READ = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE = {**READ, 409: ProblemOut, 429: ProblemOut, 503: ProblemOut}
PUBLIC = {413: ProblemOut, 415: ProblemOut, 422: ProblemOut, 429: ProblemOut}


class CertificateIn(Schema):
    person_id: int = Field(
        ge=1, le=MAX_ID, description="You, or a minor you are guardian of (see GET me)."
    )
    kind: CertificateKind
    period_start: dt.date | None = Field(
        None, description="Entry/exit records: the first day (within the last 10 years)."
    )
    period_end: dt.date | None = Field(None, description="Entry/exit records: the last day.")
    purpose: str = Field("", max_length=200, description="What it is for (entry/exit records).")


class CertificateOut(Schema):
    id: int
    code: str = Field(description="The verification code, in groups of four as printed.")
    kind: CertificateKind
    kind_name: str
    person_id: int
    holder_name: str
    period_start: dt.date | None
    period_end: dt.date | None
    purpose: str
    issued_at: dt.datetime
    record_count: int
    pdf_sha256: str
    signature_level: str = Field(examples=["PAdES-B-LT", "PAdES-B-LTA"])
    revoked: bool
    pdf_url: str


def certificate_out(request: HttpRequest, certificate: Certificate) -> dict:
    return {
        "id": certificate.pk,
        "code": certificate.code_display,
        "kind": certificate.kind,
        "kind_name": str(certificate.get_kind_display()),
        "person_id": certificate.person_id,
        "holder_name": certificate.person.name_zh,
        "period_start": certificate.period_start,
        "period_end": certificate.period_end,
        "purpose": certificate.purpose,
        "issued_at": certificate.issued_at,
        "record_count": certificate.record_count,
        "pdf_sha256": certificate.pdf_sha256,
        "signature_level": certificate.signature_level,
        "revoked": certificate.revoked_at is not None,
        "pdf_url": request.build_absolute_uri(
            reverse("api:certificate_pdf", kwargs={"certificate_id": certificate.pk})
        ),
    }


def verify_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("certificates:verify"))


@router.post(
    "/me/certificates",
    auth=citizen_auth,
    response={201: CertificateOut, **WRITE},
    url_name="my_certificates_create",
    summary="Ask for a certificate",
)
def certificate_create(request: HttpRequest, payload: CertificateIn):
    """Issue a signed certificate now: entry/exit records for a period within the last 10
    years and a purpose, or the ordinary-passport issuance record. 422 `period_invalid`,
    `purpose_required`; 404 for a person you do not act for; 409 `no_passport_records`."""
    require_bound(request.auth)
    certificate = services.certificate_request(
        user=request.auth,
        person_id=payload.person_id,
        kind=payload.kind,
        period_start=payload.period_start,
        period_end=payload.period_end,
        purpose=payload.purpose,
        verify_url=verify_url(request),
    )
    return Status(201, certificate_out(request, certificate))


@router.get(
    "/me/certificates",
    auth=citizen_auth,
    response={200: Page[CertificateOut], **READ},
    url_name="my_certificates",
    summary="My certificates and my minors'",
)
def certificate_list(request: HttpRequest, page: Query[PageParams]):
    require_bound(request.auth)
    certificates = selectors.certificates_for(user=request.auth)
    count = certificates.count()
    rows = certificates[page.offset : page.offset + page.limit]
    return {
        **page_links(request, count=count, limit=page.limit, offset=page.offset),
        "results": [certificate_out(request, c) for c in rows],
    }


CERTIFICATE_ID = Path(..., ge=1, le=MAX_ID)


@router.get(
    "/me/certificates/{certificate_id}.pdf",
    auth=citizen_auth,
    response={200: None, **READ},
    url_name="certificate_pdf",
    openapi_extra={
        "responses": {200: {"description": "The signed PDF", "content": {"application/pdf": {}}}}
    },
)
def certificate_pdf(request: HttpRequest, certificate_id: int = CERTIFICATE_ID):
    """The signed PDF exactly as issued (Cache-Control: no-store)."""
    require_bound(request.auth)
    certificate = selectors.certificate_get_for(user=request.auth, certificate_id=certificate_id)
    return pdf_response(certificate)


@router.get(
    "/me/certificates/{certificate_id}",
    auth=citizen_auth,
    response={200: CertificateOut, **READ},
    url_name="my_certificate",
)
def certificate_detail(request: HttpRequest, certificate_id: int = CERTIFICATE_ID):
    require_bound(request.auth)
    certificate = selectors.certificate_get_for(user=request.auth, certificate_id=certificate_id)
    return certificate_out(request, certificate)


def pdf_response(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(bytes(certificate.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


class VerifiedCertificateOut(Schema):
    code: str
    kind: CertificateKind
    kind_name: str
    holder_masked: str = Field(examples=["王**"])
    period_start: dt.date | None
    period_end: dt.date | None
    purpose: str
    issued_at: dt.datetime
    record_count: int
    pdf_sha256: str = Field(description="SHA-256 of the file as issued.")
    signature_level: str


class VerdictOut(Schema):
    authentic: bool
    reason: str = Field(
        description="Empty when authentic; else revoked, unknown_code, altered, appended_edit, "
        "unsigned, untrusted, unreadable, differs, code_mismatch, malformed, unknown_key, "
        "bad_signature, qr_mismatch."
    )
    message: str
    revoked: bool
    revoked_at: dt.datetime | None
    certificate: VerifiedCertificateOut | None
    checks: dict = Field(
        description="What was checked: the upload's sha256, the signature's state, pyHanko's "
        "modification level and coverage, signing time."
    )


def verdict_out(verdict: verification.Verdict) -> dict:
    certificate = verdict.certificate
    checks = {
        k: (v.isoformat() if isinstance(v, dt.datetime) else v)
        for k, v in verdict.checks.items()
        if k != "statement"
    }
    return {
        "authentic": verdict.authentic,
        "reason": verdict.reason,
        "message": verdict.message,
        "revoked": verdict.revoked,
        "revoked_at": verdict.revoked_at,
        "checks": checks,
        "certificate": None
        if certificate is None
        else {
            "code": certificate.code_display,
            "kind": certificate.kind,
            "kind_name": str(certificate.get_kind_display()),
            "holder_masked": mask_name(certificate.person.name_zh),
            "period_start": certificate.period_start,
            "period_end": certificate.period_end,
            "purpose": certificate.purpose,
            "issued_at": certificate.issued_at,
            "record_count": certificate.record_count,
            "pdf_sha256": certificate.pdf_sha256,
            "signature_level": certificate.signature_level,
        },
    }


class VerifyIn(Schema):
    code: str = Field("", max_length=40, description="The verification code, as printed.")


@router.post(
    "/verify",
    auth=None,
    response={200: VerdictOut, **PUBLIC},
    url_name="certificate_verify",
    summary="Verify a certificate (code and/or PDF)",
)
def certificate_verify(
    request: HttpRequest,
    form: Form[VerifyIn],
    file: File[UploadedFile] = None,
):
    """multipart/form-data with `code` (the verification code) and/or `file` (the PDF, at most
    CERTIFICATES_UPLOAD_MAX_BYTES). With a file, its signature is validated (pyHanko) and its
    SHA-256 compared with the certificate issued; a changed byte or an appended edit answers
    `authentic: false` with the reason. 413 too large, 415 not a PDF; 429 over the limit."""
    verification.verify_rate_hit(client_address(request))
    code = form.code.strip()
    if file is not None:
        data = verification.upload_read(file)
        return verdict_out(verification.verify_pdf(data, code=code or None))
    if not code:
        raise NothingToVerify()
    return verdict_out(verification.verify_code(code))


class QrIn(Schema):
    payload: str = Field(max_length=4096, description="The QR code's text (EEC1:...).")


@router.post(
    "/verify/qr",
    auth=None,
    response={200: VerdictOut, **PUBLIC},
    url_name="certificate_verify_qr",
    summary="Verify a certificate's QR payload",
)
def certificate_verify_qr(request: HttpRequest, payload: QrIn):
    """The QR payload's COSE signature checked with the published key, then its statement
    compared with the certificate on record (revoked or not)."""
    verification.verify_rate_hit(client_address(request))
    return verdict_out(verification.verify_qr(payload.payload))


@router.post(
    "/verify/qr/image",
    auth=None,
    response={200: VerdictOut, **PUBLIC},
    url_name="certificate_verify_qr_image",
    summary="Verify a certificate from a photo of its QR code",
)
def certificate_verify_qr_image(request: HttpRequest, image: File[UploadedFile]):
    """multipart/form-data with `image`: a photo or screenshot of the certificate's QR code
    (JPEG, PNG, WebP, GIF or BMP; at most 10 MB and 50 million pixels). The server finds the QR
    code and verifies it as `POST verify/qr` does; a QR code that is not a certificate's is
    `authentic: false`, reason `malformed`. 413 `image_too_large`, 415 `upload_not_image`, 422
    `qr_not_found`; 429 over the limit."""
    verification.verify_rate_hit(client_address(request))
    return verdict_out(verification.verify_qr_image(image))


@router.get(
    "/verify/{code}",
    auth=None,
    response={200: VerdictOut, **PUBLIC},
    url_name="certificate_verify_code",
)
def certificate_verify_code(request: HttpRequest, code: str = Path(..., max_length=40)):
    """What the authority's records say about the certificate with this code."""
    verification.verify_rate_hit(client_address(request))
    return verdict_out(verification.verify_code(code))


class PdfSignerOut(Schema):
    certificate: str = Field(description="The signing certificate (PEM).")
    chain: list[str] = Field(description="The CA certificates above it, root last (PEM).")
    crls: list[str] = Field(description="The CA's current CRLs (PEM).")
    signature_level: str


class QrKeyOut(Schema):
    kid: str
    alg: Literal["ES256"]
    jwk: dict
    cose_key: str = Field(description="COSE_Key (CBOR), base64url.")
    public_key_pem: str


class RevocationListOut(Schema):
    issued_at: dt.datetime
    next_update: dt.datetime
    revoked: list[str] = Field(description="Codes of revoked certificates.")
    token: str = Field(
        description="The same list signed: a CWT (claim -70002: the codes; 6: issue time) with "
        "the QR key, zlib and base45 behind EEC1:, as the QR codes are."
    )


class TrustKeysOut(Schema):
    pdf_signer: PdfSignerOut
    qr_keys: list[QrKeyOut]
    qr_prefix: str
    revocation_list: RevocationListOut


@router.get(
    "/trust/keys",
    auth=None,
    response={200: TrustKeysOut},
    url_name="trust_keys",
    summary="Keys and revocations for verifying certificates offline",
)
def trust_keys(request: HttpRequest):
    """The PDF signer's chain and CRLs, the QR code's COSE key (JWK and COSE_Key) and a signed
    list of revoked codes with its issue time: what an offline verifier needs."""
    return verification.trust_keys()
