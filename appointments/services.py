"""Writes of appointments: making slots, booking, cancelling, moving, walk-ins, the hall's changes
(capacity, closing slots), missed appointments and seat alerts.

Two invariants hold whatever the concurrency, because the database keeps them: a slot's `booked`
moves only by conditional UPDATEs (`booked < capacity`, and a check constraint), and a person has
at most one active appointment per document (a partial unique index). Every status change after
booking is an action of the workflow (appointments.workflow, on core.workflow), applied by
`appointment_act`, which appends the event.
"""

import datetime as dt
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.auth import require_bound
from core.errors import IdempotencyKeyReused, InvalidInput, NotFound, Problem
from core.ratelimit import rate_limit_hit
from core.rawsql import Part, RawGuardedInsert, RawSelect
from documents.models import DocumentType
from documents.selectors import documents_held
from documents.services import idempotency_key_clean
from guide.calendar import SHANGHAI
from guide.directory import get_directory
from guide.models import Hall, Service
from notifications.models import Notification
from notifications.relay import relay_kick
from notifications.services import (
    in_language_of,
    notification_fan_out,
    notification_new,
    notification_queue,
    notification_record,
)
from persons.selectors import persons_acting_for

from . import selectors
from .applying import DOCUMENT_SERVICE, SERVICE_DOCUMENT, answers_validate
from .errors import (
    AlreadyBooked,
    ApplicationInProgress,
    AppointmentError,
    BlockedForNoShows,
    CannotChange,
    ChangeCutoffPassed,
    SlotNotReleased,
    TooManyWatches,
)
from .models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    ServiceCapacity,
    Slot,
    SlotWatch,
)
from .slots import Capacity
from .workflow import APPOINTMENTS

logger = logging.getLogger(__name__)

S = AppointmentStatus
# Appointment numbers: 12 characters without the look-alikes 0/O, 1/I/L.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def appointment_number_new() -> str:
    return "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(12))


def appointment_act(
    *,
    appointment: Appointment,
    action: str,
    actor=None,
    reason: str = "",
    note: str = "",
    data: dict | None = None,
    changes: dict | None = None,
) -> AppointmentEvent:
    """Apply an action of the appointment's workflow (appointments.workflow) inside the
    caller's transaction: the row locked, the status written, the event appended, the message
    queued."""
    if action != "reschedule":  # a status change says why (or clears the last reason)
        changes = {"status_note": (reason or note)[:500], **(changes or {})}
    return APPOINTMENTS.apply(
        appointment,
        action,
        actor=actor,
        reason=reason,
        note=note,
        data=data,
        changes=changes,
    )


# The action that leads to each status, for callers that name the status they want.
_ACTION_TO = {
    S.CHECKED_IN: "check_in",
    S.CANCELLED: "cancel",
    S.CANCELLED_BY_HALL: "cancel_by_hall",
    S.NO_SHOW: "mark_no_show",
    S.ACCEPTED: "accept",
    S.NOT_ACCEPTED: "not_accept",
}


def appointment_transition(
    *, appointment: Appointment, to: str, actor=None, note: str = "", data: dict | None = None
) -> AppointmentEvent:
    """Move to status `to` by the workflow's action that leads there (appointment_act)."""
    action = _ACTION_TO.get(to, f"to_{to}")
    needs_reason = any(
        a.reason_required
        for actions in APPOINTMENTS.table.values()
        for a in actions
        if a.name == action
    )
    with transaction.atomic():
        return appointment_act(
            appointment=appointment,
            action=action,
            actor=actor,
            reason=note if needs_reason else "",
            note="" if needs_reason else note,
            data=data,
        )


# Slots


