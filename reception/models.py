"""The hall reception: the fee table, each check-in's queue number, and the steps at the counter.

A Reception exists from the moment an appointment is checked in (or a walk-in is recorded) and
keeps, for each step, who did it and when. Its queue number is unique per hall and day in the
database; numbers are handed out by QueueCounter, one row per hall and day, moved only by an
atomic UPDATE (reception.services).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appointments.models import ApplicationKind
from documents.models import DocumentType


class Fee(models.Model):
    """What an application costs, from a date on. Policy, so it is data an administrator edits.

    A row with no kind applies to every application for the document; on the same date a row
    for the kind wins. The newest row in force on the day of payment applies.
    """

    document_type = models.CharField(_("document"), max_length=16, choices=DocumentType.choices)
    kind = models.CharField(
        _("application"),
        max_length=16,
        choices=ApplicationKind.choices,
        blank=True,
        help_text=_("Leave empty for every application for this document."),
    )
    amount = models.DecimalField(_("amount (RMB)"), max_digits=8, decimal_places=2)
    valid_from = models.DateField(_("valid from"), help_text=_("Beijing date, included."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document_type", "kind", "-valid_from"]
        verbose_name = _("fee")
        verbose_name_plural = _("fee table")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "kind", "valid_from"], name="fee_one_per_date"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_not_negative"),
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display() if self.kind else _("every application")
        return f"{self.get_document_type_display()} / {kind}: {self.amount} ({self.valid_from})"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Bank card")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


class QueueCounter(models.Model):
    """The last queue number handed out at a hall on a day (Asia/Shanghai)."""

    hall = models.ForeignKey("guide.Hall", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hall", "day"], name="queue_counter_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.day}: {self.last}"


def photo_path(instance: "Reception", filename: str) -> str:
    """A random name under MEDIA_ROOT: nothing in it says whose photo it is."""
    return f"reception/photos/{instance.day:%Y/%m}/{uuid.uuid4().hex}.jpg"


class Reception(models.Model):
    """An appointment's visit to the hall: queue number and the steps at the counter."""

    appointment = models.OneToOneField(
        "appointments.Appointment", on_delete=models.PROTECT, related_name="reception"
    )
    hall = models.ForeignKey("guide.Hall", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))  # Asia/Shanghai
    queue_number = models.PositiveIntegerField(_("queue number"))
    checked_in_at = models.DateTimeField(_("checked in"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The guide's materials as the officer ticked them, in the language shown.
    materials = models.JSONField(_("materials checked"), default=list, blank=True)
    # Items the officer found do not apply to this applicant: [{"item": ..., "reason": ...}].
    materials_not_applicable = models.JSONField(
        _("materials not applicable"), default=list, blank=True
    )
    materials_checked_at = models.DateTimeField(null=True, blank=True)
    materials_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    fingerprints_at = models.DateTimeField(_("fingerprints captured"), null=True, blank=True)
    fingerprints_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Re-encoded JPEG under MEDIA_ROOT, never served publicly (reception.views.photo).
    photo = models.FileField(_("photo"), upload_to=photo_path, max_length=200, blank=True)
    photo_width = models.PositiveSmallIntegerField(null=True, blank=True)
    photo_height = models.PositiveSmallIntegerField(null=True, blank=True)
    photo_at = models.DateTimeField(_("photo taken"), null=True, blank=True)
    photo_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    fee = models.ForeignKey(Fee, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    fee_amount = models.DecimalField(
        _("fee paid (RMB)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    fee_method = models.CharField(
        _("paid by"), max_length=16, choices=PaymentMethod.choices, blank=True
    )
    fee_receipt = models.CharField(_("receipt number"), max_length=40, blank=True)
    fee_paid_at = models.DateTimeField(_("fee paid"), null=True, blank=True)
    fee_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["hall", "day", "queue_number"]
        verbose_name = _("reception")
        verbose_name_plural = _("receptions")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "day", "queue_number"], name="reception_queue_number_unique"
            ),
            models.CheckConstraint(condition=Q(queue_number__gte=1), name="reception_queue_gte_1"),
            models.CheckConstraint(
                condition=Q(fee_paid_at__isnull=True)
                | (Q(fee_amount__isnull=False) & ~Q(fee_method="") & ~Q(fee_receipt="")),
                name="reception_fee_complete",
            ),
            models.CheckConstraint(
                condition=Q(photo_at__isnull=True) | ~Q(photo=""), name="reception_photo_file"
            ),
        ]
        indexes = [models.Index(fields=["hall", "day"], name="reception_hall_day")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.day} #{self.queue_number}"

    @property
    def queue_display(self) -> str:
        """The number called out and printed on the ticket: A001, A002..."""
        return f"A{self.queue_number:03d}"

    @property
    def steps_done(self) -> dict[str, bool]:
        return {
            "materials": self.materials_checked_at is not None,
            "fingerprints": self.fingerprints_at is not None,
            "photo": self.photo_at is not None,
            "fee": self.fee_paid_at is not None,
        }

    @property
    def steps_missing(self) -> list[str]:
        return [step for step, done in self.steps_done.items() if not done]
