"""Service 3, appointments: a hall's free times (anyone), and the signed-in citizen's bookings
for themself and their minors (book, list, show, cancel, move, calendar file), and seat alerts."""

import datetime as dt
import json
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Schema, Status
from pydantic import Field

from accounts.auth import citizen_auth, require_bound
from core.api import (
    ENCODE,
    Page,
    PageParams,
    ProblemOut,
    mounted_api,
    page_links,
    renders_plain_json,
)
from core.bounds import MAX_ID, BoundedDate
from core.errors import InvalidInput
from core.http import client_address
from core.i18n import is_chinese, localized
from core.masking import mask_id_number
from documents.models import DocumentType
from guide.calendar import SHANGHAI
from guide.directory import HallEntry, get_directory

from . import selectors, services
from .applying import REPLACEMENT_REASONS, endorsement_label
from .models import ApplicationKind, Appointment, AppointmentStatus, SlotWatch
from .slots import slots_generate

router = Router(tags=["appointments"], auth=citizen_auth)

# Any text: what is not an appointment number of the caller's is a 404 like any other.
_NUMBER = Path(..., description="The appointment number (spaces and hyphens ignored).")


# -- schemas -----------------------------------------------------------------------------------


class AvailabilityParams(Schema):
    hall: str = Field(..., min_length=1, max_length=20, description="Hall code (GET halls).")
    service: str = Field(
        ..., min_length=1, max_length=40, description="Service code: passport, hk-macao-pass …"
    )
    date_from: BoundedDate | None = Field(
        None, alias="from", description="First day (Asia/Shanghai); default today."
    )
    date_to: BoundedDate | None = Field(
        None, alias="to", description="Last day, at most 31 days on; default the release horizon."
    )


class AvailabilityHallOut(Schema):
    code: str
    name: str
    address: str
    phone: str


class ServiceRefOut(Schema):
    code: str
    name: str


class SlotOut(Schema):
    id: int = Field(description="Give it as `slot_id` to book.")
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    available: int = Field(description="Free seats now: 0 when full, closed or not yet released.")
    status: Literal["available", "full", "closed", "not_released"]


class AvailabilityDayOut(Schema):
    date: dt.date
    weekday: int = Field(description="0 = Monday")
    day_kind: str = Field(description="workday, weekend, holiday or makeup_workday")
    day_name: str = Field(description="Name of the holiday or make-up day, if any.")
    open: bool = Field(description="The hall is open that day.")
    available: int = Field(description="Free seats that day, in released times.")
    slots: list[SlotOut]


class ReleaseOut(Schema):
    days_ahead: int = Field(description="Times are released this many days ahead …")
    time: str = Field(description="… at this time of day (Asia/Shanghai).", examples=["08:00"])
    released_through: dt.date = Field(description="The last day whose times can be booked now.")
    next_release_at: dt.datetime = Field(description="When the next day of times is released.")


class AvailabilityOut(Schema):
    hall: AvailabilityHallOut
    service: ServiceRefOut
    date_from: dt.date
    date_to: dt.date
    available: int = Field(description="Free seats in the whole range.")
    release: ReleaseOut
    days: list[AvailabilityDayOut]


class DetailsIn(Schema):
    replacement_reason: Literal["lost", "damaged"] | None = Field(
        None, description="For a replacement: why."
    )
    endorsements: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="For a card pass: endorsement codes wanted (at most 4).",
        examples=[["HKG-G", "MAC-G"]],
    )
    contact_phone: str | None = Field(
        None, max_length=20, description="A mobile number to reach you; default your account's."
    )
    delivery: Literal["collect", "mail"] | None = Field(
        None,
        description="How you receive the document: collect it at the hall (default) or by "
        "mail; changeable on the application until production.",
    )
    delivery_address: str | None = Field(
        None, max_length=400, description="The full postal address, for delivery by mail."
    )


class BookIn(Schema):
    person_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Yourself (default) or a minor you are guardian of."
    )
    document_type: DocumentType
    kind: ApplicationKind
    details: DetailsIn = Field(default_factory=DetailsIn)
    slot_id: int = Field(..., ge=1, le=MAX_ID, description="From GET appointments/availability.")


