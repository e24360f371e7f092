"""Reads of certificates: a citizen's own (and their minors'), one by code, the revoked codes."""

import re

from django.db.models import QuerySet

from core.bounds import MAX_ID
from persons.selectors import persons_acting_for

from .errors import CertificateNotFound, CodeInvalid
from .models import Certificate

_CODE = re.compile(r"^[A-Z2-7]{16}$")
# Everything but the PDF bytes, for lists.
LIST_FIELDS = (
    "id",
    "code",
    "person_id",
    "kind",
    "period_start",
    "period_end",
    "purpose",
    "issued_at",
    "record_count",
    "pdf_sha256",
    "signature_level",
    "revoked_at",
)


def code_clean(value: str | None) -> str:
    """A code as typed (lower case, spaces, dashes) in its stored form; CodeInvalid if it is
    not one. 0 and 1 typed for O and I are read as the letters they were mistaken for."""
    text = re.sub(r"[\s\-]", "", value or "").upper().replace("0", "O").replace("1", "I")
    if not _CODE.match(text):
        raise CodeInvalid()
    return text


def certificates_for(*, user) -> QuerySet[Certificate]:
    """The certificates of every person the user acts for, newest first (no PDF bytes)."""
    persons = persons_acting_for(user=user)
    return (
        Certificate.objects.filter(person__in=persons)
        .select_related("person")
        .only(*LIST_FIELDS, "person__name_zh", "person__name_pinyin")
    )


def certificate_get_for(*, user, certificate_id: int) -> Certificate:
    """The one access check: a certificate of a person the user acts for, else 404."""
    persons = persons_acting_for(user=user)
    certificate = None
    if persons and 0 < certificate_id <= MAX_ID:
        certificate = Certificate.objects.filter(pk=certificate_id, person__in=persons).first()
    if certificate is None:
        raise CertificateNotFound()
    return certificate


def certificate_by_code(code: str) -> Certificate | None:
    return Certificate.objects.select_related("person").filter(code=code).first()


def certificate_by_digest(sha256: str) -> Certificate | None:
    return Certificate.objects.select_related("person").filter(pdf_sha256=sha256).first()


def revoked_codes() -> list[str]:
    return list(
        Certificate.objects.filter(revoked_at__isnull=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
