"""Travel endorsements (签注) on card passes, the policy they follow, and exit restrictions.

The policy is data (DOMAIN.md, "Endorsements"): one EndorsementPolicy row per destination, type
and option, edited by administrators in the back-office with history. An Endorsement's status is
one workflow (endorsements.workflow, on core.workflow); every action appends an EndorsementEvent
(append-only in the database, migration 0002).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Destination(models.TextChoices):
    HKG = "HKG", _("Hong Kong")
    MAC = "MAC", _("Macao")
    TWN = "TWN", _("Taiwan")


class EndorsementType(models.TextChoices):
    L = "L", _("Group travel")
    G = "G", _("Individual travel")
    S = "S", _("Business")
    T = "T", _("Visiting relatives")
    Q = "Q", _("Other")
    D = "D", _("Stay")
    F = "F", _("Business (Taiwan)")
    Y = "Y", _("Invited")


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")


# What a type may ask the applicant (EndorsementPolicy.requires names these).
class Answer(models.TextChoices):
    RELATIVE_NAME = "relative_name", _("Name of the relative you visit")
    RELATIONSHIP = "relationship", _("Your relationship to them")
    INVITING_COMPANY = "inviting_company", _("Inviting company or organisation")
    PURPOSE = "purpose", _("Purpose of the trip")


class EndorsementPolicy(models.Model):
    """One option of one endorsement type for one destination: validity, trips, stay, fee, who
    is eligible, whether it is suspended, and from when to when it applies."""

    destination = models.CharField(_("destination"), max_length=3, choices=Destination.choices)
    type_code = models.CharField(_("type"), max_length=1, choices=EndorsementType.choices)
    option_code = models.SlugField(_("option"), max_length=16)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=120)
    validity_months = models.PositiveSmallIntegerField(_("validity (months)"))
    # None: multiple trips (unlimited within the validity).
    trips = models.PositiveSmallIntegerField(_("trips"), null=True, blank=True)
    # None: as approved by the destination (D).
    stay_days = models.PositiveSmallIntegerField(_("stay per trip (days)"), null=True, blank=True)
    fee = models.DecimalField(_("fee (RMB)"), max_digits=8, decimal_places=2)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    # Household-registration cities (GB/T 2260 codes of prefecture-level cities, "440300") or
    # provinces ("440000"); empty: residents anywhere.
    eligible_regions = models.JSONField(_("eligible household regions"), default=list, blank=True)
    # Relationships to the relative visited (Relationship values); empty: none asked.
    relationships = models.JSONField(_("relationships allowed"), default=list, blank=True)
    # Answers the applicant must give (Answer values).
    requires = models.JSONField(_("answers required"), default=list, blank=True)
    suspended = models.BooleanField(_("suspended"), default=False)
    suspension_note_zh = models.CharField(
        _("suspension note (Chinese)"), max_length=200, blank=True
    )
    suspension_note_en = models.CharField(
        _("suspension note (English)"), max_length=300, blank=True
    )
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    # Where the fact comes from; facts marked [?] in DOMAIN.md are to be confirmed.
    note = models.TextField(_("note"), blank=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["destination", "sort", "type_code", "option_code"]
        verbose_name = _("endorsement policy")
        verbose_name_plural = _("endorsement policies")
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "type_code", "option_code", "effective_from"],
                name="endorsement_policy_unique",
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=F("effective_from")),
                name="endorsement_policy_dates",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="endorsement_policy_fee"),
            models.CheckConstraint(
                condition=Q(validity_months__gte=1), name="endorsement_policy_validity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.destination} {self.type_code} {self.option_code}"


class EndorsementStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved, waiting for payment")
    REJECTED = "rejected", _("Not approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PAID = "paid", _("Paid, waiting for printing")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    USED_UP = "used_up", _("Used up")


# Not yet ended: one per document, destination and type (a partial unique index).
PENDING = (
    EndorsementStatus.APPLIED,
    EndorsementStatus.UNDER_REVIEW,
    EndorsementStatus.APPROVED,
    EndorsementStatus.PAID,
)


class Channel(models.TextChoices):
    HALL = "hall", _("At a hall")
    KIOSK = "kiosk", _("At a self-service kiosk")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Bank card")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


class RejectionReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for this endorsement")
    DOCUMENT = "document", _("The pass cannot carry this endorsement")
    MATERIALS = "materials", _("Information missing or not credible")
    RESTRICTED = "restricted", _("Cannot be approved online")
    OTHER = "other", _("Other")


class Endorsement(models.Model):
    """One endorsement on one card pass, from the online application to the last trip."""

    number = models.CharField(_("endorsement number"), max_length=16, unique=True)
    # The number the citizen holds for the progress lookup, in the applications' format (date
    # of applying, Beijing time, and eight random digits: 14 digits).
    application_number = models.CharField(_("application number"), max_length=14, unique=True)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="endorsements"
    )
    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(EndorsementPolicy, on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(_("destination"), max_length=3, choices=Destination.choices)
    type_code = models.CharField(_("type"), max_length=1, choices=EndorsementType.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    # None: multiple trips.
    trips_total = models.PositiveSmallIntegerField(_("trips"), null=True, blank=True)
    trips_used = models.PositiveSmallIntegerField(_("trips used"), default=0)
    stay_days = models.PositiveSmallIntegerField(_("stay per trip (days)"), null=True, blank=True)
    fee = models.DecimalField(_("fee (RMB)"), max_digits=8, decimal_places=2)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    channel = models.CharField(_("paid and printed"), max_length=8, choices=Channel.choices)
    hall = models.ForeignKey(
        "guide.Hall", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EndorsementStatus.choices,
        default=EndorsementStatus.APPLIED,
    )
    # The automatic checks that failed (codes), shown to the officer.
    failed_checks = models.JSONField(_("failed checks"), default=list, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied"))
    # The client's Idempotency-Key ("#" and the item's index appended) and the request's hash:
    # a retry returns the first result, another request under the same key is refused.
    idempotency_key = models.CharField(max_length=110, blank=True)
    request_hash = models.CharField(max_length=32, blank=True)
    rejection_reason = models.CharField(
        _("reason for rejection"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    rejection_note = models.CharField(_("reason the applicant reads"), max_length=500, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=8, choices=PaymentMethod.choices, blank=True
    )
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        indexes = [
            models.Index(fields=["document", "destination", "status"], name="endorsement_trip"),
            models.Index(fields=["person", "-applied_at"], name="endorsement_person"),
            models.Index(fields=["status", "applied_at"], name="endorsement_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(trips_total__isnull=True) | Q(trips_used__lte=F("trips_total")),
                name="endorsement_trips_used_within_total",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="endorsement_validity"
            ),
            models.CheckConstraint(
                condition=~Q(channel="hall") | Q(hall__isnull=False),
                name="endorsement_hall_channel_has_hall",
            ),
            models.UniqueConstraint(
                fields=["document", "destination", "type_code"],
                condition=Q(status__in=[s.value for s in PENDING]),
                name="endorsement_one_pending_per_type",
            ),
            models.UniqueConstraint(
                fields=["applied_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="endorsement_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def trips_left(self) -> int | None:
        if self.trips_total is None:
            return None
        return max(self.trips_total - self.trips_used, 0)


class EndorsementEvent(models.Model):
    """One step of an endorsement's timeline. Appended, never changed (database triggers)."""

    endorsement = models.ForeignKey(Endorsement, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32, blank=True)
    from_status = models.CharField(max_length=16, choices=EndorsementStatus.choices, blank=True)
    status = models.CharField(max_length=16, choices=EndorsementStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=32, blank=True)
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("endorsement event")
        verbose_name_plural = _("endorsement events")

    def __str__(self) -> str:
        return f"{self.endorsement_id} {self.status}"


class ExitRestriction(models.Model):
    """A legal restriction on a person's exit (placed and lifted by supervisors). While active
    it blocks approving and printing endorsements; the citizen is told only to contact a hall."""

    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="exit_restrictions"
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    note = models.CharField(_("note"), max_length=500, blank=True)
    ends_on = models.DateField(_("ends on"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.CharField(_("reason for lifting"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("exit restriction")
        verbose_name_plural = _("exit restrictions")
        indexes = [models.Index(fields=["person", "ends_on"], name="restriction_person")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(legal_basis=""), name="restriction_has_legal_basis"
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | ~Q(lift_reason=""),
                name="restriction_lift_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} until {self.ends_on}"