class RescheduleIn(Schema):
    # Required, but checked in the view after the appointment, so that another citizen's number
    # is a 404 whatever the body.
    slot_id: int | None = Field(None, ge=1, le=MAX_ID, description="The new time (required).")


class AppointmentHolderOut(Schema):
    person_id: int
    name: str = Field(description="In the reader's language: Chinese characters or pinyin.")
    relation: Literal["self", "minor"] = Field(description="You, or a minor you are guardian of.")
    id_number_masked: str = Field(examples=["4****************4"])


class EndorsementOut(Schema):
    code: str
    name: str


class DetailsOut(Schema):
    replacement_reason: str | None
    replacement_reason_name: str | None
    endorsements: list[EndorsementOut]
    contact_phone: str
    delivery: Literal["collect", "mail"] = "collect"
    delivery_address: str = ""


class HallRefOut(Schema):
    code: str
    name: str
    address: str
    phone: str


class AppointmentOut(Schema):
    number: str = Field(examples=["K7QM4XH2PA9R"])
    number_display: str = Field(examples=["K7QM-4XH2-PA9R"], description="As read out.")
    status: AppointmentStatus = Field(description="A booking whose time passed shows no_show.")
    status_name: str
    status_note: str = Field(description="Why, when the hall cancelled or did not accept.")
    person: AppointmentHolderOut
    document_type: DocumentType
    document_type_name: str
    kind: ApplicationKind
    kind_name: str
    details: DetailsOut
    hall: HallRefOut
    service: ServiceRefOut
    slot_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    walk_in: bool
    can_change: bool = Field(description="It can still be cancelled or moved.")
    change_until: dt.datetime | None = Field(description="Cancel or move before this moment.")
    created_at: dt.datetime
    url: str
    calendar_url: str = Field(description="The .ics calendar file.")


class CheckinOut(Schema):
    code: str = Field(description="What the QR code holds; the hall scans it.")
    qr_svg: str = Field(description="The QR code as an inline SVG image.")


class AppointmentEventOut(Schema):
    kind: str
    kind_name: str
    at: dt.datetime
    note: str


class AppointmentDetailOut(AppointmentOut):
    checkin: CheckinOut | None = Field(description="While the appointment is active.")
    what_to_bring: list[str] = Field(description="From the service guide.")
    events: list[AppointmentEventOut]
    application_number: str | None = Field(description="Once the hall accepted the application.")


class NextFreeOut(Schema):
    slot_id: int
    starts_at: dt.datetime
    available: int


class BookingProblemOut(ProblemOut):
    next_free: list[NextFreeOut] | None = Field(
        None, description="With slot_full / slot_closed: the next free times at the hall."
    )
    appointment: str | None = Field(
        None, description="With already_booked: the number of the appointment you hold."
    )
    blocked_until: dt.datetime | None = Field(
        None, description="With blocked_for_no_shows: until when."
    )
    retry_after: int | None = Field(None, description="With 429: seconds to wait.")


class SeatAlertIn(Schema):
    hall: str = Field(..., min_length=1, max_length=20)
    service: str = Field(..., min_length=1, max_length=40)
    date_from: BoundedDate
    date_to: BoundedDate = Field(description="At most 60 days after date_from.")


class SeatAlertHallOut(Schema):
    code: str
    name: str


class SeatAlertOut(Schema):
    id: int
    hall: SeatAlertHallOut
    service: ServiceRefOut
    date_from: dt.date
    date_to: dt.date
    status: Literal["waiting", "notified", "cancelled"]
    created_at: dt.datetime
    notified_at: dt.datetime | None


# -- availability (public) -----------------------------------------------------------------------


def _iso(value: dt.datetime) -> str:
    """A time in Asia/Shanghai as ninja's encoder writes it (the times here have no fractions)."""
    local = value.astimezone(SHANGHAI)
    if local.microsecond:
        return ENCODE(local)[1:-1]
    return local.isoformat()


def _availability_head(hall: HallEntry, service_code: str, zh: bool) -> str:
    """The hall and service part of an answer, rendered once per directory snapshot."""
    key = ("availability-head", service_code, zh)
    text = hall.memo.get(key)
    if text is None:
        language = "zh-hans" if zh else "en"
        names = get_directory().services.get(service_code, ("", "", ""))
        head = {
            "hall": {
                "code": hall.code,
                "name": localized(hall, "name", language),
                "address": localized(hall, "address", language),
                "phone": hall.phone,
            },
            "service": {"code": service_code, "name": names[0] if zh else names[1]},
        }
        text = hall.memo[key] = ENCODE(head)[1:-1]
    return text


