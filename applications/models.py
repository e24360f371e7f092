"""Applications for a document, from acceptance at a hall (受理) to collection, as a timeline.

The status is one workflow (applications.workflow, on core.workflow); every action appends an
ApplicationEvent, which is what the citizen's timeline shows. The event table is append-only in
the database (triggers, migration 0004).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import ApplicationKind
from documents.models import DocumentType


class ApplicationStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted at the hall")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_PRODUCTION = "in_production", _("In production")
    PRODUCED = "produced", _("Produced")
    READY = "ready", _("Ready for collection")
    MAILED = "mailed", _("Mailed")
    COLLECTED = "collected", _("Collected")
    DELIVERED = "delivered", _("Delivered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An application "in progress" holds its document: no other appointment or application for the
# same person and document until it ends (a partial unique index here, and on appointments).
IN_PROGRESS = (
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.APPROVED,
    ApplicationStatus.IN_PRODUCTION,
    ApplicationStatus.PRODUCED,
    ApplicationStatus.READY,
    ApplicationStatus.MAILED,
)
FINAL = (
    ApplicationStatus.REJECTED,
    ApplicationStatus.COLLECTED,
    ApplicationStatus.DELIVERED,
    ApplicationStatus.WITHDRAWN,
)


class Delivery(models.TextChoices):
    COLLECT = "collect", _("Collect at the hall")
    MAIL = "mail", _("Delivery by mail")


class RejectionReason(models.TextChoices):
    MATERIALS = "materials", _("Materials missing or not valid")
    IDENTITY = "identity", _("Identity could not be confirmed")
    PHOTO = "photo", _("Photo not usable")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for this document")
    RESTRICTED = "restricted", _("Exit not permitted by law")
    OTHER = "other", _("Other")


class ApplicationNumber(models.Model):
    """Every application number handed out: to a document application (Application.number) or
    to an endorsement application (endorsements.Endorsement.application_number). Both share one
    format (date of applying, Beijing time, and eight random digits) and one progress lookup;
    the primary key keeps one number to one application of either kind. Each service records
    its number here in the transaction that gives it (applications.numbers), so a number drawn
    twice breaks the transaction instead of being handed out twice."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document application")
        ENDORSEMENT = "endorsement", _("Endorsement application")

    number = models.CharField(_("application number"), max_length=16, primary_key=True)
    kind = models.CharField(_("application"), max_length=16, choices=Kind.choices)
    allocated_at = models.DateTimeField(_("allocated"), default=timezone.now)

    class Meta:
        verbose_name = _("application number")
        verbose_name_plural = _("application numbers")

    def __str__(self) -> str:
        return self.number


class Application(models.Model):
    """One application for a document, accepted at a hall."""

    number = models.CharField(_("application number"), max_length=16, unique=True)
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="applications"
    )
    document_type = models.CharField(_("document"), max_length=16, choices=DocumentType.choices)
    kind = models.CharField(_("application"), max_length=16, choices=ApplicationKind.choices)
    details = models.JSONField(_("answers"), default=dict, blank=True)
    hall = models.ForeignKey("guide.Hall", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("guide.Service", on_delete=models.PROTECT, related_name="+")
    appointment = models.OneToOneField(
        "appointments.Appointment",
        on_delete=models.PROTECT,
        related_name="application",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.ACCEPTED,
    )
    fee_amount = models.DecimalField(_("fee paid (RMB)"), max_digits=8, decimal_places=2)
    submitted_at = models.DateTimeField(_("submitted online"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Collection at the hall where it was accepted, or delivery by mail to this address.
    delivery = models.CharField(
        _("delivery"), max_length=8, choices=Delivery.choices, default=Delivery.COLLECT
    )
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    # The officer whose queue holds it (a reviewer, then production); supervisors reassign.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Due date of the current stage (officers) and the expected completion date (citizen),
    # in working days from the guide's processing time (applications.deadlines).
    due_on = models.DateField(_("stage due"), null=True, blank=True)
    expected_on = models.DateField(_("expected completion"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("reason for rejection"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    issued_document = models.OneToOneField(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="issued_by_application",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-accepted_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["person", "-accepted_at"], name="application_person"),
            models.Index(fields=["status", "due_on"], name="application_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "document_type"],
                condition=Q(status__in=[s.value for s in IN_PROGRESS]),
                name="application_one_in_progress_per_document",
            ),
            models.CheckConstraint(
                condition=~Q(delivery="mail") | ~Q(delivery_address=""),
                name="application_mail_has_address",
            ),
            models.CheckConstraint(
                condition=~Q(status="mailed") | ~Q(tracking_number=""),
                name="application_mailed_has_tracking",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationEvent(models.Model):
    """One step of an application's timeline: who, when, from, to, what, why. Appended, never
    changed: the database refuses UPDATE and DELETE (triggers)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32, blank=True)
    from_status = models.CharField(max_length=16, choices=ApplicationStatus.choices, blank=True)
    # The status after the step.
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A reason code (a rejection's) and the text the citizen reads.
    reason = models.CharField(max_length=32, blank=True)
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"
