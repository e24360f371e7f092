"""Verification for anyone, without signing in: by code, by the PDF itself, or by the QR code's
payload; and the published trust material (GET /api/v1/trust/keys).

An uploaded file is authentic when it is byte for byte the file that was issued (its SHA-256 is
a stored certificate's) and its signature validates with pyHanko. Otherwise the answer says
what is wrong: the signature no longer matches (a changed byte), an edit was appended after the
signature (an incremental update beyond the long-term validation data), no signature of ours,
or not a readable PDF.
"""

import base64
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from core.masking import mask_name
from core.ratelimit import rate_limit_hit

from . import qr, scan, selectors, signing
from .errors import UploadNotPdf, UploadTooLarge
from .models import Certificate

logger = logging.getLogger(__name__)


@dataclass
class Verdict:
    authentic: bool
    reason: str  # "" when authentic; else a stable code
    message: str
    revoked: bool = False
    revoked_at: dt.datetime | None = None
    certificate: Certificate | None = None
    checks: dict = field(default_factory=dict)

    @property
    def holder_masked(self) -> str:
        return mask_name(self.certificate.person.name_zh) if self.certificate else ""


def _messages() -> dict[str, str]:
    return {
        "": _("Authentic: this certificate was issued by the authority and is unchanged."),
        "revoked": _("Revoked: this certificate was issued but has since been withdrawn."),
        "unknown_code": _("Not authentic: no certificate has this verification code."),
        "altered": _(
            "Not authentic: the file was changed after it was signed (the signature no longer "
            "matches its content)."
        ),
        "appended_edit": _("Not authentic: an edit was appended to the file after it was signed."),
        "unsigned": _("Not authentic: the file carries no signature of the authority."),
        "untrusted": _("Not authentic: the file is signed by someone other than the authority."),
        "unreadable": _("Not authentic: the file is damaged or truncated and cannot be read."),
        "differs": _(
            "Not authentic: the file is not the one that was issued (its digest is unknown)."
        ),
        "code_mismatch": _(
            "Not authentic: the file is a different certificate from the code you entered."
        ),
        "malformed": _("Not authentic: this is not a certificate's QR code."),
        "unknown_key": _("Not authentic: the QR code is signed with a key that is not ours."),
        "bad_signature": _("Not authentic: the QR code's signature does not match its content."),
        "qr_mismatch": _("Not authentic: the QR code does not match the certificate on record."),
    }


def _verdict(reason: str, certificate: Certificate | None = None, **checks) -> Verdict:
    if not reason and certificate is not None and certificate.revoked_at is not None:
        return Verdict(
            authentic=False,
            reason="revoked",
            message=_messages()["revoked"],
            revoked=True,
            revoked_at=certificate.revoked_at,
            certificate=certificate,
            checks=checks,
        )
    return Verdict(
        authentic=not reason,
        reason=reason,
        message=_messages()[reason],
        certificate=certificate if not reason else None,
        checks=checks,
    )


def verify_rate_hit(client_address: str | None) -> None:
    rate_limit_hit(
        scope="certificate-verify",
        key=client_address or "unknown",
        rate=settings.CERTIFICATES_VERIFY_RATE_PER_ADDRESS,
    )


def upload_read(upload) -> bytes:
    """An uploaded file's bytes, refused when it is not a PDF of a sensible size (checked on
    its declared size first, then on what was read), before anything parses it."""
    limit = settings.CERTIFICATES_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadTooLarge()
    return upload_check(upload.read(limit + 1))


def upload_check(data: bytes) -> bytes:
    """Refuse what is not a PDF of a sensible size before anything parses it."""
    if len(data) > settings.CERTIFICATES_UPLOAD_MAX_BYTES:
        raise UploadTooLarge()
    if not data.startswith(b"%PDF-"):
        raise UploadNotPdf()
    return data


