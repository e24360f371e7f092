"""Reads of appointments: availability of a hall's slots, a citizen's appointments (one access
check), what to bring, the calendar file and the check-in code, and the no-show rule."""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import segno
from django.conf import settings
from django.core.cache import cache
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from core.errors import InvalidInput, NotFound, Problem
from core.i18n import is_chinese, localized
from core.rawsql import Part, RawSelect
from guide.calendar import SHANGHAI, DayInfo, hours_on
from guide.directory import HallEntry, get_directory
from guide.materials import applicant_facts, materials_parse
from guide.models import Guide
from persons.selectors import persons_acting_for

from .applying import guide_slug
from .errors import AppointmentError
from .models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Slot, SlotWatch

MAX_RANGE_DAYS = 31
# Availability answers are kept this long per hall, service and range: seats shown may lag
# bookings by this much; a booking on a slot that has just filled gets 409 with the next times.
AVAILABILITY_CACHE_SECONDS = 2


def now_shanghai(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(SHANGHAI)


def release_time() -> dt.time:
    return dt.time.fromisoformat(settings.APPOINTMENT_RELEASE_TIME)


def released_at_for(date: dt.date) -> dt.datetime:
    """When the slots of `date` become bookable: RELEASE_DAYS before, at RELEASE_TIME."""
    day = date - dt.timedelta(days=settings.APPOINTMENT_RELEASE_DAYS)
    return dt.datetime.combine(day, release_time(), tzinfo=SHANGHAI)


def release_horizon(now: dt.datetime | None = None) -> dt.date:
    """The last date whose slots are released at `now`."""
    local = now_shanghai(now)
    last = local.date() + dt.timedelta(days=settings.APPOINTMENT_RELEASE_DAYS)
    return last if local.time() >= release_time() else last - dt.timedelta(days=1)


def next_release(now: dt.datetime | None = None) -> dt.datetime:
    """The next moment at which another day of slots is released."""
    local = now_shanghai(now)
    today_release = dt.datetime.combine(local.date(), release_time(), tzinfo=SHANGHAI)
    return today_release if local < today_release else today_release + dt.timedelta(days=1)


def hall_entry_for_service(*, hall_code: str, service_code: str) -> HallEntry:
    """An active hall that offers the service, or a 404/422 problem."""
    directory = get_directory()
    hall = directory.by_code.get(hall_code)
    if hall is None:
        raise NotFound(
            code=AppointmentError.SLOT_NOT_FOUND, detail=_("There is no hall with this code.")
        )
    if service_code not in directory.services:
        raise InvalidInput(
            field="service",
            code=AppointmentError.SERVICE_NOT_OFFERED,
            message=_("There is no such service."),
        )
    if service_code not in hall.services:
        raise InvalidInput(
            field="service",
            code=AppointmentError.SERVICE_NOT_OFFERED,
            message=_("This hall does not offer this service: choose another hall."),
        )
    return hall


def open_intervals(hall: HallEntry, date: dt.date) -> tuple[tuple[dt.time, dt.time], ...]:
    """The hall's opening intervals on `date`, public holidays and its exceptions applied."""
    directory = get_directory()
    return hours_on(hall.weekly, directory.day_of(date), hall.special.get(date, ()))


@dataclass(frozen=True, slots=True)
class SlotView:
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    available: int
    is_closed: bool
    is_released: bool


@dataclass(frozen=True)
class AvailabilityDay:
    date: dt.date
    info: DayInfo
    open: bool
    slots: list[SlotView] = field(default_factory=list)

    @property
    def available(self) -> int:
        return sum(s.available for s in self.slots if s.is_released)


@dataclass(frozen=True)
class Availability:
    hall: HallEntry
    service_code: str
    date_from: dt.date
    date_to: dt.date
    days: list[AvailabilityDay]
    release_days: int
    release_time: dt.time
    released_through: dt.date
    next_release_at: dt.datetime

    @property
    def available(self) -> int:
        return sum(day.available for day in self.days)


def _range_check(date_from: dt.date, date_to: dt.date, today: dt.date) -> None:
    if date_to < date_from:
        raise InvalidInput(
            field="to",
            code=AppointmentError.INVALID_DATE_RANGE,
            message=_("The end date is before the start date."),
        )
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(
            field="to",
            code=AppointmentError.INVALID_DATE_RANGE,
            message=_("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS},
        )
    if date_to < today:
        raise InvalidInput(
            field="from",
            code=AppointmentError.SLOT_IN_PAST,
            message=_("These dates have passed: choose today or a later date."),
        )
    if date_from > today + dt.timedelta(days=366):
        raise InvalidInput(
            field="from",
            code=AppointmentError.INVALID_DATE_RANGE,
            message=_("Choose a date within the coming year."),
        )


# A hall's times for a service over some days: read on each availability cache miss (about one
# per hall every AVAILABILITY_CACHE_SECONDS in a rush), a prepared statement (core.rawsql).
_SLOT_ROWS = RawSelect(
    [
        Part(
            Slot,
            "s",
            only=(
                "id", "date", "starts_at", "ends_at", "capacity", "booked", "is_closed",
                "released_at",
            ),
        )
    ],
    "FROM appointments_slot s"
    " WHERE s.hall_id = %s AND s.service_id = %s AND s.date >= %s AND s.date <= %s"
    " ORDER BY s.starts_at, s.id",
)  # fmt: skip


def _slot_rows(hall_id: int, service_id: int, start: dt.date, end: dt.date) -> list[tuple]:
    return _SLOT_ROWS.values([hall_id, service_id, start, end])


def availability(
    *,
    hall_code: str,
    service_code: str,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime | None = None,
    make_slots: Callable[..., int] | None = None,
) -> Availability:
    """The days from `date_from` to `date_to` at a hall for a service, with their slots.

    Slots are made ahead by the release task (appointments.slots). A caller that may make the
    days still missing (a hall's first look, before the task ran) hands `make_slots`
    (slots.slots_generate); without it this only reads.
    """
    now = now or timezone.now()
    local = now_shanghai(now)
    today = local.date()
    _range_check(date_from, date_to, today)
    hall = hall_entry_for_service(hall_code=hall_code, service_code=service_code)
    directory = get_directory()
    service_id = directory.service_ids[service_code]
    start = max(date_from, today)
    horizon = release_horizon(now)
    # Ranges within the released days share one cache entry per hall and service (the usual
    # question is "this week"); other ranges get their own.
    fetch_from, fetch_to = start, date_to
    released_end = today + dt.timedelta(days=settings.APPOINTMENT_RELEASE_DAYS + 1)
    if date_to <= released_end:
        fetch_from, fetch_to = today, released_end
    key = f"avail:{hall.id}:{service_id}:{fetch_from}:{fetch_to}:{horizon}"
    rows = cache.get(key)
    if rows is None:
        rows = _slot_rows(hall.id, service_id, fetch_from, fetch_to)
        present = {row[1] for row in rows}
        last = min(fetch_to, today + dt.timedelta(days=settings.APPOINTMENT_RELEASE_DAYS))
        days = (fetch_from + dt.timedelta(days=i) for i in range((last - fetch_from).days + 1))
        missing = [d for d in days if d not in present and open_intervals(hall, d)]
        if (
            missing
            and make_slots is not None
            and make_slots(hall_ids=[hall.id], service_codes=[service_code], dates=missing)
        ):
            rows = _slot_rows(hall.id, service_id, fetch_from, fetch_to)
        cache.set(key, rows, AVAILABILITY_CACHE_SECONDS)
    by_date: dict[dt.date, list[SlotView]] = {}
    for pk, date, starts_at, ends_at, capacity, booked, is_closed, released_at in rows:
        if starts_at <= now or not start <= date <= date_to:
            continue
        seats = 0 if is_closed or released_at > now else max(0, capacity - booked)
        by_date.setdefault(date, []).append(
            SlotView(pk, starts_at, ends_at, capacity, seats, is_closed, released_at <= now)
        )
    days = []
    for offset in range((date_to - start).days + 1):
        date = start + dt.timedelta(days=offset)
        days.append(
            AvailabilityDay(
                date=date,
                info=directory.day_of(date),
                open=bool(open_intervals(hall, date)),
                slots=by_date.get(date, []),
            )
        )
    return Availability(
        hall=hall,
        service_code=service_code,
        date_from=start,
        date_to=date_to,
        days=days,
        release_days=settings.APPOINTMENT_RELEASE_DAYS,
        release_time=release_time(),
        released_through=horizon,
        next_release_at=next_release(now),
    )


def next_free_slots(
    *, hall_id: int, service_id: int, after: dt.datetime, limit: int = 5
) -> list[Slot]:
    """The next released, open slots with a free seat at a hall for a service."""
    now = timezone.now()
    return list(
        Slot.objects.filter(
            hall_id=hall_id,
            service_id=service_id,
            starts_at__gt=max(after, now),
            released_at__lte=now,
            is_closed=False,
            booked__lt=F("capacity"),
        ).order_by("starts_at")[:limit]
    )


# A citizen's appointments


def _visible_to(user) -> QuerySet[Appointment]:
    persons = [p.pk for p in persons_acting_for(user=user)]
    return Appointment.objects.filter(person_id__in=persons).select_related(
        "person", "hall", "service", "slot", "hall__region"
    )


def appointments_for(*, user) -> list[Appointment]:
    """The appointments of the user and of the minors they act for, newest first."""
    return list(_visible_to(user).order_by("-starts_at", "-id"))


def appointment_get_for(*, user, number: str) -> Appointment:
    """One appointment of the user or of a minor they act for; anything else is a 404."""
    clean = appointment_number_clean(number)
    found = _visible_to(user).filter(number=clean).first() if clean else None
    if found is None:
        raise NotFound(
            code=AppointmentError.APPOINTMENT_NOT_FOUND,
            detail=_("There is no such appointment."),
        )
    return found


def appointment_number_clean(value: str) -> str:
    """An appointment number as typed or read out: spaces and hyphens dropped, upper case."""
    text = "".join(ch for ch in str(value or "") if ch not in " -\t").upper()
    return text if len(text) == 12 and text.isalnum() and text.isascii() else ""


def hall_closes_at(hall, day: dt.date) -> dt.datetime | None:
    """When a hall closes on `day` (the end of its last opening interval), or None if closed."""
    entry = get_directory().by_code.get(hall.code)
    intervals = open_intervals(entry, day) if entry is not None else ()
    if not intervals:
        return None
    return dt.datetime.combine(day, max(closes for _opens, closes in intervals), tzinfo=SHANGHAI)


def checkin_closes_at(appointment: Appointment) -> dt.datetime:
    """Until when the applicant can still be checked in: the hall's closing time that day (a
    late arrival is still received), and never before the appointment's own end."""
    day = appointment.starts_at.astimezone(SHANGHAI).date()
    closes = hall_closes_at(appointment.hall, day)
    return max(closes, appointment.ends_at) if closes else appointment.ends_at


def appointment_display_status(appointment: Appointment, now: dt.datetime | None = None) -> str:
    """The status as people see it: a booking nobody came for by closing time is missed."""
    now = now or timezone.now()
    booked = appointment.status == AppointmentStatus.BOOKED
    if booked and appointment.ends_at <= now and now >= checkin_closes_at(appointment):
        return AppointmentStatus.NO_SHOW
    return appointment.status


def appointment_status_label(appointment: Appointment, now: dt.datetime | None = None) -> str:
    return str(AppointmentStatus(appointment_display_status(appointment, now)).label)


def change_cutoff(appointment: Appointment) -> dt.datetime:
    """Until when the appointment can be cancelled or moved."""
    return appointment.starts_at - dt.timedelta(hours=settings.APPOINTMENT_CHANGE_CUTOFF_HOURS)


def appointment_can_change(appointment: Appointment, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return appointment.status == AppointmentStatus.BOOKED and now < change_cutoff(appointment)


def appointment_checkin_code(appointment: Appointment) -> str:
    """What the check-in QR code holds: the appointment number, prefixed so scanners know it."""
    return f"EXITENTRY:APPT:{appointment.number}"


_DARK_RUN = re.compile(rb"\x01+")


def appointment_qr_svg(appointment: Appointment) -> str:
    """The check-in code as an inline SVG (no external image, no script), scalable by CSS."""
    # A fixed mask: choosing the best of eight costs 4 times as long, for no reader's benefit.
    qr = segno.make(appointment_checkin_code(appointment), error="m", mask=0)
    return qr_svg(qr.matrix)


def qr_svg(matrix, *, scale: int = 5, border: int = 2) -> str:
    """A QR matrix (rows of 0/1 modules, as segno makes it) as SVG: each row's runs of dark
    modules as strokes of one path. Written here because every booking answer carries one,
    and this takes a third of the time of segno's general writer."""
    size = len(matrix) + 2 * border
    runs = [
        f"M{run.start() + border} {y}.5h{run.end() - run.start()}"
        for y, row in enumerate(matrix, border)
        for run in _DARK_RUN.finditer(bytes(row))
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size * scale}" height="{size * scale}"'
        f' viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<path fill="#ffffff" d="M0 0h{size}v{size}h-{size}z"/>'
        f'<path stroke="#0b0c0c" d="{"".join(runs)}"/></svg>'
    )


def guide_for(appointment: Appointment) -> Guide | None:
    return Guide.objects.filter(
        slug=guide_slug(appointment.document_type, appointment.kind), is_published=True
    ).first()


def applicant_facts_of(appointment: Appointment) -> frozenset[str]:
    """What is true of the appointment's applicant, for the guide's conditional materials."""
    details = appointment.details or {}
    return applicant_facts(
        birth_date=appointment.person.birth_date,
        on=appointment.starts_at.astimezone(SHANGHAI).date(),
        kind=appointment.kind,
        replacement_reason=details.get("replacement_reason"),
        endorsements=details.get("endorsements"),
    )


def what_to_bring(appointment: Appointment) -> list[str]:
    """The materials of the appointment's guide that apply to its applicant (age, kind of
    application, replacement reason, endorsements), one item per line, in the active language;
    memoised per directory snapshot, which a change of any guide replaces (guide.signals)."""
    facts = applicant_facts_of(appointment)
    key = (
        "what_to_bring",
        guide_slug(appointment.document_type, appointment.kind),
        is_chinese(),
        facts,
    )
    memo = get_directory().memo
    found = memo.get(key)
    if found is None:
        guide = guide_for(appointment)
        found = memo[key] = (
            tuple(
                item.text
                for item in materials_parse(localized(guide, "materials"))
                if item.applies_to(facts)
            )
            if guide is not None
            else ()
        )
    return list(found)


def appointment_ics(appointment: Appointment) -> bytes:
    """The appointment as an iCalendar file the citizen adds to their calendar."""
    calendar = Calendar()
    calendar.add("prodid", "-//exitentry//appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.number}@exitentry")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at.astimezone(SHANGHAI))
    event.add("dtend", appointment.ends_at.astimezone(SHANGHAI))
    hall = appointment.hall
    event.add(
        "summary",
        _("Exit-entry appointment %(number)s: %(service)s")
        % {"number": appointment.number_display, "service": appointment.service.name},
    )
    event.add("location", f"{hall.name}, {localized(hall, 'address')}")
    lines = [
        _("Appointment number: %(number)s") % {"number": appointment.number_display},
        _("Hall phone: %(phone)s") % {"phone": hall.phone},
    ]
    bring = what_to_bring(appointment)
    if bring:
        lines.append(_("What to bring:"))
        lines += [f"- {item}" for item in bring]
    event.add("description", "\n".join(lines))
    event.add("geo", (float(hall.latitude), float(hall.longitude)))
    calendar.add_component(event)
    return calendar.to_ical()


# The no-show rule


@dataclass(frozen=True)
class BookingBlock:
    until: dt.datetime
    missed: int

    @property
    def reason(self) -> str:
        return _(
            "You missed %(missed)d appointments in the last %(days)d days without cancelling, "
            "so you cannot book until %(until)s."
        ) % {
            "missed": self.missed,
            "days": settings.APPOINTMENT_NO_SHOW_WINDOW_DAYS,
            "until": self.until.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        }


# Every booking attempt that gets past the "full" marker reads the person's appointments that
# the no-show rule or the one-active-appointment rule could concern, in one prepared statement
# (core.rawsql); the rules themselves are applied in Python below, on these few rows.
_BOOKING_STATE = RawSelect(
    [Part(Appointment, "a")],
    "FROM appointments_appointment a WHERE a.person_id = %s"
    " AND (a.status IN (" + ", ".join(["%s"] * len(ACTIVE_STATUSES)) + ")"
    " OR (a.status = %s AND a.ends_at >= %s) OR a.application_in_progress)"
    " ORDER BY a.ends_at DESC, a.id DESC",
)


@dataclass(frozen=True)
class BookingState:
    """What stands in the way of a person's booking a document: the no-show rule, an
    active appointment for the same document, or an application for it still in progress
    (the appointment it was accepted at holds the document meanwhile)."""

    block: BookingBlock | None
    active: Appointment | None
    in_progress: Appointment | None = None


def _is_missed(appointment: Appointment, *, since, now, start_of_today) -> bool:
    """Missed: marked as a no-show, or still booked from an earlier day (the periodic task has
    not marked it yet), ending inside the rule's window."""
    if not since <= appointment.ends_at <= now:
        return False
    return appointment.status == AppointmentStatus.NO_SHOW or (
        appointment.status == AppointmentStatus.BOOKED and appointment.ends_at < start_of_today
    )


def booking_state(
    *, person_id: int, document_type: str = "", now: dt.datetime | None = None
) -> BookingState:
    """The no-show block (LIMIT missed in WINDOW days) and the person's active appointment for
    `document_type` (none asked for when empty), in one query."""
    now = now or timezone.now()
    window = dt.timedelta(days=settings.APPOINTMENT_NO_SHOW_WINDOW_DAYS)
    since = now - window
    rows = _BOOKING_STATE.rows([person_id, *ACTIVE_STATUSES, AppointmentStatus.NO_SHOW, since])
    found = [appointment for (appointment,) in rows]
    active = next(
        (
            a
            for a in sorted(found, key=lambda a: (a.starts_at, a.pk), reverse=True)
            if a.document_type == document_type and a.status in ACTIVE_STATUSES
        ),
        None,
    )
    in_progress = next(
        (a for a in found if a.document_type == document_type and a.application_in_progress),
        None,
    )
    block = None
    limit = settings.APPOINTMENT_NO_SHOW_LIMIT
    if limit > 0:
        start_of_today = dt.datetime.combine(now_shanghai(now).date(), dt.time(), tzinfo=SHANGHAI)
        missed = [  # newest first, as the rows come
            a.ends_at
            for a in found
            if _is_missed(a, since=since, now=now, start_of_today=start_of_today)
        ]
        if len(missed) >= limit:
            until = missed[0] + dt.timedelta(days=settings.APPOINTMENT_NO_SHOW_BLOCK_DAYS)
            if until > now:
                block = BookingBlock(until=until, missed=len(missed))
    return BookingState(block=block, active=active, in_progress=in_progress)


def booking_block(*, person, now: dt.datetime | None = None) -> BookingBlock | None:
    """Whether the no-show rule (LIMIT missed in WINDOW days) blocks the person from booking."""
    return booking_state(person_id=person.pk, now=now).block


def active_appointment(*, person_id: int, document_type: str) -> Appointment | None:
    """The person's active appointment for the document (at most one: a constraint)."""
    return booking_state(person_id=person_id, document_type=document_type).active


def seat_watches_for(*, user) -> list[SlotWatch]:
    """The user's seat alerts still waiting, soonest first."""
    return list(
        SlotWatch.objects.filter(user=user, notified_at__isnull=True, cancelled_at__isnull=True)
        .select_related("hall", "service")
        .order_by("date_from", "id")
    )


def problem_slot_full(slot: Slot, *, code: str = "", detail: str = "") -> Problem:
    """409 for a full (or closed) slot, with the next free times at the same hall."""
    free = next_free_slots(hall_id=slot.hall_id, service_id=slot.service_id, after=slot.starts_at)
    next_free = [
        {"slot_id": s.pk, "starts_at": s.starts_at.isoformat(), "available": s.available}
        for s in free
    ]
    return problem_slot_full_with(next_free, code=code, detail=detail)


def problem_slot_full_with(next_free: list[dict], *, code: str = "", detail: str = "") -> Problem:
    """The 409 of a full slot from next free times found a moment ago."""
    return Problem(
        status=409,
        code=code or AppointmentError.SLOT_FULL,
        detail=detail or _("This time is fully booked. Choose another time."),
        extra={"next_free": next_free},
    )
