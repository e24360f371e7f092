"""Endorsement writes: apply, review, pay, print, consume a trip; exit restrictions; the policy.

Each service is one transaction; the status changes only through endorsements.workflow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Hashable, Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.auth import require_bound
from applications.models import ApplicationNumber
from applications.numbers import application_number_new
from core.dates import today_shanghai
from core.errors import (
    IdempotencyKeyReused,
    InvalidReasonCode,
    OutsideTransaction,
    ReasonTextRequired,
)
from core.i18n import localized
from core.rawsql import RawGuardedInsert
from core.workflow import Step
from documents.services import idempotency_key_clean
from guide.calendar import SHANGHAI
from guide.models import Hall
from notifications.models import Notification
from notifications.relay import relay_kick
from notifications.services import notification_fan_out
from persons.models import Person
from persons.selectors import age_on
from staff.models import AccessAction, AccessLog
from staff.permissions import Permission
from staff.selectors import staff_require

from . import checks, selectors
from .errors import (
    AlreadyApplied,
    AnswerRequired,
    EndorsementSuspended,
    ExitRestricted,
    HallRequired,
    NotACardPass,
    NothingChosen,
    PassNotUsable,
    PaymentInvalid,
    RestrictionInvalid,
)
from .messages import endorsement_message_new
from .models import (
    PENDING,
    Answer,
    Channel,
    Endorsement,
    EndorsementEvent,
    EndorsementPolicy,
    EndorsementStatus,
    ExitRestriction,
    PaymentMethod,
    RejectionReason,
    Relationship,
)
from .workflow import ENDORSEMENTS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TripExit:
    """One exit that uses a trip: `key` is the caller's name for it (e.g. the event id)."""

    key: Hashable
    document_id: int
    destination: str
    crossed_at: dt.datetime


# A batch's endorsements locked in one statement, the pairs as one JSON parameter (psycopg dumps
# a list parameter element by element in Python; see crossings.services). Fixed SQL.
# Driven by the pairs (sorted), one probe of the (document, destination, status) index each
# whatever the statistics say; rows locked in that order by every batch: no deadlock.
_PG_LOCK_FOR_TRIPS = (
    "SELECT e.* FROM json_to_recordset(%s::json) AS t(d bigint, dest text), LATERAL ("
    "SELECT e.id, e.document_id, e.destination, e.valid_from, e.valid_until, e.trips_total, "
    "e.trips_used FROM endorsements_endorsement e WHERE e.document_id = t.d "
    "AND e.destination = t.dest AND e.status = %s ORDER BY e.id FOR UPDATE) AS e"
)
_PG_ADD_TRIPS = (
    "UPDATE endorsements_endorsement e SET trips_used = e.trips_used + t.n "
    "FROM json_to_recordset(%s::json) AS t(id bigint, n integer) WHERE e.id = t.id"
)


@dataclass
class _Trips:
    """An active endorsement as trip use sees it (locked)."""

    id: int
    document_id: int
    destination: str
    valid_from: dt.date
    valid_until: dt.date
    trips_total: int | None
    trips_used: int
    used_now: int = 0
    last_at: dt.datetime | None = None

    def usable_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until and (
            self.trips_total is None or self.trips_used < self.trips_total
        )

    def preference(self) -> tuple:
        # The one that expires first; a limited one before a multiple-trip one.
        return (self.valid_until, self.trips_total is None, self.trips_total or 0, self.id)