def _slot_status(slot: selectors.SlotView) -> str:
    if slot.is_closed:
        return "closed"
    if not slot.is_released:
        return "not_released"
    return "available" if slot.available else "full"


# Rendered pieces of availability answers, by what they are made of. A time's piece changes only
# when its seats do, so nearly every piece of an answer was rendered for an earlier one. Bounded:
# emptied when full (a week of passport times at every hall is ~20,000 pieces).
_PIECES: dict[tuple, str] = {}
_MAX_PIECES = 50_000


def _piece(key: tuple, make) -> str:
    """The JSON of `make()`, rendered once per `key`."""
    text = _PIECES.get(key)
    if text is None:
        if len(_PIECES) >= _MAX_PIECES:
            _PIECES.clear()
        text = _PIECES[key] = ENCODE(make())
    return text


def _slot_json(slot: selectors.SlotView) -> str:
    # A time's id fixes its start and end; the rest can change.
    key = (slot.id, slot.capacity, slot.available, slot.is_closed, slot.is_released)
    text = _PIECES.get(key)
    if text is None:
        text = _piece(
            key,
            lambda: {
                "id": slot.id,
                "starts_at": _iso(slot.starts_at),
                "ends_at": _iso(slot.ends_at),
                "capacity": slot.capacity,
                "available": slot.available,
                "status": _slot_status(slot),
            },
        )
    return text


def _day_json(day: selectors.AvailabilityDay, available: int, zh: bool) -> str:
    info = day.info
    head = _piece(
        ("day", day.date, info.kind, info.name_zh, info.name_en, day.open, available, zh),
        lambda: {
            "date": day.date.isoformat(),
            "weekday": day.date.weekday(),
            "day_kind": str(info.kind),
            "day_name": (info.name_zh or info.name_en) if zh else (info.name_en or info.name_zh),
            "open": day.open,
            "available": available,
            "slots": [],
        },
    )
    # head ends with `"slots": []}`: the times go between the brackets.
    return f"{head[:-2]}{', '.join([_slot_json(s) for s in day.slots])}]}}"


def _availability_json(found: selectors.Availability, zh: bool) -> str:
    """The answer as JSON, as ninja would render AvailabilityOut (the tests check the shape and
    field order), put together from pieces rendered once."""
    head = _availability_head(found.hall, found.service_code, zh)
    per_day = [day.available for day in found.days]
    total = sum(per_day)
    middle = _piece(
        ("range", found.date_from, found.date_to, total, found.release_days,
         found.release_time, found.released_through, found.next_release_at),
        lambda: {
            "date_from": found.date_from.isoformat(),
            "date_to": found.date_to.isoformat(),
            "available": total,
            "release": {
                "days_ahead": found.release_days,
                "time": found.release_time.strftime("%H:%M"),
                "released_through": found.released_through.isoformat(),
                "next_release_at": _iso(found.next_release_at),
            },
            "days": [],
        },
    )  # fmt: skip
    days = ", ".join(
        [_day_json(day, available, zh) for day, available in zip(found.days, per_day, strict=True)]
    )
    return f"{{{head}, {middle[1:-2]}{days}]}}"


@router.get(
    "/appointments/availability",
    auth=None,
    response={200: AvailabilityOut, 404: ProblemOut, 422: ProblemOut},
    url_name="appointment_availability",
    summary="Free times at a hall for a service, day by day",
)
def appointment_availability(request: HttpRequest, params: Query[AvailabilityParams]):
    """The days from `from` to `to` (at most 31) at a hall for a service, with every time of
    each day and its free seats, and the release rule: times are released a fixed number of
    days ahead at a fixed time, so later days show no times or `not_released` ones yet.

    Seats shown may lag bookings by a second or two; booking a time that has just filled
    answers 409 with the next free times. An unknown hall is a 404; a hall that does not offer
    the service, a past or too long range, a 422.
    """
    now = timezone.now()
    today = now.astimezone(SHANGHAI).date()
    date_from = params.date_from or today
    date_to = params.date_to or max(date_from, selectors.release_horizon(now))
    found = selectors.availability(
        hall_code=params.hall,
        service_code=params.service,
        date_from=date_from,
        date_to=date_to,
        now=now,
        make_slots=slots_generate,
    )
    # Written straight in the schema's shape, as ninja would render it after validation, from
    # pieces rendered once (_PIECES): no validation pass over every time of the week.
    body = _availability_json(found, is_chinese(get_language()))
    api = mounted_api()
    if not renders_plain_json():
        return json.loads(body)
    return HttpResponse(body, status=200, content_type=api.get_content_type())


