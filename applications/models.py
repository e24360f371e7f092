"""Applications for a document, from acceptance at a hall (受理) to collection, as a timeline.

The status is one table of allowed transitions (applications.services.TRANSITIONS); every change
appends an ApplicationEvent, which is what the citizen's timeline shows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from appointments.models import ApplicationKind
from documents.models import DocumentType


class ApplicationStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted at the hall")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_PRODUCTION = "in_production", _("In production")
    READY = "ready", _("Ready for collection")
    MAILED = "mailed", _("Mailed")
    COLLECTED = "collected", _("Collected")
    DELIVERED = "delivered", _("Delivered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-accepted_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["person", "-accepted_at"], name="application_person")]

    def __str__(self) -> str:
        return self.number


class ApplicationEvent(models.Model):
    """One step of an application's timeline: who, when, why. Appended, never changed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"
