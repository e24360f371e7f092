"""The service guide: administrative regions, services, halls with their hours, and guides."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.i18n import localized


class Region(models.Model):
    """An administrative division (GB/T 2260): province, prefecture-level city or county."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    code = models.CharField(
        _("code"),
        max_length=6,
        primary_key=True,
        validators=[RegexValidator(r"^\d{6}$", _("A region code is six digits."))],
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=128)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True)
                | Q(~Q(level="province"), parent__isnull=False),
                name="region_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        return localized(self, "name")


class Service(models.Model):
    """Something a hall does: a document, an endorsement, or a record certificate."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Travel document")
        ENDORSEMENT = "endorsement", _("Endorsement")
        RECORD = "record", _("Records and certificates")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=128)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        return localized(self, "name")


class Hall(models.Model):
    """An exit-entry hall where citizens apply, pay and collect."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]{3,20}$", _("Letters, digits and hyphens."))],
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=200)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="halls"
    )
    address_zh = models.CharField(_("address (Chinese)"), max_length=200)
    address_en = models.CharField(_("address (English)"), max_length=300)
    latitude = models.DecimalField(_("latitude (WGS-84)"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude (WGS-84)"), max_digits=9, decimal_places=6)
    phone = models.CharField(_("phone"), max_length=32)
    services = models.ManyToManyField(Service, verbose_name=_("services"), related_name="halls")
    accessibility_zh = models.TextField(_("accessibility (Chinese)"), blank=True)
    accessibility_en = models.TextField(_("accessibility (English)"), blank=True)
    is_active = models.BooleanField(_("open to the public"), default=True)
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Demo data, not a real hall.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[services])

    class Meta:
        ordering = ["region_id", "code"]
        verbose_name = _("hall")
        verbose_name_plural = _("halls")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="hall_location_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        return localized(self, "name")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening interval of a hall's regular week (a split shift is two rows)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["hall", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")), name="hours_open_before_close"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_valid"),
            models.UniqueConstraint(fields=["hall", "weekday", "opens"], name="hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class HallException(models.Model):
    """A dated change to one hall's hours: closed for the day, or special hours instead."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason_zh = models.CharField(_("reason (Chinese)"), max_length=200)
    reason_en = models.CharField(_("reason (English)"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        ordering = ["hall", "date", "opens"]
        verbose_name = _("hall exception")
        verbose_name_plural = _("hall exceptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed=True, opens__isnull=True, closes__isnull=True)
                | Q(closed=False, opens__isnull=False, closes__isnull=False, opens__lt=F("closes")),
                name="exception_closed_or_valid_hours",
            ),
            models.UniqueConstraint(
                fields=["hall", "date"], condition=Q(closed=True), name="exception_one_closure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall.code} {self.date}"

    @property
    def reason(self) -> str:
        return localized(self, "reason")


class CalendarDay(models.Model):
    """A national calendar entry that overrides the built-in official calendar.

    The official public holidays and make-up working days come from the chinesecalendar package;
    administrators add a row here for a year the package does not know yet, or to correct it.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (halls closed)")
        WORKDAY = "workday", _("Make-up working day (halls open)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=128)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("national calendar day")
        verbose_name_plural = _("national calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name_zh}"


class Guide(models.Model):
    """How to obtain one service: who, materials, fees, time, steps, where, FAQs."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="guides"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_zh = models.TextField(_("summary (Chinese)"))
    summary_en = models.TextField(_("summary (English)"))
    eligibility_zh = models.TextField(_("who may apply (Chinese)"))
    eligibility_en = models.TextField(_("who may apply (English)"))
    materials_zh = models.TextField(_("materials (Chinese)"), help_text=_("One item per line."))
    materials_en = models.TextField(_("materials (English)"), help_text=_("One item per line."))
    fees_zh = models.TextField(_("fees (Chinese)"))
    fees_en = models.TextField(_("fees (English)"))
    processing_time_zh = models.TextField(_("processing time (Chinese)"))
    processing_time_en = models.TextField(_("processing time (English)"))
    steps_zh = models.TextField(_("steps (Chinese)"), help_text=_("One step per line."))
    steps_en = models.TextField(_("steps (English)"), help_text=_("One step per line."))
    where_zh = models.TextField(_("where to apply (Chinese)"))
    where_en = models.TextField(_("where to apply (English)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")

    def __str__(self) -> str:
        return self.title_zh


class GuideFAQ(models.Model):
    """A question and answer shown on a guide."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="faqs")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    question_zh = models.CharField(_("question (Chinese)"), max_length=200)
    question_en = models.CharField(_("question (English)"), max_length=300)
    answer_zh = models.TextField(_("answer (Chinese)"))
    answer_en = models.TextField(_("answer (English)"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["guide", "order", "id"]
        verbose_name = _("frequently asked question")
        verbose_name_plural = _("frequently asked questions")

    def __str__(self) -> str:
        return self.question_zh