# -- my appointments ------------------------------------------------------------------------------


class _Urls:
    """Detail and calendar URLs, with reverse() run once per request."""

    def __init__(self, request: HttpRequest) -> None:
        marker = "0NUMBER0"
        self.head, _sep, self.tail = request.build_absolute_uri(
            reverse("api:my_appointment_get", args=[marker])
        ).rpartition(marker)

    def detail(self, number: str) -> str:
        return f"{self.head}{number}{self.tail}"

    def calendar(self, number: str) -> str:
        return f"{self.head}{number}.ics"


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored (UTC) time as shown: Asia/Shanghai."""
    return value.astimezone(SHANGHAI) if value is not None else None


def _holder(person, *, user) -> dict:
    return {
        "person_id": person.pk,
        "name": person.name,
        "relation": "self" if person.pk == user.person_id else "minor",
        "id_number_masked": mask_id_number(person.id_number),
    }


def _details(appointment: Appointment) -> dict:
    details = appointment.details if isinstance(appointment.details, dict) else {}
    reason = details.get("replacement_reason")
    return {
        "replacement_reason": reason,
        "replacement_reason_name": str(REPLACEMENT_REASONS[reason])
        if reason in REPLACEMENT_REASONS
        else None,
        "endorsements": [
            {"code": code, "name": endorsement_label(code)}
            for code in details.get("endorsements") or []
        ],
        "contact_phone": details.get("contact_phone") or "",
        "delivery": details.get("delivery") or "collect",
        "delivery_address": details.get("delivery_address") or "",
    }


def _appointment(appointment: Appointment, *, user, urls: _Urls, now: dt.datetime) -> dict:
    hall = appointment.hall
    status = selectors.appointment_display_status(appointment, now)
    can_change = selectors.appointment_can_change(appointment, now)
    return {
        "number": appointment.number,
        "number_display": appointment.number_display,
        "status": status,
        "status_name": str(AppointmentStatus(status).label),
        "status_note": appointment.status_note,
        "person": _holder(appointment.person, user=user),
        "document_type": appointment.document_type,
        "document_type_name": appointment.get_document_type_display(),
        "kind": appointment.kind,
        "kind_name": appointment.get_kind_display(),
        "details": _details(appointment),
        "hall": {
            "code": hall.code,
            "name": hall.name,
            "address": localized(hall, "address"),
            "phone": hall.phone,
        },
        "service": {"code": appointment.service.code, "name": appointment.service.name},
        "slot_id": appointment.slot_id,
        "starts_at": _local(appointment.starts_at),
        "ends_at": _local(appointment.ends_at),
        "walk_in": appointment.walk_in,
        "can_change": can_change,
        "change_until": selectors.change_cutoff(appointment).astimezone(SHANGHAI)
        if can_change
        else None,
        "created_at": _local(appointment.created_at),
        "url": urls.detail(appointment.number),
        "calendar_url": urls.calendar(appointment.number),
    }


def _application_number(appointment: Appointment) -> str | None:
    try:
        return appointment.application.number
    except Appointment.application.RelatedObjectDoesNotExist:
        return None


def _detail(
    request: HttpRequest, appointment: Appointment, *, new: bool = False, events=None
) -> dict:
    """The appointment in full; `new`: just booked, so no application can exist yet;
    `events`: its history when the caller has it (a new booking's), else read."""
    now = timezone.now()
    data = _appointment(appointment, user=request.auth, urls=_Urls(request), now=now)
    active = appointment.is_active and appointment.ends_at > now
    return data | {
        "checkin": {
            "code": selectors.appointment_checkin_code(appointment),
            "qr_svg": selectors.appointment_qr_svg(appointment),
        }
        if active
        else None,
        "what_to_bring": selectors.what_to_bring(appointment),
        "events": [
            {"kind": e.kind, "kind_name": e.get_kind_display(), "at": _local(e.at), "note": e.note}
            for e in (appointment.events.all() if events is None else events)
        ],
        "application_number": None if new else _application_number(appointment),
    }


@router.post(
    "/me/appointments",
    response={
        200: AppointmentDetailOut,
        201: AppointmentDetailOut,
        401: ProblemOut,
        403: BookingProblemOut,
        404: ProblemOut,
        409: BookingProblemOut,
        422: ProblemOut,
        429: BookingProblemOut,
    },
    url_name="my_appointment_book",
    summary="Book a time at a hall to apply for a document",
)
def my_appointment_book(
    request: HttpRequest,
    payload: BookIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Repeat a request safely: the same key returns the first booking (200).",
    ),
):
    """Book one seat for yourself or a minor you are guardian of; confirmed at once (201), with
    the appointment number, the check-in QR code and what to bring. The answers are checked
    against the person's documents (no renewal without a passport to renew).

    - 409 `slot_full` (or `slot_closed`) with `next_free`, the next free times at the hall;
    - 409 `already_booked`: one active appointment per person and document;
    - 403 `blocked_for_no_shows` with `blocked_until`; 429 with Retry-After;
    - 422 `idempotency_key_reused`: the key was used for another request.
    """
    require_bound(request.auth)
    booking = services.appointment_book(
        user=request.auth,
        person_id=payload.person_id,
        document_type=payload.document_type,
        kind=payload.kind,
        details=payload.details.model_dump(),
        slot_id=payload.slot_id,
        idempotency_key=idempotency_key or "",
        client_address=client_address(request),
    )
    if booking.created:
        # As the service made it, with its person, hall, service, slot and event: no second read.
        detail = _detail(request, booking.appointment, new=True, events=booking.events)
        return Status(201, detail)
    return Status(200, _detail(request, _mine(request, booking.appointment.number)))


