"""Appointments (service 3): bookable slots of a hall per service, and citizens' appointments.

The two invariants that matter under a rush live in the database:
- a slot never holds more than its capacity (`booked <= capacity`, and `booked` only moves by an
  atomic conditional UPDATE in appointments.services);
- a person holds at most one active appointment per document type (a partial unique index).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentType


class ServiceCapacity(models.Model):
    """How many applicants a hall receives for one service: counters x applicants per hour."""

    hall = models.ForeignKey("guide.Hall", on_delete=models.CASCADE, related_name="capacities")
    service = models.ForeignKey("guide.Service", on_delete=models.CASCADE, related_name="+")
    counters = models.PositiveSmallIntegerField(_("counters"), default=2)
    applicants_per_hour = models.PositiveSmallIntegerField(
        _("applicants per counter per hour"), default=4
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service capacity")
        verbose_name_plural = _("service capacities")
        constraints = [
            models.UniqueConstraint(fields=["hall", "service"], name="capacity_one_per_service"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=10, slot_minutes__lte=240),
                name="capacity_slot_length_range",
            ),
            models.CheckConstraint(
                condition=Q(counters__lte=200, applicants_per_hour__lte=120),
                name="capacity_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall_id}/{self.service_id}: {self.counters} x {self.applicants_per_hour}/h"


class Slot(models.Model):
    """A bookable period at a hall for one service, with its capacity and seats taken."""

    hall = models.ForeignKey("guide.Hall", on_delete=models.PROTECT, related_name="slots")
    service = models.ForeignKey("guide.Service", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))  # Asia/Shanghai
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("capacity"))
    booked = models.PositiveIntegerField(_("seats taken"), default=0)
    # Bookable from this moment (the published release time, days ahead).
    released_at = models.DateTimeField(_("released"))
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_reason_zh = models.CharField(_("reason closed (Chinese)"), max_length=200, blank=True)
    closed_reason_en = models.CharField(_("reason closed (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["hall", "service", "starts_at"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(fields=["hall", "service", "starts_at"], name="slot_unique"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_not_over"),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="slot_order"),
        ]
        indexes = [models.Index(fields=["hall", "service", "date"], name="slot_lookup")]

    def __str__(self) -> str:
        when = f"{self.starts_at:%Y-%m-%d %H:%M}"
        return f"{self.hall_id}/{self.service_id} {when} ({self.booked}/{self.capacity})"

    @property
    def available(self) -> int:
        return 0 if self.is_closed else max(0, self.capacity - self.booked)


class ApplicationKind(models.TextChoices):
    FIRST = "first", _("First application")
    RENEWAL = "renewal", _("Renewal")
    REPLACEMENT = "replacement", _("Replacement (lost or damaged)")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    ACCEPTED = "accepted", _("Application accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    CANCELLED = "cancelled", _("Cancelled")
    CANCELLED_BY_HALL = "cancelled_by_hall", _("Cancelled by the hall")
    NO_SHOW = "no_show", _("Missed")


ACTIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class Appointment(models.Model):
    """A person's booking of one seat in a slot to apply for a document."""

    number = models.CharField(_("appointment number"), max_length=12, unique=True)
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="appointments"
    )
    # The account that booked: the person, or their guardian acting for them.
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments_booked",
        null=True,
        blank=True,
    )
    document_type = models.CharField(_("document"), max_length=16, choices=DocumentType.choices)
    kind = models.CharField(_("application"), max_length=16, choices=ApplicationKind.choices)
    # The rest of the form: replacement reason, endorsements wanted, contact phone.
    details = models.JSONField(_("answers"), default=dict, blank=True)
    hall = models.ForeignKey("guide.Hall", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("guide.Service", on_delete=models.PROTECT, related_name="+")
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", null=True, blank=True
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    status_note = models.CharField(_("reason"), max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 (NULL: no key)
    request_hash = models.CharField(max_length=64, blank=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    # Set while the application accepted at this appointment is in progress: the appointment
    # then still holds its document (the partial unique index below), so no other appointment
    # for the same person and document can be booked until the application ends.
    application_in_progress = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "document_type"],
                condition=Q(status__in=["booked", "checked_in"]) | Q(application_in_progress=True),
                name="appointment_one_active_per_document",
            ),
            models.UniqueConstraint(
                fields=["booked_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="appointment_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(walk_in=True) | Q(slot__isnull=False),
                name="appointment_has_slot_unless_walk_in",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "starts_at"], name="appointment_hall_day"),
            models.Index(fields=["status", "ends_at"], name="appointment_due"),
            models.Index(fields=["person", "status", "starts_at"], name="appointment_person"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number_display(self) -> str:
        """The number in groups of four, as printed and read out."""
        return "-".join(self.number[i : i + 4] for i in range(0, len(self.number), 4))

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class AppointmentEvent(models.Model):
    """What happened to an appointment, by whom, appended and never changed."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")
        CANCELLED_BY_HALL = "cancelled_by_hall", _("Cancelled by the hall")
        NO_SHOW = "no_show", _("Marked as missed")
        CHECKED_IN = "checked_in", _("Checked in")
        ACCEPTED = "accepted", _("Application accepted")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("appointment event")
        verbose_name_plural = _("appointment events")

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.kind}"


class SlotWatch(models.Model):
    """ "Tell me when a seat opens" at a hall for a service in a date range (notified once)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slot_watches"
    )
    hall = models.ForeignKey("guide.Hall", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("guide.Service", on_delete=models.CASCADE, related_name="+")
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("seat alert")
        verbose_name_plural = _("seat alerts")
        constraints = [
            models.CheckConstraint(condition=Q(date_from__lte=F("date_to")), name="watch_range"),
        ]
        indexes = [models.Index(fields=["hall", "service", "date_from"], name="watch_lookup")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.hall_id}/{self.service_id} {self.date_from}..{self.date_to}"

    @property
    def is_active(self) -> bool:
        return self.notified_at is None and self.cancelled_at is None
