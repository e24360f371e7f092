"""Hall reception endpoints (/api/v1/staff/reception/...): today's list, check-in, walk-ins, the
steps at the counter (photo as multipart), accept and not accept.

Authentication as every staff endpoint (staff.api): the session of a staff member signed in at
/staff/login/ with the authenticator code, CSRF token in X-CSRFToken on POST. No session: 401;
not verified staff: 403 `staff_verification_required`; a role without hall service: 403
`permission_denied`. An appointment at a hall outside the officer's scope is a 404, as if it did
not exist. ID numbers are always masked.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from appointments.models import Appointment, AppointmentStatus
from core.api import Page, PageParams, ProblemOut, page_links
from core.errors import InvalidInput, NotFound
from core.http import client_address
from core.i18n import localized
from core.masking import mask_id_number
from staff.api import staff_auth

from . import selectors, services
from .errors import ReceptionError
from .models import Reception

router = Router(tags=["staff: hall reception"], auth=staff_auth)
READ_PROBLEMS = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_PROBLEMS = {**READ_PROBLEMS, 409: ProblemOut}
STEP = Literal["materials", "fingerprints", "photo", "fee"]


class HallOut(Schema):
    code: str
    name: str


class TodayFilters(PageParams):
    hall: str = Field(
        "",
        max_length=20,
        description="Code of a hall you serve; empty: the first of your halls.",
    )


class TodayRowOut(Schema):
    number: str
    number_display: str = Field(examples=["ABCD-2345-EFGH"])
    starts_at: dt.datetime
    ends_at: dt.datetime
    walk_in: bool
    name_zh: str
    name_pinyin: str
    id_number_masked: str = Field(examples=["4****************4"])
    document_type: str
    kind: str
    status: str = Field(description="As shown: a booking past its end without check-in: no_show.")
    status_label: str
    queue_number: int | None
    queue_display: str | None = Field(examples=["A007"])


class TodayPage(Page[TodayRowOut]):
    hall: HallOut
    date: dt.date = Field(description="Today in Asia/Shanghai.")


class StepOut(Schema):
    done: bool
    at: dt.datetime | None
    by: str | None = Field(description="Username of the officer who recorded it.")


class NotApplicableOut(Schema):
    item: str
    reason: str


class MaterialsOut(StepOut):
    items: list[str] = Field(
        description="The checklist: the guide's materials that apply to this applicant (age, "
        "kind of application, replacement reason, endorsements); tick them by position, from 0."
    )
    checked: list[str] = Field(description="The items as they were ticked.")
    not_applicable: list[NotApplicableOut] = Field(
        description="The items the officer marked as not applicable, with the reason."
    )


class PhotoOut(StepOut):
    width: int | None
    height: int | None
    url: str | None = Field(description="Staff only; every read is written to the access log.")


class FeeOut(StepOut):
    amount_due: Decimal | None = Field(
        description="From the fee table in force today, plus each endorsement asked for with a "
        "card pass from the endorsement policy (RMB)."
    )
    amount: Decimal | None
    method: str | None
    receipt_number: str | None


class ReceptionPersonOut(Schema):
    name_zh: str
    name_pinyin: str
    id_number_masked: str


class ReceptionOut(Schema):
    number: str
    number_display: str
    hall: HallOut
    document_type: str
    kind: str
    details: dict
    starts_at: dt.datetime
    ends_at: dt.datetime
    walk_in: bool
    status: str = Field(
        description="checked_in while the visit is open; then accepted or not_accepted."
    )
    status_label: str
    status_note: str = Field(description="The reason given when not accepted.")
    person: ReceptionPersonOut
    queue_number: int
    queue_display: str
    checked_in: StepOut
    materials: MaterialsOut
    fingerprints: StepOut
    photo: PhotoOut
    fee: FeeOut
    steps_missing: list[STEP]
    application_number: str | None


class CheckInIn(Schema):
    code: str = Field(
        max_length=100,
        description="The appointment number as typed (spaces, hyphens, lower case allowed) or "
        "the content of the confirmation's QR code.",
    )


class WalkInIn(Schema):
    hall: str = Field(max_length=20, description="Code of the hall (one you serve).")
    id_number: str = Field(max_length=40, description="The person's resident ID number.")
    document_type: str = Field(max_length=20, examples=["passport"])
    kind: str = Field(max_length=20, examples=["renewal"])
    details: dict = Field(
        default_factory=dict,
        description="replacement_reason (lost or damaged), endorsements (codes), contact_phone.",
    )


class NotApplicableIn(Schema):
    position: int = Field(ge=0, description="Position in `materials.items`.")
    reason: str = Field(max_length=1000, description="Why it does not apply (200 characters).")


class MaterialsIn(Schema):
    checked: list[int] = Field(
        max_length=50,
        description="Positions in `materials.items` of what was shown: every item not in "
        "`not_applicable`.",
    )
    not_applicable: list[NotApplicableIn] = Field(
        default_factory=list,
        max_length=50,
        description="Items that do not apply to this applicant, each with the officer's reason.",
    )


class FingerprintsIn(Schema):
    confirmed: bool = Field(description="true: the fingerprints were captured.")


class FeeIn(Schema):
    method: Literal["cash", "card", "wechat_pay", "alipay"]
    receipt_number: str = Field(max_length=60, description="4 to 40 letters, digits or hyphens.")


class NotAcceptedIn(Schema):
    reason: str = Field(
        max_length=1000, description="Shown to the applicant (5 to 500 characters)."
    )


class AcceptOut(Schema):
    application_number: str
    appointment_number: str
    fee_amount: Decimal
    status: str


def _hall(hall) -> dict:
    return {"code": hall.code, "name": localized(hall, "name")}


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def _step(at, by) -> dict:
    return {"done": at is not None, "at": at, "by": _user(by)}


def _reception(request: HttpRequest, reception: Reception) -> dict:
    appointment: Appointment = reception.appointment
    application = getattr(appointment, "application", None)
    fee_due = selectors.fee_due(appointment=appointment, on=selectors.local_day(timezone.now()))
    photo_url = None
    if reception.photo_at:
        photo_url = request.build_absolute_uri(
            reverse("api:staff_reception_photo", args=[appointment.number])
        )
    return {
        "number": appointment.number,
        "number_display": appointment.number_display,
        "hall": _hall(appointment.hall),
        "document_type": appointment.document_type,
        "kind": appointment.kind,
        "details": appointment.details or {},
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "walk_in": appointment.walk_in,
        "status": appointment.status,
        "status_label": str(AppointmentStatus(appointment.status).label),
        "status_note": appointment.status_note,
        "person": {
            "name_zh": appointment.person.name_zh,
            "name_pinyin": appointment.person.name_pinyin,
            "id_number_masked": mask_id_number(appointment.person.id_number),
        },
        "queue_number": reception.queue_number,
        "queue_display": reception.queue_display,
        "checked_in": _step(reception.checked_in_at, reception.checked_in_by),
        "materials": {
            **_step(reception.materials_checked_at, reception.materials_checked_by),
            "items": selectors.materials_checklist(appointment),
            "checked": reception.materials or [],
            "not_applicable": reception.materials_not_applicable or [],
        },
        "fingerprints": _step(reception.fingerprints_at, reception.fingerprints_by),
        "photo": {
            **_step(reception.photo_at, reception.photo_by),
            "width": reception.photo_width,
            "height": reception.photo_height,
            "url": photo_url,
        },
        "fee": {
            **_step(reception.fee_paid_at, reception.fee_paid_by),
            "amount_due": fee_due,
            "amount": reception.fee_amount,
            "method": reception.fee_method or None,
            "receipt_number": reception.fee_receipt or None,
        },
        "steps_missing": reception.steps_missing,
        "application_number": application.number if application else None,
    }


def _fresh(request: HttpRequest, number: str) -> dict:
    return _reception(request, selectors.reception_get_for(officer=request.user, number=number))


@router.get(
    "today",
    response={200: TodayPage, **READ_PROBLEMS},
    url_name="staff_reception_today",
)
def today(request: HttpRequest, filters: Query[TodayFilters]):
    """Today's appointments (Asia/Shanghai) at a hall you serve, earliest first, with their
    status and queue numbers; ID numbers masked. Cancelled ones are left out."""
    if filters.hall:
        hall = selectors.hall_for_officer(officer=request.user, code=filters.hall)
    else:
        hall = selectors.reception_halls(request.user).first()
        if hall is None:
            raise NotFound(code=ReceptionError.HALL_NOT_FOUND, detail=_("Your role lists no hall."))
    now = timezone.now()
    rows = selectors.today_appointments(officer=request.user, hall=hall, now=now)
    page = rows[filters.offset : filters.offset + filters.limit]
    links = page_links(request, count=len(rows), limit=filters.limit, offset=filters.offset)
    return {
        **links,
        "hall": _hall(hall),
        "date": selectors.local_day(now),
        "results": [
            {
                "number": row.appointment.number,
                "number_display": row.appointment.number_display,
                "starts_at": row.appointment.starts_at,
                "ends_at": row.appointment.ends_at,
                "walk_in": row.appointment.walk_in,
                "name_zh": row.appointment.person.name_zh,
                "name_pinyin": row.appointment.person.name_pinyin,
                "id_number_masked": row.id_number_masked,
                "document_type": row.appointment.document_type,
                "kind": row.appointment.kind,
                "status": row.status,
                "status_label": row.status_label,
                "queue_number": row.reception.queue_number if row.reception else None,
                "queue_display": row.queue_display or None,
            }
            for row in page
        ],
    }


@router.post(
    "check-in",
    response={201: ReceptionOut, **WRITE_PROBLEMS},
    url_name="staff_reception_check_in",
)
def check_in(request: HttpRequest, payload: CheckInIn):
    """Check in by appointment number or QR code content; a queue number is given.

    404 `appointment_not_found` (unknown, or at a hall you do not serve); 422
    `invalid_checkin_code`; 409 `already_checked_in`, `cannot_check_in` (cancelled, missed...),
    `checkin_wrong_day`, `checkin_too_early` (more than 60 minutes before the start),
    `checkin_too_late` (after the hall closed that day).
    """
    reception = services.reception_check_in(officer=request.user, code=payload.code)
    return Status(201, _fresh(request, reception.appointment.number))


@router.post(
    "walk-ins",
    response={201: ReceptionOut, **WRITE_PROBLEMS},
    url_name="staff_reception_walk_in",
)
def walk_in(request: HttpRequest, payload: WalkInIn):
    """Record an applicant without an appointment, checked in at once with a queue number.

    The lookup by ID number is written to the access log ("walk-in at <hall>") even when the
    walk-in is then refused. 404 `person_not_found` / `hall_not_found`; 422 invalid ID number or
    answers; 409 `already_booked` (an active appointment for this document exists).
    """
    hall = selectors.hall_for_officer(officer=request.user, code=payload.hall)
    found = services.walk_in_lookup(
        officer=request.user,
        hall=hall,
        id_number=payload.id_number,
        client_address=client_address(request),
    )
    reception = services.reception_walk_in(
        officer=request.user,
        hall=hall,
        person_id=found.person_id,
        document_type=payload.document_type,
        kind=payload.kind,
        details=payload.details,
    )
    return Status(201, _fresh(request, reception.appointment.number))


@router.get(
    "{number}",
    response={200: ReceptionOut, **WRITE_PROBLEMS},
    url_name="staff_reception_get",
)
def reception_get(request: HttpRequest, number: str):
    """One applicant's visit: the steps done (who, when) and to do. 409 `not_checked_in`."""
    return _fresh(request, number)