@router.get(
    "/me/appointments",
    response={200: Page[AppointmentOut], 401: ProblemOut, 403: ProblemOut, 422: ProblemOut},
    url_name="my_appointments",
    summary="My appointments and my minors' appointments",
)
def my_appointments(request: HttpRequest, page: Query[PageParams]):
    """Every appointment of the signed-in citizen and of the minors they are guardian of,
    latest time first."""
    require_bound(request.auth)
    found = selectors.appointments_for(user=request.auth)
    urls, now = _Urls(request), timezone.now()
    rows = found[page.offset : page.offset + page.limit]
    return {
        **page_links(request, count=len(found), limit=page.limit, offset=page.offset),
        "results": [_appointment(a, user=request.auth, urls=urls, now=now) for a in rows],
    }


_ONE = {200: AppointmentDetailOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut}


def _mine(request: HttpRequest, number: str) -> Appointment:
    """The signed-in citizen's (or their minor's) appointment; anyone else's is a 404."""
    require_bound(request.auth)
    return selectors.appointment_get_for(user=request.auth, number=number)


@router.get(
    "/me/appointments/{appointment_number}.ics",
    response={401: ProblemOut, 403: ProblemOut, 404: ProblemOut},
    url_name="my_appointment_ics",
    summary="One of my appointments as a calendar file (.ics)",
    # The 200 answer is a calendar file, not JSON, so it is described here only (an int key,
    # as ninja's own: a second "200" key made the document invalid for Swagger UI).
    openapi_extra={
        "responses": {
            200: {
                "description": "An iCalendar file (RFC 5545) with one event.",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def my_appointment_ics(request: HttpRequest, appointment_number: str = _NUMBER):
    """The appointment as a calendar event: time, hall and address, number, what to bring."""
    appointment = _mine(request, appointment_number)
    response = HttpResponse(
        selectors.appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{appointment.number}.ics"'
    return response


@router.get(
    "/me/appointments/{appointment_number}",
    response=_ONE,
    url_name="my_appointment_get",
    summary="One of my (or my minors') appointments, with its check-in QR code",
)
def my_appointment_get(request: HttpRequest, appointment_number: str = _NUMBER):
    """The appointment with its check-in code (as text and as a QR image), what to bring, and
    what happened to it. Spaces and hyphens in the number are ignored."""
    return _detail(request, _mine(request, appointment_number))


_CHANGE = {
    200: AppointmentDetailOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: BookingProblemOut,
    422: ProblemOut,
}


@router.post(
    "/me/appointments/{appointment_number}/cancel",
    response=_CHANGE,
    url_name="my_appointment_cancel",
    summary="Cancel one of my appointments",
)
def my_appointment_cancel(request: HttpRequest, appointment_number: str = _NUMBER):
    """Cancel before the cutoff (409 `change_cutoff_passed` after it); the seat is freed at once."""
    appointment = _mine(request, appointment_number)
    services.appointment_cancel(user=request.auth, appointment=appointment)
    return _detail(request, _mine(request, appointment_number))


@router.post(
    "/me/appointments/{appointment_number}/reschedule",
    response=_CHANGE,
    url_name="my_appointment_reschedule",
    summary="Move one of my appointments to another time",
)
def my_appointment_reschedule(
    request: HttpRequest, payload: RescheduleIn, appointment_number: str = _NUMBER
):
    """Move to another time, at this hall or any other offering the service, before the cutoff.
    A full time answers 409 `slot_full` with `next_free`; the appointment keeps its number."""
    appointment = _mine(request, appointment_number)
    # Whose appointment it is is answered before what the body lacks: a 404 for anyone else's.
    if payload.slot_id is None:
        message = _("This value is required.")
        raise InvalidInput(field="slot_id", message=message)
    services.appointment_reschedule(
        user=request.auth, appointment=appointment, slot_id=payload.slot_id
    )
    return _detail(request, _mine(request, appointment_number))


# -- seat alerts ----------------------------------------------------------------------------------


def _seat_alert(watch: SlotWatch) -> dict:
    if watch.cancelled_at is not None:
        status = "cancelled"
    elif watch.notified_at is not None:
        status = "notified"
    else:
        status = "waiting"
    return {
        "id": watch.pk,
        "hall": {"code": watch.hall.code, "name": watch.hall.name},
        "service": {"code": watch.service.code, "name": watch.service.name},
        "date_from": watch.date_from,
        "date_to": watch.date_to,
        "status": status,
        "created_at": _local(watch.created_at),
        "notified_at": _local(watch.notified_at),
    }


@router.post(
    "/me/seat-alerts",
    response={
        201: SeatAlertOut,
        401: ProblemOut,
        403: ProblemOut,
        404: ProblemOut,
        409: ProblemOut,
        422: ProblemOut,
    },
    url_name="my_seat_alert_create",
    summary="Tell me when a seat frees up at a hall",
)
def my_seat_alert_create(request: HttpRequest, payload: SeatAlertIn):
    """Ask for one message (SMS) when a seat frees up at the hall for the service between the
    two dates. At most a few alerts at once: 409 `too_many_seat_alerts` beyond."""
    require_bound(request.auth)
    watch = services.seat_watch_create(
        user=request.auth,
        hall_code=payload.hall,
        service_code=payload.service,
        date_from=payload.date_from,
        date_to=payload.date_to,
    )
    watch = SlotWatch.objects.select_related("hall", "service").get(pk=watch.pk)
    return Status(201, _seat_alert(watch))


@router.get(
    "/me/seat-alerts",
    response={200: Page[SeatAlertOut], 401: ProblemOut, 403: ProblemOut, 422: ProblemOut},
    url_name="my_seat_alerts",
    summary="My seat alerts still waiting",
)
def my_seat_alerts(request: HttpRequest, page: Query[PageParams]):
    require_bound(request.auth)
    found = selectors.seat_watches_for(user=request.auth)
    rows = found[page.offset : page.offset + page.limit]
    return {
        **page_links(request, count=len(found), limit=page.limit, offset=page.offset),
        "results": [_seat_alert(w) for w in rows],
    }


@router.delete(
    "/me/seat-alerts/{alert_id}",
    response={204: None, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    url_name="my_seat_alert_cancel",
    summary="Cancel one of my seat alerts",
)
def my_seat_alert_cancel(request: HttpRequest, alert_id: int = Path(..., ge=1, le=MAX_ID)):
    require_bound(request.auth)
    services.seat_watch_cancel(user=request.auth, watch_id=alert_id)
    return Status(204, None)