def _lock_for_trips(pairs: set[tuple[int, str]]) -> list[_Trips]:
    """The active endorsements of these (document, destination) pairs, locked in (document,
    destination, id) order (two batches lock the same rows in the same order: no deadlock)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_LOCK_FOR_TRIPS,
                [
                    json.dumps([{"d": d, "dest": dest} for d, dest in sorted(pairs)]),
                    EndorsementStatus.ACTIVE.value,
                ],
            )
            return [_Trips(*row) for row in cursor.fetchall()]
    found = (
        Endorsement.objects.select_for_update(of=("self",))
        .filter(
            document_id__in={d for d, _dest in pairs},
            destination__in={dest for _d, dest in pairs},
            status=EndorsementStatus.ACTIVE,
        )
        .order_by("document_id", "destination", "id")
        .values_list(
            "id",
            "document_id",
            "destination",
            "valid_from",
            "valid_until",
            "trips_total",
            "trips_used",
        )
    )
    return [_Trips(*row) for row in found if (row[1], row[2]) in pairs]


def trips_use(
    *,
    exits: Iterable[TripExit],
    after_lock: Callable[[list[Hashable]], Iterable[Hashable]] | None = None,
) -> dict[Hashable, int | None]:
    """Use one trip for each exit and return {exit key: id of the endorsement it used, or None
    when none was valid}. Inside the caller's transaction: the endorsements stay locked until
    it commits. `after_lock(keys)`, called once the endorsements are locked, keeps the exits
    that still use a trip (crossings: those not recorded yet, which only a check made after the
    lock answers for a copy of the batch sent at the same time).

    Oldest exit first (a late exit that arrives after newer ones takes what is left valid on its
    day), each using the document's active endorsement for its destination valid on the day of
    the crossing (Beijing time) that expires first among those with trips left. Multiple-trip
    endorsements (no total) count the trip and never run out; the last trip of a limited one
    moves it to used up. The database refuses trips_used above trips_total. A whole batch's
    exits take one statement to lock, one to count: not a few per exit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransaction("trips_use inside transaction.atomic()")
    exits = sorted(exits, key=lambda e: (e.crossed_at, str(e.key)))
    if not exits:
        return {}
    candidates: dict[tuple[int, str], list[_Trips]] = {}
    for found in _lock_for_trips({(e.document_id, e.destination) for e in exits}):
        candidates.setdefault((found.document_id, found.destination), []).append(found)
    if after_lock is not None:
        kept = set(after_lock([e.key for e in exits]))
        exits = [e for e in exits if e.key in kept]
    used: dict[Hashable, int | None] = {}
    for trip in exits:
        day = trip.crossed_at.astimezone(SHANGHAI).date()
        usable = [
            e for e in candidates.get((trip.document_id, trip.destination), ()) if e.usable_on(day)
        ]
        if not usable:
            used[trip.key] = None
            continue
        chosen = min(usable, key=_Trips.preference)
        chosen.trips_used += 1
        chosen.used_now += 1
        chosen.last_at = trip.crossed_at
        used[trip.key] = chosen.id
    counted = [e for group in candidates.values() for e in group if e.used_now]
    used_up = [e for e in counted if e.trips_total is not None and e.trips_used >= e.trips_total]
    _add_trips([e for e in counted if e not in used_up])
    if used_up:
        # The last trips: their counts and statuses in the workflow's one UPDATE for all of
        # them, with their events (rows already locked above).
        ENDORSEMENTS.apply_many(
            [e.id for e in used_up],
            "use_up",
            changes={e.id: {"trips_used": e.trips_used} for e in used_up},
            at={e.id: e.last_at for e in used_up},
        )
    return used


def _add_trips(counted: list[_Trips]) -> None:
    if not counted:
        return
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_ADD_TRIPS, [json.dumps([{"id": e.id, "n": e.used_now} for e in counted])]
            )
        return
    for endorsement in counted:
        Endorsement.objects.filter(pk=endorsement.id).update(
            trips_used=F("trips_used") + endorsement.used_now
        )


# Endorsements expired per run at most (the next run takes the rest).
EXPIRE_BATCH = 5000


def endorsements_expire(*, now: dt.datetime | None = None) -> int:
    """Move every active endorsement whose last valid day (Beijing time) has passed to expired,
    through the workflow (an `expire` event each, by the system); return how many. Run by the
    periodic work (endorsements.tasks.expire; `manage.py endorsements_tick` when embedded).
    Each in its own short transaction, locked and checked again: a trip counted meanwhile (the
    last one: used up) or a second run at the same time is left alone."""
    now = now or timezone.now()
    today = today_shanghai(now)
    due = Endorsement.objects.filter(status=EndorsementStatus.ACTIVE, valid_until__lt=today)
    count = 0
    for pk in list(due.order_by("valid_until", "id").values_list("pk", flat=True)[:EXPIRE_BATCH]):
        with transaction.atomic():
            locked = (
                Endorsement.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(pk=pk, status=EndorsementStatus.ACTIVE, valid_until__lt=today)
                .first()
            )
            if locked is None:
                continue
            ENDORSEMENTS.apply(locked, "expire", at=now)
            count += 1
    if count:
        logger.info("%d endorsements expired", count)
    return count