@router.post(
    "{number}/materials",
    response={200: ReceptionOut, **WRITE_PROBLEMS},
    url_name="staff_reception_materials",
)
def materials(request: HttpRequest, number: str, payload: MaterialsIn):
    """Materials checked: every item of `materials.items`, by position (422
    `materials_incomplete` otherwise). 409 `step_already_done`, `reception_already_decided`."""
    reasons: dict[int, str] = {}
    for entry in payload.not_applicable:
        if entry.position in reasons:
            raise InvalidInput(
                field="not_applicable",
                code=ReceptionError.MATERIALS_INCOMPLETE,
                message=_("Give one reason per item."),
            )
        reasons[entry.position] = entry.reason
    services.materials_record(
        officer=request.user, number=number, checked=payload.checked, not_applicable=reasons
    )
    return _fresh(request, number)


@router.post(
    "{number}/fingerprints",
    response={200: ReceptionOut, **WRITE_PROBLEMS},
    url_name="staff_reception_fingerprints",
)
def fingerprints(request: HttpRequest, number: str, payload: FingerprintsIn):
    """Fingerprints captured (`confirmed` must be true). 409 `step_already_done`."""
    services.fingerprints_record(officer=request.user, number=number, confirmed=payload.confirmed)
    return _fresh(request, number)


