"""Travel documents a person holds: ordinary passports, Hong Kong/Macao passes, Taiwan permits."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.masking import mask_document_number


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Ordinary passport")
    HK_MACAO_PASS = "hk_macao_pass", _("Hong Kong and Macao pass")
    TAIWAN_PERMIT = "taiwan_permit", _("Taiwan travel permit")


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REPORTED_LOST = "reported_lost", _("Reported lost")
    INVALIDATED = "invalidated", _("Invalidated")


class Document(models.Model):
    """One document as issued: its number, dates, issuing authority and status.

    `status` is stored for the states people cause (reported lost, invalidated); expiry is a
    date, so "expired" is derived from `expires_on` when read (documents.selectors).
    """

    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="documents")
    type = models.CharField(_("type"), max_length=16, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=9)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    issuing_authority_zh = models.CharField(_("issuing authority (Chinese)"), max_length=100)
    issuing_authority_en = models.CharField(_("issuing authority (English)"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.VALID
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "type", "-issued_on"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["type", "number"], name="document_number_unique"),
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("issued_on")), name="document_expires_after_issue"
            ),
            models.CheckConstraint(
                condition=~Q(status="expired"), name="document_expiry_is_derived"
            ),
            # Only one document of a type can be in use at a time.
            models.UniqueConstraint(
                fields=["person", "type"],
                condition=Q(status="valid"),
                name="document_one_valid_per_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {mask_document_number(self.number)}"


class DocumentEvent(models.Model):
    """One change in a document's life (recorded, reported lost, invalidated). Append-only: the
    database refuses UPDATE and DELETE on this table (triggers in the migration).

    `actor` is the account that did it (none for the registry import), `actor_person` the person
    behind that account (a guardian, when acting for a minor), `on_behalf_of` the holder.
    """

    class Kind(models.TextChoices):
        RECORDED = "recorded", _("Recorded from the registry")
        ISSUED = "issued", _("Issued (application produced)")
        REPORTED_LOST = "reported_lost", _("Reported lost")
        INVALIDATED = "invalidated", _("Invalidated")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    from_status = models.CharField(
        _("status before"), max_length=16, choices=DocumentStatus.choices, blank=True
    )
    to_status = models.CharField(_("status after"), max_length=16, choices=DocumentStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by (account)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_person = models.ForeignKey(
        "persons.Person",
        verbose_name=_("done by (person)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        "persons.Person",
        verbose_name=_("for (holder)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The client's Idempotency-Key, so that a retried request finds the change it already made.
    idempotency_key = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["document", "at", "id"]
        verbose_name = _("document event")
        verbose_name_plural = _("document events")
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="document_event_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.document}"


class LossReport(models.Model):
    """What the holder said when reporting a document lost (挂失): when, where and how it was
    lost. Kept with the report's event; written once, with it, and never changed."""

    class How(models.TextChoices):
        LOST = "lost", _("Lost")
        STOLEN = "stolen", _("Stolen")
        DESTROYED = "destroyed", _("Destroyed (for example in a fire or flood)")
        OTHER = "other", _("Other")

    event = models.OneToOneField(
        DocumentEvent, on_delete=models.PROTECT, related_name="loss_report", primary_key=True
    )
    lost_on = models.DateField(_("lost on (about)"))
    place = models.CharField(_("where"), max_length=200)
    how = models.CharField(_("how"), max_length=16, choices=How.choices)
    circumstances = models.CharField(_("what happened"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("loss report")
        verbose_name_plural = _("loss reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(how__in=["lost", "stolen", "destroyed", "other"]),
                name="loss_report_how_known",
            ),
            models.CheckConstraint(condition=~Q(place=""), name="loss_report_place_given"),
        ]

    def __str__(self) -> str:
        return f"{self.get_how_display()} {self.lost_on:%Y-%m-%d}"