@transaction.atomic
def capacity_set(
    *,
    hall: Hall,
    service: Service,
    counters: int,
    applicants_per_hour: int,
    slot_minutes: int | None = None,
    actor=None,
) -> ServiceCapacity:
    """Set a hall's capacity for a service; future slots take it at once (never below the seats
    already booked). A longer or shorter slot length applies to slots made from now on."""
    if not 0 <= counters <= 200 or not 0 <= applicants_per_hour <= 120:
        raise InvalidInput(
            field="counters", message=_("Enter 0 to 200 counters and 0 to 120 an hour.")
        )
    values = {"counters": counters, "applicants_per_hour": applicants_per_hour}
    if slot_minutes is not None:
        if not 10 <= slot_minutes <= 240:
            raise InvalidInput(field="slot_minutes", message=_("A slot lasts 10 to 240 minutes."))
        values["slot_minutes"] = slot_minutes
    capacity, _created = ServiceCapacity.objects.update_or_create(
        hall=hall, service=service, defaults=values
    )
    per_slot = Capacity(capacity.counters, capacity.applicants_per_hour, capacity.slot_minutes)
    seats = per_slot.per_slot if counters and applicants_per_hour else 0
    future = Slot.objects.filter(hall=hall, service=service, starts_at__gt=timezone.now())
    future.update(capacity=Greatest(F("booked"), seats))
    slot_ids = list(future.values_list("pk", flat=True))
    transaction.on_commit(lambda: cache.delete_many([_full_key(pk) for pk in slot_ids]))
    logger.info(
        "capacity of hall %s for %s set to %s x %s by %s",
        hall.code,
        service.code,
        counters,
        applicants_per_hour,
        getattr(actor, "pk", None),
    )
    transaction.on_commit(lambda: seat_watches_check(hall_id=hall.pk, service_id=service.pk))
    return capacity


def slot_close(*, slot: Slot, reason_zh: str, reason_en: str, actor=None) -> int:
    """Close a slot: nobody can book it, and every booking in it is cancelled by the hall with
    the reason, the citizen told. Return how many bookings were cancelled."""
    reason_zh, reason_en = (reason_zh or "").strip(), (reason_en or "").strip()
    if not reason_zh or not reason_en:
        raise InvalidInput(field="reason", message=_("Give the reason in Chinese and in English."))
    with transaction.atomic():
        locked = Slot.objects.select_for_update().get(pk=slot.pk)
        booked = list(
            Appointment.objects.select_for_update(of=("self",))
            .filter(slot=locked, status=S.BOOKED)
            .select_related("booked_by", "hall", "service")
        )
        for appointment in booked:
            appointment_act(
                appointment=appointment,
                action="cancel_by_hall",
                actor=actor,
                reason=f"{reason_zh} / {reason_en}",
                data={"reason_zh": reason_zh, "reason_en": reason_en},
            )
        Slot.objects.filter(pk=locked.pk).update(
            is_closed=True,
            closed_reason_zh=reason_zh[:200],
            closed_reason_en=reason_en[:300],
            booked=F("booked") - len(booked),
        )
    return len(booked)


# Booking


@dataclass(frozen=True)
class Booking:
    appointment: Appointment
    created: bool
    # A new booking's history so far (its "booked" event), so the answer needs no second read.
    events: tuple[AppointmentEvent, ...] = ()


def _request_hash(**fields) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


# The time asked for with its hall and service: every attempt that gets past the "full" marker
# reads it (a prepared statement, core.rawsql).
_SLOT_FOR_BOOKING = RawSelect(
    [Part(Slot, "s"), Part(Hall, "h"), Part(Service, "v")],
    "FROM appointments_slot s JOIN guide_hall h ON h.id = s.hall_id"
    " JOIN guide_service v ON v.id = s.service_id WHERE s.id = %s",
)