@router.post(
    "{number}/photo",
    response={200: ReceptionOut, **WRITE_PROBLEMS},
    url_name="staff_reception_photo_upload",
)
def photo_upload(request: HttpRequest, number: str, photo: File[UploadedFile]):
    """The photo taken at the counter, as multipart/form-data field `photo`.

    Checked by its content: a JPEG or PNG, at most RECEPTION_PHOTO_MAX_BYTES (2 MiB), portrait,
    300 x 400 to 2000 x 2000 pixels; 422 `photo_too_large`, `photo_not_an_image`,
    `photo_wrong_format`, `photo_wrong_dimensions`, `photo_not_portrait`. Stored re-encoded
    without metadata, never public.
    """
    services.photo_record(officer=request.user, number=number, upload=photo)
    return _fresh(request, number)


@router.get(
    "{number}/photo",
    response={200: None, **READ_PROBLEMS, 409: ProblemOut},
    url_name="staff_reception_photo",
    openapi_extra={"responses": {200: {"description": "The photo", "content": {"image/jpeg": {}}}}},
)
def photo(request: HttpRequest, number: str):
    """The applicant's photo (image/jpeg); each read is written to the access log."""
    content = services.photo_read(
        officer=request.user, number=number, client_address=client_address(request)
    )
    response = HttpResponse(content, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "{number}/fee",
    response={200: ReceptionOut, **WRITE_PROBLEMS},
    url_name="staff_reception_fee",
)
def fee(request: HttpRequest, number: str, payload: FeeIn):
    """Fee paid: the amount comes from the fee table (409 `fee_not_in_table` if it has none);
    you give the method and the receipt number."""
    services.fee_record(
        officer=request.user,
        number=number,
        method=payload.method,
        receipt_number=payload.receipt_number,
    )
    return _fresh(request, number)


@router.post(
    "{number}/accept",
    response={201: AcceptOut, **WRITE_PROBLEMS},
    url_name="staff_reception_accept",
)
def accept(request: HttpRequest, number: str):
    """Accept the application: created with its number, its timeline starts. 409
    `reception_steps_missing` (with `missing`) until every step is recorded."""
    application = services.reception_accept(officer=request.user, number=number)
    return Status(
        201,
        {
            "application_number": application.number,
            "appointment_number": application.appointment.number,
            "fee_amount": application.fee_amount,
            "status": application.status,
        },
    )


@router.post(
    "{number}/not-accepted",
    response={200: ReceptionOut, **WRITE_PROBLEMS},
    url_name="staff_reception_not_accepted",
)
def not_accepted(request: HttpRequest, number: str, payload: NotAcceptedIn):
    """Not accepted, with the reason the applicant reads (422 `reason_required`)."""
    services.reception_not_accept(officer=request.user, number=number, reason=payload.reason)
    return _fresh(request, number)