# --- applying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One endorsement asked for: destination, type, option and the answers the type needs."""

    destination: str
    type_code: str
    option_code: str
    answers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Applied:
    endorsements: list[Endorsement]
    created: bool  # False: a retry (same Idempotency-Key) found the first application
    # The timeline of each endorsement made (by pk), as written: the answer needs no read back.
    events: dict[int, list[EndorsementEvent]] = field(default_factory=dict)


def endorsement_number_new(*, destination: str, type_code: str, now: dt.datetime) -> str:
    """Destination letter, type, date (Beijing time) and eight random digits: 16 characters."""
    day = now.astimezone(SHANGHAI)
    return f"{destination[0]}{type_code}{day:%y%m%d}{secrets.randbelow(10**8):08d}"


def validity_end(start: dt.date, months: int) -> dt.date:
    """The last valid day of an endorsement of `months` starting on `start`."""
    return start + relativedelta(months=months) - dt.timedelta(days=1)


def _region_eligible(region_code: str, eligible: list[str]) -> bool:
    if not eligible:
        return True
    return bool({region_code, f"{region_code[:4]}00", f"{region_code[:2]}0000"} & set(eligible))


def endorsement_checks(
    *,
    found: selectors.PassForApplying,
    policy: EndorsementPolicy,
    answers: dict,
    valid_from: dt.date,
    today: dt.date,
) -> list[str]:
    """The automatic checks that fail (codes in endorsements.checks), in a fixed order, on what
    selectors.pass_for_applying read (no query)."""
    document, person = found.view.document, found.view.document.person
    failed = []
    if document.expires_on < validity_end(valid_from, policy.validity_months):
        failed.append(checks.PASS_EXPIRES_TOO_SOON)
    if not _region_eligible(person.household_region_id, list(policy.eligible_regions or [])):
        failed.append(checks.REGION_NOT_ELIGIBLE)
    age = age_on(person.birth_date, today)
    if (policy.min_age is not None and age < policy.min_age) or (
        policy.max_age is not None and age > policy.max_age
    ):
        failed.append(checks.AGE_NOT_ELIGIBLE)
    if policy.relationships and answers.get("relationship") not in policy.relationships:
        failed.append(checks.RELATIONSHIP_NOT_ELIGIBLE)
    if any(
        e.status == EndorsementStatus.ACTIVE
        and e.valid_until >= valid_from
        and (e.trips_total is None or e.trips_used < e.trips_total)
        for e in _same_type(found, policy)
    ):
        failed.append(checks.OVERLAPPING)
    if found.restricted:
        failed.append(checks.RESTRICTED)
    return failed


def _same_type(found: selectors.PassForApplying, policy: EndorsementPolicy) -> list[Endorsement]:
    return [
        e
        for e in found.open_endorsements
        if (e.destination, e.type_code) == (policy.destination, policy.type_code)
    ]


def _answers_clean(policy: EndorsementPolicy, answers: dict, index: int) -> dict:
    """The answers the type requires, trimmed; a missing or unknown one is a 422 on its field."""
    clean = {}
    for name in policy.requires or []:
        value = str((answers or {}).get(name) or "").strip()
        where = f"items.{index}.answers.{name}"
        if not value or len(value) > 200:
            raise AnswerRequired(field=where)
        if name == Answer.RELATIONSHIP and value not in Relationship.values:
            raise AnswerRequired(_("Choose the relationship from the list."), field=where)
        clean[name] = value
    return clean


