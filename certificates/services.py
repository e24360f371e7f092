"""Issuing certificates (render, sign, store) and revoking them."""

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.masking import mask_id_number, mask_name
from core.ratelimit import rate_limit_hit
from guide.calendar import SHANGHAI
from persons.models import Person
from persons.selectors import persons_acting_for
from staff.models import AccessAction, AccessLog
from staff.permissions import Permission
from staff.selectors import staff_require

from . import qr, records, render, signing, verification
from .errors import (
    AlreadyRevoked,
    CertificateNotFound,
    CertificateUnavailable,
    NoPassportRecords,
    PeriodInvalid,
    PersonNotFound,
    PurposeRequired,
    RevocationReasonRequired,
)
from .models import Certificate, CertificateEvent, CertificateKind
from .selectors import code_clean

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32: no 0/1/8/9 to misread
CODE_LENGTH = 16  # 80 random bits
PERIOD_YEARS = 10


def code_new() -> str:
    """A fresh verification code: 16 random base32 characters (80 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def period_check(start: dt.date | None, end: dt.date | None, *, today: dt.date) -> tuple:
    """The period as asked, if it lies within the last 10 years and ends by today."""
    if start is None or end is None or start > end or end > today:
        raise PeriodInvalid()
    if start < _years_before(today, PERIOD_YEARS):
        raise PeriodInvalid()
    return start, end


def purpose_clean(value: str | None) -> str:
    purpose = " ".join((value or "").split())
    if not 2 <= len(purpose) <= 200:
        raise PurposeRequired()
    return purpose


def _holder(*, user, person_id: int, today: dt.date) -> Person:
    for person in persons_acting_for(user=user, today=today):
        if person.pk == person_id:
            return person
    raise PersonNotFound()


def certificate_request(
    *,
    user,
    person_id: int,
    kind: str,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    purpose: str = "",
    verify_url: str,
    now: dt.datetime | None = None,
) -> Certificate:
    """Issue a certificate for the user or a minor they are guardian of: gather the records,
    render the PDF, sign it (PAdES B-LT or B-LTA) and store it with its digests.

    The signing happens before the one short transaction that stores the row.
    """
    now = now or timezone.now()
    today = now.astimezone(SHANGHAI).date()
    holder = _holder(user=user, person_id=person_id, today=today)
    kind = CertificateKind(kind)
    rate_limit_hit(
        scope="certificate-request", key=str(user.pk), rate=settings.CERTIFICATES_RATE_PER_ACCOUNT
    )
    period = None
    if kind == CertificateKind.CROSSINGS:
        period = period_check(period_start, period_end, today=today)
        purpose = purpose_clean(purpose)
        rows = records.crossing_records(person_id=holder.pk, start=period[0], end=period[1])
    else:
        purpose = " ".join((purpose or "").split())[:200]
        rows = records.passport_records(person_id=holder.pk)
        if not rows:
            raise NoPassportRecords()
    issued_at = now.replace(microsecond=0)
    issued_local = issued_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    period_text = f"{period[0].isoformat()} – {period[1].isoformat()}" if period else ""
    header = {
        "kind": kind.value,
        "holder": holder.name_zh,
        "id_number": mask_id_number(holder.id_number),
        "period": period_text,
        "purpose": purpose,
        "issued_at": issued_local,
    }
    content_sha256 = records.content_digest(header=header, records=rows)
    name_masked = mask_name(holder.name_zh)
    for _attempt in range(3):
        code = code_new()
        qr_text = qr.certificate_payload(
            code=code,
            name_masked=name_masked,
            kind=kind.value,
            period=period,
            record_count=len(rows),
            issued_at=issued_at,
            content_sha256=content_sha256,
        )
        content = render.CertificateContent(
            kind=kind.value,
            code_display="-".join(code[i : i + 4] for i in range(0, 16, 4)),
            holder_zh=holder.name_zh,
            holder_pinyin=holder.name_pinyin,
            id_number_masked=mask_id_number(holder.id_number),
            birth_date=holder.birth_date.isoformat(),
            period=period_text,
            purpose=purpose,
            issued_at=issued_local,
            records=rows,
            qr_text=qr_text,
            verify_url=verify_url,
        )
        try:
            signed = signing.pdf_sign(
                render.certificate_pdf(content),
                reason=f"{render.TITLES[kind.value][0]} {content.code_display}",
                location=render.AUTHORITY_ZH,
            )
        except CertificateUnavailable:
            raise
        except Exception:
            logger.exception("signing a certificate failed")
            raise CertificateUnavailable() from None
        try:
            return _store(
                code=code,
                holder=holder,
                user=user,
                kind=kind,
                period=period,
                purpose=purpose,
                issued_at=issued_at,
                rows=rows,
                signed=signed,
                content_sha256=content_sha256,
            )
        except IntegrityError:  # the code was taken meanwhile (1 in 2**80): draw another
            logger.warning("certificate code collision; drawing another")
    raise CertificateUnavailable()


@transaction.atomic
def _store(
    *, code, holder, user, kind, period, purpose, issued_at, rows, signed, content_sha256
) -> Certificate:
    certificate = Certificate.objects.create(
        code=code,
        person=holder,
        requested_by=user,
        kind=kind,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        purpose=purpose,
        issued_at=issued_at,
        record_count=len(rows),
        pdf_sha256=hashlib.sha256(signed).hexdigest(),
        content_sha256=content_sha256,
        pdf=signed,
        signature_level="PAdES-B-LTA" if signing.signing_material().timestamper else "PAdES-B-LT",
    )
    CertificateEvent.objects.create(
        certificate=certificate, kind=CertificateEvent.Kind.ISSUED, actor=user
    )
    return certificate


def revocation_reason_clean(value: str | None) -> str:
    reason = " ".join((value or "").split())
    if not 10 <= len(reason) <= 300:
        raise RevocationReasonRequired()
    return reason


@transaction.atomic
def certificate_revoke(*, staff, code: str, reason: str, client_address: str | None) -> Certificate:
    """Revoke a certificate (supervisors): from now on it verifies as revoked and its code is on
    the signed revocation list. Logged in the access log and the certificate's events."""
    staff_require(staff, Permission.APPLICATION_DECIDE)
    reason = revocation_reason_clean(reason)
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("person")
        .filter(code=code_clean(code))
        .first()
    )
    if certificate is None:
        raise CertificateNotFound()
    if certificate.revoked_at is not None:
        raise AlreadyRevoked()
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = staff
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    CertificateEvent.objects.create(
        certificate=certificate, kind=CertificateEvent.Kind.REVOKED, actor=staff, reason=reason
    )
    AccessLog.objects.create(
        staff=staff,
        person=certificate.person,
        action=AccessAction.CERTIFICATE_REVOKE,
        reason=reason,
        client_address=client_address or None,
    )
    transaction.on_commit(verification.revocation_list_forget)
    logger.info("certificate %s revoked by %s", certificate.code, staff.username)
    return certificate
