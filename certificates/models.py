"""Certificates the authority issues as signed PDFs (出入境记录证明, 护照签发记录), and what
happened to each (issued, revoked)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    CROSSINGS = "crossings", _("Entry/exit record certificate")
    PASSPORT_ISSUANCE = "passport_issuance", _("Ordinary passport issuance record")


class Certificate(models.Model):
    """One issued certificate: what it says (digests, record count) and the signed PDF itself.

    The PDF is stored as issued: verification compares an upload's SHA-256 with `pdf_sha256`,
    and the holder downloads the very same bytes again. `content_sha256` is the digest of what
    the certificate states (its records as canonical JSON): the QR code printed in the PDF
    carries it, since a file cannot carry its own digest.
    """

    code = models.CharField(_("verification code"), max_length=16, unique=True)
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="certificates"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=CertificateKind.choices)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("issued at"), db_index=True)
    record_count = models.PositiveIntegerField(_("records"))
    pdf_sha256 = models.CharField(_("PDF digest (SHA-256)"), max_length=64, unique=True)
    content_sha256 = models.CharField(_("content digest (SHA-256)"), max_length=64)
    pdf = models.BinaryField(_("signed PDF"))
    signature_level = models.CharField(_("signature level"), max_length=16)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["person", "-issued_at"], name="certificate_person_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z2-7]{16}$"), name="certificate_code_format"
            ),
            models.CheckConstraint(
                condition=Q(kind="passport_issuance")
                | Q(
                    kind="crossings",
                    period_start__isnull=False,
                    period_end__gte=F("period_start"),
                ),
                name="certificate_crossings_period",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_reason="", revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False) & ~Q(revoked_reason=""),
                name="certificate_revocation_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code_display}"

    @property
    def code_display(self) -> str:
        """ABCD-EFGH-JKLM-NPQR: in groups of four, as printed."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class CertificateEvent(models.Model):
    """One thing that happened to a certificate. Append-only (database triggers)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["certificate", "at", "id"]
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind"], name="certificate_event_once_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind}"
