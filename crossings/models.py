"""Border crossings as the ports report them, the ports, and the ports' machine credentials.

On PostgreSQL the crossings table is partitioned by month of `occurred_at` (docs/scaling.md):
its primary key there is (id, occurred_at) and the idempotency key (port, event_id,
occurred_at) includes the partition key, as PostgreSQL requires. Django sees `id` as the primary
key, which stays unique (one sequence). SQLite keeps one plain table.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.masking import mask_document_number


class PortKind(models.TextChoices):
    AIR = "air", _("Air")
    SEA = "sea", _("Sea")
    LAND = "land", _("Land")
    RAIL = "rail", _("Rail")


class Side(models.TextChoices):
    """Where a port leads: Hong Kong, Macao, Taiwan, or elsewhere (airports, other borders)."""

    HKG = "HKG", _("Hong Kong")
    MAC = "MAC", _("Macao")
    TWN = "TWN", _("Taiwan")
    OTHER = "other", _("Other destinations")


class Direction(models.TextChoices):
    EXIT = "exit", _("Exit")
    ENTRY = "entry", _("Entry")


class Flag(models.TextChoices):
    """Why officers should look at a crossing; blank when nothing is wrong."""

    NONE = "", _("None")
    NO_ENDORSEMENT = "no_endorsement", _("No valid endorsement")


class Port(models.Model):
    """A border port (口岸) that reports crossings."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=PortKind.choices)
    side = models.CharField(_("leads to"), max_length=8, choices=Side.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("port")
        verbose_name_plural = _("ports")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z0-9-]{2,16}$"), name="port_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class PortCredential(models.Model):
    """One machine credential of a port: a public key id and a secret for HMAC signatures.

    The secret is never stored: it is derived from `salt` with the server's
    PORT_CREDENTIAL_KEY (crossings.signing), so a copy of the database alone signs nothing.
    Several credentials of a port may be active at once: rotation is "add the new one, move the
    port over, revoke the old one", with no downtime.
    """

    port = models.ForeignKey(Port, on_delete=models.PROTECT, related_name="credentials")
    key_id = models.CharField(_("key id"), max_length=40, unique=True)
    salt = models.CharField(max_length=64, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["port", "-created_at"]
        verbose_name = _("port credential")
        verbose_name_plural = _("port credentials")

    def __str__(self) -> str:
        return f"{self.port.code} {self.key_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Crossing(models.Model):
    """One crossing of the border by a person on a document, as a port reported it.

    `destination` is where the person went (exit) or came from (entry): ISO 3166 alpha-3, with
    HKG, MAC and TWN. `event_id` is the port's own id of the event: a resend of the same
    (port, event_id, occurred_at) adds nothing.
    """

    id = models.BigAutoField(primary_key=True)
    # No index per foreign key: (person, occurred_at) and the idempotency key (port, ...) lead
    # with them, and a 6.5-billion-row table cannot afford indexes nothing reads. No foreign-key
    # constraint in the database either (db_constraint=False): its per-row checks were 15 of the
    # 24 ms PostgreSQL spent inserting a batch of 500 (docs/benchmarks.md "Crossings"), and a
    # table distributed by person (docs/scaling.md) cannot reference the registry's tables. The
    # batch insert takes person and document from its own lookup in the same transaction;
    # PROTECT still keeps the ORM from deleting a person, document or port with crossings.
    person = models.ForeignKey(
        "persons.Person",
        on_delete=models.PROTECT,
        related_name="crossings",
        db_index=False,
        db_constraint=False,
    )
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="crossings",
        db_index=False,
        db_constraint=False,
    )
    port = models.ForeignKey(
        Port,
        on_delete=models.PROTECT,
        related_name="crossings",
        db_index=False,
        db_constraint=False,
    )
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("when"))
    destination = models.CharField(_("destination or origin"), max_length=3)
    vehicle = models.CharField(_("flight or vehicle"), max_length=16, blank=True)
    event_id = models.CharField(_("port's event id"), max_length=64)
    received_at = models.DateTimeField(_("received"))
    flag = models.CharField(_("flag"), max_length=16, choices=Flag.choices, blank=True)
    # The endorsement whose trip this exit used (exits to HKG, MAC, TWN on a card pass).
    endorsement = models.ForeignKey(
        "endorsements.Endorsement",
        verbose_name=_("endorsement used"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crossings",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("crossing")
        verbose_name_plural = _("crossings")
        constraints = [
            models.UniqueConstraint(
                fields=["port", "event_id", "occurred_at"], name="crossing_port_event_unique"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["exit", "entry"]), name="crossing_direction_known"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="crossing_person_time_idx"),
            models.Index(
                fields=["occurred_at"], condition=~Q(flag=""), name="crossing_flagged_idx"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_direction_display()} "
            f"{mask_document_number(self.document.number) if self.document_id else ''}"
        )


class CrossingMonth(models.Model):
    """How many crossings a person has in a month (UTC, the partitions' months): the months a
    page of their records must read, so that it opens those partitions only, not all 124.
    Kept by the batch insert (crossings.services); months past retention leave with them."""

    # No constraint in the database, as Crossing.person (its per-row check in every batch).
    person = models.ForeignKey(
        "persons.Person",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    month = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("crossings of a month")
        verbose_name_plural = _("crossings of a month")
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="crossing_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.count}"