def _fingerprint(document_id: int, choices: list[Choice], channel: str, hall_code: str) -> str:
    payload = json.dumps(
        [document_id, [asdict(c) for c in choices], channel, hall_code],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _earlier(user, key: str) -> list[Endorsement]:
    return list(
        Endorsement.objects.filter(applied_by=user, idempotency_key__startswith=f"{key}#")
        .select_related("policy", "document", "hall")
        .order_by("id")
    )


def _replay(earlier: list[Endorsement], fingerprint: str) -> Applied:
    if earlier[0].request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return Applied(endorsements=earlier, created=False)


# How often applying is tried when the database refuses a write (IntegrityError): an
# application number drawn that another application holds (applications.numbers), or a
# concurrent request for the same type or under the same Idempotency-Key (found on the retry).
APPLY_ATTEMPTS = 3


def endorsement_apply(
    *,
    user,
    document_id: int,
    choices: list[Choice],
    channel: str,
    hall_code: str = "",
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> Applied:
    """Apply for one or more endorsements on a card pass of the user's or their minor's, check
    each at once and approve it when every check passes (else send it to an officer with the
    failed checks). A retry with the same Idempotency-Key returns the first result."""
    require_bound(user)
    now = now or timezone.now()
    key = idempotency_key_clean(idempotency_key)
    fingerprint = _fingerprint(document_id, choices, channel, hall_code)
    if key:
        earlier = _earlier(user, key)
        if earlier:
            return _replay(earlier, fingerprint)
    for _attempt in range(APPLY_ATTEMPTS):
        try:
            return _apply(
                user=user,
                document_id=document_id,
                choices=choices,
                channel=channel,
                hall_code=hall_code,
                key=key,
                fingerprint=fingerprint,
                now=now,
            )
        except IntegrityError:
            # Read again on the next attempt: a concurrent application for the same type is
            # then seen (AlreadyApplied), an application number taken is drawn again.
            if key:
                earlier = _earlier(user, key)
                if earlier:
                    return _replay(earlier, fingerprint)
    raise AlreadyApplied()


def _apply(*, user, document_id, choices, channel, hall_code, key, fingerprint, now) -> Applied:
    today = today_shanghai(now)
    # someone else's pass: 404
    found = selectors.pass_for_applying(user=user, document_id=document_id, today=today)
    view = found.view
    document, person = view.document, view.document.person
    if document.type not in selectors.CARD_PASSES:
        raise NotACardPass()
    if not view.usable:
        raise PassNotUsable()
    if not choices:
        raise NothingChosen()
    hall = None
    if channel == Channel.HALL:
        hall = Hall.objects.filter(code=hall_code, is_active=True).first() if hall_code else None
        if hall is None:
            raise HallRequired()
    elif channel != Channel.KIOSK:
        raise HallRequired(_("Choose a hall or a self-service kiosk."), field="channel")
    planned = []
    seen = set()
    for index, choice in enumerate(choices):
        policy = selectors.policy_option(
            destination=choice.destination,
            type_code=choice.type_code,
            option_code=choice.option_code,
            today=today,
        )
        if selectors.PASS_FOR[policy.destination] != document.type:
            raise NotACardPass()
        if policy.suspended:
            raise EndorsementSuspended(localized(policy, "suspension_note") or "")
        if (policy.destination, policy.type_code) in seen:
            raise AlreadyApplied()
        seen.add((policy.destination, policy.type_code))
        answers = _answers_clean(policy, choice.answers, index)
        failed = endorsement_checks(
            found=found, policy=policy, answers=answers, valid_from=today, today=today
        )
        planned.append((policy, answers, failed))
    # One not yet ended per pass and type (the database's partial unique index stands behind
    # this for concurrent requests: endorsement_apply tries again and lands here).
    if any(e.status in PENDING for policy, _a, _f in planned for e in _same_type(found, policy)):
        raise AlreadyApplied()
    made, events = [], {}
    # One endorsement is one statement, atomic by itself; several share a transaction.
    with transaction.atomic() if len(planned) > 1 else nullcontext():
        for index, (policy, answers, failed) in enumerate(planned):
            endorsement, timeline = _apply_one(
                user=user,
                person=person,
                document=document,
                policy=policy,
                answers=answers,
                fingerprint=fingerprint,
                failed=failed,
                channel=channel,
                hall=hall,
                key=f"{key}#{index}" if key else "",
                today=today,
                now=now,
            )
            made.append(endorsement)
            events[endorsement.pk] = timeline
    logger.info("endorsements %s applied for", ", ".join(e.number for e in made))
    return Applied(endorsements=made, created=True, events=events)


# An application: its number (one series with the document applications'), the endorsement,
# its two events and the message (a row per channel the applicant chose; none when referred),
# written in one statement (core.rawsql; on PostgreSQL one round trip instead of seven, BEGIN
# to COMMIT). The number's primary key, the one-pending-per-type and the idempotency indexes
# refuse a duplicate: nothing is written and endorsement_apply tries again.
_APPLY_ROWS = {
    rows: RawGuardedInsert(
        None,
        [ApplicationNumber, Endorsement, EndorsementEvent, EndorsementEvent]
        + [Notification] * rows,
        links={(2, "endorsement"): 1, (3, "endorsement"): 1},
    )
    for rows in (0, 1, 2)
}


def _apply_one(
    *, user, person, document, policy, answers, fingerprint, failed, channel, hall, key, today, now
) -> tuple[Endorsement, list[EndorsementEvent]]:
    number = ApplicationNumber(
        number=application_number_new(now),
        kind=ApplicationNumber.Kind.ENDORSEMENT,
        allocated_at=now,
    )
    endorsement = Endorsement(
        number=endorsement_number_new(
            destination=policy.destination, type_code=policy.type_code, now=now
        ),
        application_number=number.number,
        document=document,
        person=person,
        policy=policy,
        destination=policy.destination,
        type_code=policy.type_code,
        valid_from=today,
        valid_until=min(validity_end(today, policy.validity_months), document.expires_on),
        trips_total=policy.trips,
        stay_days=policy.stay_days,
        fee=policy.fee,
        answers=answers,
        channel=channel,
        hall=hall,
        status=EndorsementStatus.APPLIED,
        failed_checks=failed,
        applied_by=user,
        applied_at=now,
        idempotency_key=key,
        request_hash=fingerprint,
    )
    applied = EndorsementEvent(
        endorsement=endorsement,
        action="apply",
        status=EndorsementStatus.APPLIED,
        actor=user,
        at=now,
        data={"on_behalf": person.pk != user.person_id},
    )

    def write(endorsement: Endorsement, events: list, step: Step) -> None:
        kind = step.action.message
        messages = []
        if kind:
            message = endorsement_message_new(endorsement, kind=kind, note=step.reason or step.note)
            messages = notification_fan_out(message)
        _APPLY_ROWS[len(messages)].save([], [number, endorsement, *events, *messages])
        if messages:
            transaction.on_commit(relay_kick, robust=True)  # at once when no transaction is open

    # Applied, then at once approved or sent to an officer: written with the status the decision
    # leads to, after the two events of its timeline (core.workflow, a new record). The decision
    # comes a microsecond after the application: the timeline's order does not rest on the
    # events' keys (PostgreSQL inserts the statement's rows in no set order).
    decided_at = now + dt.timedelta(microseconds=1)
    if failed:
        decided = ENDORSEMENTS.apply(
            endorsement,
            "refer",
            data={"failed_checks": failed},
            at=decided_at,
            before=lambda _e: [applied],
            write=write,
        )
    else:
        decided = ENDORSEMENTS.apply(
            endorsement, "auto_approve", at=decided_at, before=lambda _e: [applied], write=write
        )
    return endorsement, [applied, decided]


@transaction.atomic
def endorsement_withdraw(*, user, endorsement: Endorsement) -> Endorsement:
    """The applicant withdraws an endorsement not yet paid (a repeat changes nothing)."""
    if endorsement.status == EndorsementStatus.WITHDRAWN:
        return endorsement
    ENDORSEMENTS.apply(endorsement, "withdraw", actor=user)
    return endorsement


# --- officers ---------------------------------------------------------------------------------


def _restricted(endorsement: Endorsement) -> bool:
    return selectors.restriction_active(person_id=endorsement.person_id) is not None


@transaction.atomic
def endorsement_approve(*, staff, endorsement: Endorsement, note: str = "") -> Endorsement:
    """An officer approves an endorsement under review; a repeat changes nothing. An active exit
    restriction refuses it."""
    if endorsement.status == EndorsementStatus.APPROVED:
        return endorsement
    if _restricted(endorsement):
        raise ExitRestricted()
    ENDORSEMENTS.apply(endorsement, "approve", actor=staff, note=note)
    return endorsement


@transaction.atomic
def endorsement_reject(
    *, staff, endorsement: Endorsement, reason_code: str, reason: str
) -> Endorsement:
    """An officer rejects with a reason code and the text the applicant reads."""
    if reason_code not in RejectionReason.values:
        raise InvalidReasonCode()
    reason = (reason or "").strip()
    if not 10 <= len(reason) <= 500:
        raise ReasonTextRequired()
    if endorsement.status == EndorsementStatus.REJECTED:
        return endorsement
    ENDORSEMENTS.apply(
        endorsement,
        "reject",
        actor=staff,
        reason=reason,
        data={"reason_code": reason_code},
        changes={"rejection_reason": reason_code, "rejection_note": reason},
    )
    return endorsement


@transaction.atomic
def endorsement_pay(
    *, actor, endorsement: Endorsement, method: str, receipt_number: str, now=None
) -> Endorsement:
    """Record the payment (method, receipt number); paying again changes nothing."""
    receipt_number = (receipt_number or "").strip()
    if method not in PaymentMethod.values or not (1 <= len(receipt_number) <= 40):
        raise PaymentInvalid()
    locked = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
    if locked.status in (EndorsementStatus.PAID, EndorsementStatus.ACTIVE):
        endorsement.status = locked.status
        return locked
    ENDORSEMENTS.apply(
        endorsement,
        "pay",
        actor=actor,
        data={"method": method, "receipt_number": receipt_number},
        changes={
            "payment_method": method,
            "receipt_number": receipt_number,
            "paid_at": now or timezone.now(),
        },
    )
    return endorsement


@transaction.atomic
def endorsement_print(*, actor, endorsement: Endorsement, now=None) -> Endorsement:
    """Print a paid endorsement onto the pass: it becomes active from today, for its months,
    never beyond the pass. Printing again (a reprint of the label) changes nothing. An active
    exit restriction refuses it."""
    locked = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
    if locked.status == EndorsementStatus.ACTIVE:
        return locked
    if _restricted(endorsement):
        raise ExitRestricted()
    now = now or timezone.now()
    today = today_shanghai(now)
    policy = endorsement.policy
    until = min(validity_end(today, policy.validity_months), endorsement.document.expires_on)
    ENDORSEMENTS.apply(
        endorsement,
        "print",
        actor=actor,
        at=now,
        changes={"printed_at": now, "valid_from": today, "valid_until": max(until, today)},
    )
    return endorsement


# --- exit restrictions ------------------------------------------------------------------------


@transaction.atomic
def restriction_place(
    *,
    staff,
    person: Person,
    legal_basis: str,
    ends_on: dt.date,
    note: str = "",
    client_address: str | None = None,
    now=None,
) -> ExitRestriction:
    """A supervisor places an exit restriction on a person (written to the access log)."""
    staff_require(staff, Permission.APPLICATION_DECIDE)
    now = now or timezone.now()
    legal_basis = (legal_basis or "").strip()
    if not legal_basis or len(legal_basis) > 300 or ends_on <= today_shanghai(now):
        raise RestrictionInvalid()
    restriction = ExitRestriction.objects.create(
        person=person,
        legal_basis=legal_basis,
        note=(note or "").strip()[:500],
        ends_on=ends_on,
        placed_by=staff,
        placed_at=now,
    )
    AccessLog.objects.create(
        staff=staff,
        person=person,
        action=AccessAction.LOOKUP,
        reason=f"exit restriction placed: {legal_basis}"[:300],
        client_address=client_address or None,
    )
    return restriction


@transaction.atomic
def restriction_lift(
    *, staff, restriction: ExitRestriction, reason: str, client_address: str | None = None
) -> ExitRestriction:
    """A supervisor lifts a restriction, with the reason; lifting again changes nothing."""
    staff_require(staff, Permission.APPLICATION_DECIDE)
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise RestrictionInvalid(_("Give the reason for lifting it."), field="reason")
    locked = ExitRestriction.objects.select_for_update().get(pk=restriction.pk)
    if locked.lifted_at is not None:
        return locked
    locked.lifted_at, locked.lifted_by, locked.lift_reason = timezone.now(), staff, reason
    locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    AccessLog.objects.create(
        staff=staff,
        person_id=locked.person_id,
        action=AccessAction.LOOKUP,
        reason=f"exit restriction lifted: {reason}"[:300],
        client_address=client_address or None,
    )
    return locked