def _slot_for_booking(*, slot_id, document_type: str, now: dt.datetime) -> Slot:
    """The slot asked for, checked: exists, right service, hall offers it, future, released."""
    try:
        slot_pk = int(slot_id)
    except (TypeError, ValueError):
        slot_pk = 0
    slot = None
    if 0 < slot_pk < 2**63:
        rows = _SLOT_FOR_BOOKING.rows([slot_pk])
        if rows:
            slot, hall, service = rows[0]
            slot.hall, slot.service = hall, service
    if slot is None:
        raise NotFound(code=AppointmentError.SLOT_NOT_FOUND, detail=_("There is no such time."))
    if SERVICE_DOCUMENT.get(slot.service.code) != document_type:
        raise InvalidInput(
            field="slot_id",
            code=AppointmentError.SLOT_WRONG_SERVICE,
            message=_("This time is for another document: choose a time for %(document)s.")
            % {"document": DocumentType(document_type).label},
        )
    entry = get_directory().by_code.get(slot.hall.code)
    if entry is None or slot.service.code not in entry.services:
        raise InvalidInput(
            field="slot_id",
            code=AppointmentError.SERVICE_NOT_OFFERED,
            message=_("This hall no longer offers this service: choose another hall."),
        )
    if slot.starts_at <= now:
        raise InvalidInput(
            field="slot_id",
            code=AppointmentError.SLOT_IN_PAST,
            message=_("This time has passed: choose a later time."),
        )
    if slot.released_at > now:
        raise SlotNotReleased(slot.released_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"))
    if slot.is_closed:
        raise selectors.problem_slot_full(
            slot,
            code=AppointmentError.SLOT_CLOSED,
            detail=_("The hall has closed this time. Choose another time."),
        )
    return slot


def _acting_person(user, person_id):
    if person_id in (None, "") or str(person_id) == str(user.person_id):
        return user.person  # for oneself, the common case: no query for the minors
    persons = persons_acting_for(user=user)
    if person_id in (None, ""):
        return persons[0]
    for person in persons:
        if str(person.pk) == str(person_id):
            return person
    raise NotFound(
        code=AppointmentError.PERSON_NOT_FOUND,
        detail=_("You can book only for yourself and the minors you are guardian of."),
    )


def _already_booked(existing: Appointment) -> Problem:
    return AlreadyBooked(number=existing.number, number_display=existing.number_display)


def _raise_holder(*, person_id: int, document_type: str) -> None:
    """Raise 409 when an appointment or an application in progress holds the document."""
    state = selectors.booking_state(person_id=person_id, document_type=document_type)
    if state.active is not None:
        raise _already_booked(state.active) from None
    if state.in_progress is not None:
        raise ApplicationInProgress() from None


def _rate_limit(user, client_address: str | None) -> None:
    code = AppointmentError.BOOKING_RATE_LIMITED
    rate_limit_hit(
        scope="book-account",
        key=str(user.pk),
        rate=settings.APPOINTMENT_RATE_PER_ACCOUNT,
        code=code,
    )
    if client_address:
        rate_limit_hit(
            scope="book-address",
            key=client_address,
            rate=settings.APPOINTMENT_RATE_PER_ADDRESS,
            code=code,
        )


# Every booking attempt with a key asks this first (a rush: thousands a second, nearly all new
# keys): one prepared statement (core.rawsql) instead of an ORM query compiled each time.
_BY_IDEMPOTENCY_KEY = RawSelect(
    [Part(Appointment, "a")],
    "FROM appointments_appointment a WHERE a.booked_by_id = %s AND a.idempotency_key = %s",
)


# A booking, the rush's hot path (core.rawsql): the guard of capacity takes a seat only while
# one is left (the database's check constraint, booked <= capacity, stands behind it), and only
# then are the appointment, its first event and the message to the booker written; on
# PostgreSQL all in one prepared statement, one round trip instead of six (BEGIN ... COMMIT).
# One statement per number of message rows: one per channel the booker chose (SMS, email).
_BOOK_SEAT = {
    rows: RawGuardedInsert(
        "UPDATE appointments_slot SET booked = booked + 1"
        " WHERE id = %s AND NOT is_closed AND booked < capacity",
        [Appointment, AppointmentEvent] + [Notification] * rows,
        links={(1, "appointment"): 0},
    )
    for rows in (1, 2)
}


def _by_idempotency_key(user, key: str) -> Appointment | None:
    """The user's earlier booking under this Idempotency-Key (unique per user), or None."""
    rows = _BY_IDEMPOTENCY_KEY.rows([user.pk, key])
    return rows[0][0] if rows else None


def appointment_book(
    *,
    user,
    person_id=None,
    document_type: str,
    kind: str,
    details: dict | None = None,
    slot_id,
    idempotency_key: str = "",
    client_address: str | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book one seat in a slot for the user or a minor they act for, at once.

    A retry with the same Idempotency-Key returns the first booking (created=False); the same
    key with another request is a 422. A full slot is a 409 with the next free times.
    """
    require_bound(user)
    now = now or timezone.now()
    key = idempotency_key_clean(idempotency_key)
    fingerprint = _request_hash(
        person_id=str(person_id or ""),
        document_type=document_type,
        kind=kind,
        details=details or {},
        slot_id=str(slot_id),
    )
    if key:
        earlier = _by_idempotency_key(user, key)
        if earlier is not None:
            return _replay(earlier, fingerprint)
    _rate_limit(user, client_address)
    if document_type not in DOCUMENT_SERVICE:
        raise InvalidInput(
            field="document_type",
            code=AppointmentError.INVALID_ANSWERS,
            message=_("Choose a passport, a Hong Kong and Macao pass or a Taiwan permit."),
        )
    # In a rush nearly every attempt finds its time full: say so before any other reading.
    known_full = cache.get(_full_key(slot_id))
    if known_full is not None:
        raise selectors.problem_slot_full_with(known_full)
    person = _acting_person(user, person_id)
    slot = _slot_for_booking(slot_id=slot_id, document_type=document_type, now=now)
    if slot.booked >= slot.capacity:
        raise _full(slot)  # the conditional UPDATE below stays the guard
    state = selectors.booking_state(person_id=person.pk, document_type=document_type, now=now)
    if state.block is not None:
        raise BlockedForNoShows(reason=state.block.reason, until=state.block.until.isoformat())
    existing = state.active
    if existing is not None:
        if key and existing.booked_by_id == user.pk and existing.idempotency_key == key:
            return _replay(existing, fingerprint)  # a retry that lost the race to the first try
        raise _already_booked(existing)
    if state.in_progress is not None:
        raise ApplicationInProgress()
    answers = answers_validate(
        documents=documents_held(person_id=person.pk),
        document_type=document_type,
        kind=kind,
        details=details or {},
        default_phone=user.phone or "",
        today=selectors.now_shanghai(now).date(),
    )
    appointment = Appointment(
        number=appointment_number_new(),
        person=person,
        booked_by=user,
        document_type=document_type,
        kind=kind,
        details=answers,
        hall=slot.hall,
        service=slot.service,
        slot=slot,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        idempotency_key=key or None,
        request_hash=fingerprint,
    )
    event = AppointmentEvent(
        kind=AppointmentEvent.Kind.BOOKED,
        to_status=S.BOOKED,
        actor=user,
        data={"slot": slot.pk, "on_behalf": person.pk != user.person_id},
    )
    messages = notification_fan_out(_notification(appointment, "appointment_booked"))
    try:
        booked = _BOOK_SEAT[len(messages)].save([slot.pk], [appointment, event, *messages])
    except IntegrityError:
        # A concurrent request won: the same key (a retry) or another booking for this document.
        if key:
            earlier = _by_idempotency_key(user, key)
            if earlier is not None:
                return _replay(earlier, fingerprint)
        _raise_holder(person_id=person.pk, document_type=document_type)
        raise
    if not booked:
        raise _full(slot)
    transaction.on_commit(relay_kick, robust=True)  # at once when no transaction is open
    logger.info("appointment %s booked at hall %s", appointment.number, slot.hall.code)
    return Booking(appointment=appointment, created=True, events=(event,))


# How long "this time is full" is remembered (in the shared cache) after an attempt found it
# full; giving a seat back forgets it at once, so a freed seat waits at most this long only
# when a full marker was set in the same instant.
SLOT_FULL_SECONDS = 2


def _full_key(slot_id) -> str:
    return f"slot-full:{_int_or_zero(slot_id)}"


def _full(slot: Slot) -> Problem:
    """The 409 for a full slot, remembered briefly so the next attempts are refused at once."""
    problem = selectors.problem_slot_full(slot)
    cache.set(_full_key(slot.pk), problem.extra["next_free"], SLOT_FULL_SECONDS)
    return problem


def _seat_freed(slot_id: int) -> None:
    cache.delete(_full_key(slot_id))


def _replay(earlier: Appointment, fingerprint: str) -> Booking:
    if earlier.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return Booking(appointment=earlier, created=False)


def _locked_for_change(appointment: Appointment, now: dt.datetime) -> Appointment:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("hall", "service", "booked_by")
        .get(pk=appointment.pk)
    )
    if locked.status != S.BOOKED or locked.ends_at <= now:
        raise CannotChange(selectors.appointment_status_label(locked, now).lower())
    if now >= selectors.change_cutoff(locked):
        raise ChangeCutoffPassed(settings.APPOINTMENT_CHANGE_CUTOFF_HOURS)
    return locked


def _check_acting(user, appointment: Appointment) -> None:
    if appointment.person_id not in {p.pk for p in persons_acting_for(user=user)}:
        raise NotFound(
            code=AppointmentError.APPOINTMENT_NOT_FOUND,
            detail=_("There is no such appointment."),
        )


def appointment_cancel(
    *, user, appointment: Appointment, now: dt.datetime | None = None
) -> Appointment:
    """Cancel a booking before the cutoff; the seat goes back at once."""
    require_bound(user)
    _check_acting(user, appointment)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_for_change(appointment, now)
        appointment_act(appointment=locked, action="cancel", actor=user)
        if locked.slot_id:
            Slot.objects.filter(pk=locked.slot_id, booked__gt=0).update(booked=F("booked") - 1)
            slot_id = locked.slot_id
            transaction.on_commit(lambda: _seat_freed(slot_id))
            transaction.on_commit(lambda: seat_watches_check(slot_id=slot_id))
    return locked


def appointment_reschedule(
    *, user, appointment: Appointment, slot_id, now: dt.datetime | None = None
) -> Appointment:
    """Move a booking to another time (any hall offering the service) before the cutoff."""
    require_bound(user)
    _check_acting(user, appointment)
    now = now or timezone.now()
    slot = _slot_for_booking(slot_id=slot_id, document_type=appointment.document_type, now=now)
    if slot.pk == appointment.slot_id:
        raise InvalidInput(
            field="slot_id",
            code=AppointmentError.INVALID_ANSWERS,
            message=_("This is the time you already have: choose another time."),
        )
    with transaction.atomic():
        locked = _locked_for_change(appointment, now)
        taken = Slot.objects.filter(pk=slot.pk, is_closed=False, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if not taken:
            raise _full(slot)
        old_slot, old_start = locked.slot_id, locked.starts_at
        if old_slot:
            Slot.objects.filter(pk=old_slot, booked__gt=0).update(booked=F("booked") - 1)
        appointment_act(
            appointment=locked,
            action="reschedule",
            actor=user,
            changes={
                "slot": slot,
                "hall": slot.hall,
                "service": slot.service,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
            },
            data={"from": old_start.isoformat(), "to": slot.starts_at.isoformat(), "slot": slot.pk},
        )
        if old_slot:
            transaction.on_commit(lambda: _seat_freed(old_slot))
            transaction.on_commit(lambda: seat_watches_check(slot_id=old_slot))
    return locked


@transaction.atomic
def appointment_walk_in(
    *,
    officer,
    hall: Hall,
    person,
    document_type: str,
    kind: str,
    details: dict | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """A citizen who came without an appointment: recorded as checked in at once.

    The answers are checked as for an online booking; the person still has one active
    appointment at most per document (a booking elsewhere must be cancelled first).
    """
    now = now or timezone.now()
    if document_type not in DOCUMENT_SERVICE:
        raise InvalidInput(
            field="document_type",
            code=AppointmentError.INVALID_ANSWERS,
            message=_("Choose a passport, a Hong Kong and Macao pass or a Taiwan permit."),
        )
    service = Service.objects.get(code=DOCUMENT_SERVICE[document_type])
    if not hall.services.filter(pk=service.pk).exists():
        raise InvalidInput(
            field="document_type",
            code=AppointmentError.SERVICE_NOT_OFFERED,
            message=_("This hall does not offer this service."),
        )
    _raise_holder(person_id=person.pk, document_type=document_type)
    answers = answers_validate(
        documents=documents_held(person_id=person.pk),
        document_type=document_type,
        kind=kind,
        details=details or {},
        default_phone=person.phone_on_file or "",
        today=selectors.now_shanghai(now).date(),
    )
    end_of_day = dt.datetime.combine(
        selectors.now_shanghai(now).date(), dt.time(23, 59), tzinfo=SHANGHAI
    )
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                number=appointment_number_new(),
                person=person,
                booked_by=None,
                document_type=document_type,
                kind=kind,
                details=answers,
                hall=hall,
                service=service,
                slot=None,
                starts_at=now,
                ends_at=max(end_of_day, now + dt.timedelta(minutes=1)),
                walk_in=True,
            )
    except IntegrityError:
        _raise_holder(person_id=person.pk, document_type=document_type)
        raise
    AppointmentEvent.objects.create(
        appointment=appointment,
        kind=AppointmentEvent.Kind.BOOKED,
        to_status=S.BOOKED,
        actor=officer,
        data={"walk_in": True},
    )
    appointment_act(appointment=appointment, action="check_in", actor=officer)
    return appointment


def appointments_mark_no_shows(
    *, now: dt.datetime | None = None, hall_id: int | None = None
) -> int:
    """Mark as missed every booking whose time ended with nobody checked in. Return how many."""
    now = now or timezone.now()
    due = Appointment.objects.filter(status=S.BOOKED, ends_at__lte=now)
    if hall_id is not None:
        due = due.filter(hall_id=hall_id)
    count = 0
    for pk in list(due.values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            locked = (
                Appointment.objects.select_for_update(of=("self",))
                .select_related("hall")
                .filter(pk=pk, status=S.BOOKED)
                .first()
            )
            if locked is None or now < selectors.checkin_closes_at(locked):
                continue  # a late arrival can still check in until the hall closes
            appointment_act(appointment=locked, action="mark_no_show")
            count += 1
    if count:
        logger.info("%d appointments marked as missed", count)
    return count


# Seat alerts


def seat_watch_create(
    *,
    user,
    hall_code: str,
    service_code: str,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime | None = None,
) -> SlotWatch:
    """Ask to be told when a seat frees up at a hall for a service within a date range."""
    require_bound(user)
    now = now or timezone.now()
    today = selectors.now_shanghai(now).date()
    if date_from < today or date_to < date_from or (date_to - date_from).days > 60:
        raise InvalidInput(
            field="date_to",
            code=AppointmentError.INVALID_DATE_RANGE,
            message=_("Choose dates from today on, the range at most 60 days long."),
        )
    hall_entry = selectors.hall_entry_for_service(hall_code=hall_code, service_code=service_code)
    if service_code not in SERVICE_DOCUMENT:
        raise InvalidInput(
            field="service",
            code=AppointmentError.SERVICE_NOT_OFFERED,
            message=_("Appointments are made for passports and card passes."),
        )
    with transaction.atomic():
        active = SlotWatch.objects.select_for_update().filter(
            user=user, notified_at__isnull=True, cancelled_at__isnull=True
        )
        if len(active) >= settings.APPOINTMENT_MAX_WATCHES:
            raise TooManyWatches(settings.APPOINTMENT_MAX_WATCHES)
        return SlotWatch.objects.create(
            user=user,
            hall_id=hall_entry.id,
            service_id=get_directory().service_ids[service_code],
            date_from=date_from,
            date_to=date_to,
        )


def seat_watch_cancel(*, user, watch_id) -> SlotWatch:
    watch = SlotWatch.objects.filter(pk=_int_or_zero(watch_id), user=user).first()
    if watch is None or not watch.is_active:
        raise NotFound(
            code=AppointmentError.WATCH_NOT_FOUND, detail=_("There is no such seat alert.")
        )
    watch.cancelled_at = timezone.now()
    watch.save(update_fields=["cancelled_at"])
    return watch


def _int_or_zero(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


def seat_watches_check(
    *, slot_id: int | None = None, hall_id: int | None = None, service_id: int | None = None
) -> int:
    """Tell each waiting seat alert that has a free, released seat in its range (once)."""
    now = timezone.now()
    watches = SlotWatch.objects.filter(
        notified_at__isnull=True, cancelled_at__isnull=True, date_to__gte=now.date()
    ).select_related("user", "hall", "service")
    if slot_id is not None:
        slot = Slot.objects.filter(pk=slot_id).first()
        if slot is None:
            return 0
        watches = watches.filter(
            hall_id=slot.hall_id,
            service_id=slot.service_id,
            date_from__lte=slot.date,
            date_to__gte=slot.date,
        )
    if hall_id is not None:
        watches = watches.filter(hall_id=hall_id)
    if service_id is not None:
        watches = watches.filter(service_id=service_id)
    told = 0
    for watch in watches[:1000]:
        free = (
            Slot.objects.filter(
                hall_id=watch.hall_id,
                service_id=watch.service_id,
                date__gte=watch.date_from,
                date__lte=watch.date_to,
                starts_at__gt=now,
                released_at__lte=now,
                is_closed=False,
                booked__lt=F("capacity"),
            )
            .order_by("starts_at")
            .first()
        )
        if free is None:
            continue
        with transaction.atomic():
            if not SlotWatch.objects.filter(pk=watch.pk, notified_at__isnull=True).update(
                notified_at=now
            ):
                continue
            with in_language_of(watch.user):
                notification_queue(
                    user=watch.user,
                    kind="seat_available",
                    subject=str(_("A watched time has a free seat")),
                    text=_seat_text(watch, free),
                    reference=f"watch:{watch.pk}",
                )
        told += 1
    return told


def _seat_text(watch: SlotWatch, free: Slot) -> str:
    return _("A seat is free at %(hall)s on %(when)s. Book it before someone else does.") % {
        "hall": watch.hall.name,
        "when": free.starts_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
    }


# Messages to the citizen


_SUBJECTS = {
    "appointment_booked": lambda: _("Appointment booked"),
    "appointment_cancelled": lambda: _("Appointment cancelled"),
    "appointment_rescheduled": lambda: _("Appointment moved"),
    "appointment_cancelled_by_hall": lambda: _("The hall cancelled your appointment"),
}


def _message(appointment: Appointment, kind: str, reason: tuple[str, str] | None) -> str:
    text = _("%(subject)s: %(number)s, %(hall)s, %(when)s.") % {
        "subject": _SUBJECTS[kind](),
        "number": appointment.number_display,
        "hall": appointment.hall.name,
        "when": appointment.starts_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
    }
    if reason:
        text += " " + (reason[0] if translation.get_language().startswith("zh") else reason[1])
    return text


def _notify(appointment: Appointment, kind: str, reason: tuple[str, str] | None = None) -> None:
    """Queue the SMS that tells the booker (inside the transaction: it commits with the change)."""
    notification = _notification(appointment, kind, reason)
    if notification is not None:
        notification_record(notification)


def _notification(
    appointment: Appointment, kind: str, reason: tuple[str, str] | None = None
) -> Notification | None:
    """The SMS that tells the booker, not yet saved; None when nobody booked (a walk-in)."""
    user = appointment.booked_by
    if user is None:
        return None
    # In the language of the account (the holder's, for a minor's appointment).
    with in_language_of(user):
        return notification_new(
            user=user,
            kind=kind,
            subject=str(_SUBJECTS[kind]()),
            text=_message(appointment, kind, reason),
            reference=f"appointment:{appointment.number}",
        )