def verify_code(code: str) -> Verdict:
    """What the authority's records say about the certificate with this code."""
    certificate = selectors.certificate_by_code(selectors.code_clean(code))
    if certificate is None:
        return _verdict("unknown_code")
    return _verdict("", certificate)


def verify_pdf(data: bytes, *, code: str | None = None) -> Verdict:
    """Check an uploaded file: its signature (pyHanko) and its digest against the record."""
    wanted = selectors.code_clean(code) if code else None
    digest = hashlib.sha256(data).hexdigest()
    try:
        check = signing.pdf_signature_check(data)
    except Exception:  # a forged file may trip pyHanko anywhere: an answer, never a 500
        logger.warning("verification: pyHanko failed on an upload", exc_info=True)
        check = signing.SignatureCheck(problem="unreadable")
    checks = {
        "sha256": digest,
        "signature": check.problem or "valid",
        "modification_level": check.modification_level,
        "coverage": check.coverage,
        "signed_at": check.signed_at,
        "signer": check.signer,
        "timestamped": check.timestamped,
    }
    certificate = selectors.certificate_by_digest(digest)
    if certificate is not None and check.problem is None:
        if wanted and certificate.code != wanted:
            return _verdict("code_mismatch", **checks)
        return _verdict("", certificate, **checks)
    if check.problem is not None:
        return _verdict(check.problem, **checks)
    # A sound signature of ours on a file that is not the one issued.
    return _verdict("differs", **checks)


def verify_qr(payload: str) -> Verdict:
    """Check a QR payload offline (signature with our published key), then against the record."""
    try:
        statement = qr.payload_read(payload)
    except qr.PayloadInvalid as invalid:
        return _verdict(invalid.reason)
    certificate = selectors.certificate_by_code(statement.code)
    if certificate is None:
        return _verdict("unknown_code", statement=statement)
    if (
        certificate.content_sha256 != statement.content_sha256
        or certificate.record_count != statement.record_count
    ):
        return _verdict("qr_mismatch", statement=statement)
    return _verdict("", certificate, statement=statement)


def verify_qr_image(upload) -> Verdict:
    """Find the QR code in a photo or screenshot of the certificate, then check it as
    verify_qr does. Refuses a file too large (413), not a picture (415), without a QR code
    (422)."""
    return verify_qr(scan.qr_image_text(upload))


def _pem(der: bytes, label: str = "CERTIFICATE") -> str:
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"


REVOCATION_LIST_TTL = 300


def revocation_list(*, fresh: bool = False) -> dict:
    """The signed list of revoked codes with its issue time (cached a few minutes)."""
    key = "certificates:revocation-list"
    cached = None if fresh else cache.get(key)
    if cached:
        return cached
    now = timezone.now().replace(microsecond=0)
    codes = selectors.revoked_codes()
    answer = {
        "issued_at": now,
        "next_update": now + dt.timedelta(seconds=REVOCATION_LIST_TTL),
        "revoked": codes,
        "token": qr.revocation_list_token(codes=codes, at=now),
    }
    cache.set(key, answer, REVOCATION_LIST_TTL)
    return answer


def revocation_list_forget() -> None:
    cache.delete("certificates:revocation-list")


def trust_keys() -> dict:
    """What an offline verifier needs: the PDF signer's chain, the COSE key, revocations."""
    material = signing.signing_material()
    return {
        "pdf_signer": {
            "certificate": _pem(material.signing_cert.dump()),
            "chain": [_pem(c.dump()) for c in material.chain],
            "crls": [_pem(c.dump(), "X509 CRL") for c in material.crls],
            "signature_level": "PAdES-B-LTA" if material.timestamper else "PAdES-B-LT",
        },
        "qr_keys": [
            {
                "kid": qr.cose_keys().kid,
                "alg": "ES256",
                "jwk": qr.public_jwk(),
                "cose_key": qr.public_cose_key(),
                "public_key_pem": qr.cose_keys().public_pem.decode(),
            }
        ],
        "qr_prefix": qr.PREFIX,
        "revocation_list": revocation_list(),
    }
