"""The authority's side of applications (/api/v1/staff/applications/...): the queue with its
filters, one application (access-logged), the workflow's actions, production in bulk and the
supervisors' view of each officer's queue.

Authentication as every staff endpoint (staff.api): a staff session with its second factor,
CSRF token in X-CSRFToken on POST. An application at a hall outside the staff member's scope is
a 404, as if it did not exist; an action the status or the role does not allow is a 409 that
lists the actions allowed. ID and document numbers are masked.
"""

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from core.api import Page, PageParams, ProblemOut, page_links
from core.dates import today_shanghai
from core.errors import PermissionDenied
from core.http import client_address
from core.masking import mask_id_number
from documents.models import DocumentType
from staff.api import staff_auth
from staff.permissions import Permission
from staff.selectors import staff_can

from . import selectors, services
from .models import Application, ApplicationEvent, ApplicationStatus, RejectionReason

router = Router(tags=["staff: applications"], auth=staff_auth)
READ = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE = {**READ, 409: ProblemOut}
NUMBER = Path(..., max_length=40, description="The application number.")


class QueueFilters(PageParams):
    hall: str = Field("", max_length=20, description="A hall code in your scope.")
    document_type: DocumentType | Literal[""] = ""
    age: Literal["", "under_16", "16_or_over"] = ""
    due_by: dt.date | None = Field(None, description="Due on or before this date.")
    overdue: bool = False
    status: Literal["", "accepted", "under_review", "approved", "in_production", "produced"] = ""
    assigned: str = Field("", max_length=150, description="me, nobody, or a username.")


class StaffActionOut(Schema):
    name: str
    label: str
    reason_required: bool


class QueueRowOut(Schema):
    number: str
    status: ApplicationStatus
    status_name: str
    hall_code: str
    hall_name: str
    document_type: DocumentType
    kind: str
    name_zh: str
    name_pinyin: str
    id_number_masked: str = Field(examples=["4403**********1234"])
    accepted_at: dt.datetime
    due_on: dt.date | None
    overdue: bool
    working_days_late: int
    assigned_to: str | None
    delivery: str
    actions: list[StaffActionOut]


class StaffTimelineStepOut(Schema):
    action: str
    from_status: str
    status: ApplicationStatus
    by: str | None = Field(description="Username of the staff member (null: the citizen).")
    at: dt.datetime
    reason: str
    note: str
    data: dict


class ApplicationStaffOut(QueueRowOut):
    expected_on: dt.date | None
    delivery_address: str
    carrier: str
    tracking_number: str
    rejection_reason: str
    issued_document: str | None = Field(description="The new document's number, masked.")
    timeline: list[StaffTimelineStepOut]


def _actions(application: Application, staff) -> list[dict]:
    return [
        {"name": a.name, "label": str(a.label), "reason_required": a.reason_required}
        for a in selectors.application_actions_for(application, staff)
    ]


def _row(application: Application, staff, today: dt.date) -> dict:
    from core.masking import mask_document_number

    from .deadlines import working_days_late

    person = application.person
    overdue = selectors.is_overdue(application, today)
    return {
        "number": application.number,
        "status": application.status,
        "status_name": application.get_status_display(),
        "hall_code": application.hall.code,
        "hall_name": application.hall.name,
        "document_type": application.document_type,
        "kind": application.kind,
        "name_zh": person.name_zh,
        "name_pinyin": person.name_pinyin,
        "id_number_masked": mask_id_number(person.id_number),
        "accepted_at": application.accepted_at,
        "due_on": application.due_on,
        "overdue": overdue,
        "working_days_late": working_days_late(application.due_on, today) if overdue else 0,
        "assigned_to": application.assigned_to.username if application.assigned_to else None,
        "delivery": application.delivery,
        "actions": _actions(application, staff),
        "_document": (
            mask_document_number(application.issued_document.number)
            if application.issued_document
            else None
        ),
    }


def _step(event: ApplicationEvent) -> dict:
    return {
        "action": event.action,
        "from_status": event.from_status,
        "status": event.status,
        "by": event.actor.username if event.actor and event.actor.is_staff else None,
        "at": event.at,
        "reason": event.reason,
        "note": event.note,
        "data": event.data,
    }


def _detail(application: Application, staff) -> dict:
    row = _row(application, staff, today_shanghai())
    return row | {
        "expected_on": application.expected_on,
        "delivery_address": application.delivery_address,
        "carrier": application.carrier,
        "tracking_number": application.tracking_number,
        "rejection_reason": application.rejection_reason,
        "issued_document": row.pop("_document"),
        "timeline": [
            _step(e) for e in application.events.select_related("actor").order_by("at", "id")
        ],
    }


@router.get(
    "/applications",
    response={200: Page[QueueRowOut], 401: ProblemOut, 403: ProblemOut, 422: ProblemOut},
    url_name="staff_applications",
    summary="The queue: applications still to be worked on at the halls in your scope",
)
def queue(request: HttpRequest, filters: Query[QueueFilters]):
    """The most urgent first (due date, then acceptance); `overdue` flags the late ones."""
    found = selectors.applications_queue(
        staff=request.auth,
        filters=selectors.QueueFilters(
            hall=filters.hall,
            document_type=filters.document_type,
            age=filters.age,
            due_by=filters.due_by,
            overdue=filters.overdue,
            status=filters.status,
            assigned=filters.assigned,
        ),
    )
    rows = list(found[filters.offset : filters.offset + filters.limit])
    services.applications_queue_shown(
        staff=request.auth, applications=rows, client_address=client_address(request)
    )
    today = today_shanghai()
    return {
        **page_links(request, count=found.count(), limit=filters.limit, offset=filters.offset),
        "results": [_row(a, request.auth, today) for a in rows],
    }


class OfficerLoadOut(Schema):
    username: str = Field(description="Empty: not taken by anyone yet.")
    open: int
    overdue: int


@router.get(
    "/applications/officers",
    response={200: list[OfficerLoadOut], 401: ProblemOut, 403: ProblemOut},
    url_name="staff_application_officers",
    summary="Supervisors: each officer's open applications and how many are late",
)
def officers(request: HttpRequest):
    if not staff_can(request.auth, Permission.APPLICATION_DECIDE):
        raise PermissionDenied()
    return [vars(load) for load in selectors.officers_load(staff=request.auth)]


class ProductionIn(Schema):
    numbers: list[str] = Field(..., min_length=1, max_length=200)


class BulkResultOut(Schema):
    number: str
    done: bool
    code: str
    detail: str


@router.post(
    "/applications/production",
    response={200: list[BulkResultOut], 401: ProblemOut, 403: ProblemOut, 422: ProblemOut},
    url_name="staff_applications_production",
    summary="Send approved applications to production, in bulk",
)
def production(request: HttpRequest, payload: ProductionIn):
    """Each application on its own: the answer says which went and why others did not."""
    results = services.applications_send_to_production(
        staff=request.auth, numbers=[n[:40] for n in payload.numbers]
    )
    return [vars(r) for r in results]


@router.get(
    "/applications/{number}",
    response={200: ApplicationStaffOut, **READ},
    url_name="staff_application",
    summary="One application with its timeline (written to the access log)",
)
def detail(request: HttpRequest, number: str = NUMBER):
    application = services.application_open_for_staff(
        staff=request.auth, number=number, client_address=client_address(request)
    )
    return _detail(application, request.auth)


def _answer(request: HttpRequest, number: str) -> dict:
    return _detail(selectors.application_for_staff(staff=request.auth, number=number), request.auth)


class NoteIn(Schema):
    note: str = Field("", max_length=500)


class RejectIn(Schema):
    # Required, but checked after the access check: an application elsewhere is a 404.
    reason_code: str | None = Field(
        None, max_length=32, description="One of: " + ", ".join(RejectionReason.values)
    )
    text: str | None = Field(None, max_length=1000, description="What the citizen reads (10-500).")


class MailIn(Schema):
    carrier: str | None = Field(None, max_length=60, examples=["EMS"])
    tracking_number: str | None = Field(None, max_length=60, examples=["EA123456789CN"])


class HandOverIn(Schema):
    id_number: str | None = Field(None, max_length=40, description="From the ID card presented.")
    old_document_number: str = Field(
        "", max_length=20, description="The document being replaced, taken back."
    )


class ReassignIn(Schema):
    assignee: str | None = Field(None, max_length=150, description="The officer's username.")


@router.post(
    "/applications/{number}/start-review",
    response={200: ApplicationStaffOut, **WRITE},
    url_name="staff_application_start_review",
)
def start_review(request: HttpRequest, number: str = NUMBER):
    services.application_start_review(staff=request.auth, number=number)
    return _answer(request, number)


@router.post(
    "/applications/{number}/approve",
    response={200: ApplicationStaffOut, **WRITE},
    url_name="staff_application_approve",
)
def approve(request: HttpRequest, payload: NoteIn, number: str = NUMBER):
    services.application_approve(staff=request.auth, number=number, note=payload.note)
    return _answer(request, number)


@router.post(
    "/applications/{number}/reject",
    response={200: ApplicationStaffOut, **WRITE},
    url_name="staff_application_reject",
)
def reject(request: HttpRequest, payload: RejectIn, number: str = NUMBER):
    services.application_reject(
        staff=request.auth,
        number=number,
        reason_code=payload.reason_code or "",
        text=payload.text or "",
    )
    return _answer(request, number)


@router.post(
    "/applications/{number}/produce",
    response={200: ApplicationStaffOut, **WRITE},
    url_name="staff_application_produce",
    summary="Record as produced: the new document is issued into the registry",
)
def produce(request: HttpRequest, number: str = NUMBER):
    services.application_produce(staff=request.auth, number=number)
    return _answer(request, number)


@router.post(
    "/applications/{number}/ready",
    response={200: ApplicationStaffOut, **WRITE},
    url_name="staff_application_ready",
)
def ready(request: HttpRequest, number: str = NUMBER):
    services.application_ready(staff=request.auth, number=number)
    return _answer(request, number)


@router.post(
    "/applications/{number}/mail",
    response={200: ApplicationStaffOut, **WRITE},
    url_name="staff_application_mail",
)
def mail(request: HttpRequest, payload: MailIn, number: str = NUMBER):
    services.application_mail(
        staff=request.auth,
        number=number,
        carrier=payload.carrier or "",
        tracking_number=payload.tracking_number or "",
    )
    return _answer(request, number)


@router.post(
    "/applications/{number}/deliver",
    response={200: ApplicationStaffOut, **WRITE},
    url_name="staff_application_deliver",
)
def deliver(request: HttpRequest, number: str = NUMBER):
    services.application_deliver(staff=request.auth, number=number)
    return _answer(request, number)


@router.post(
    "/applications/{number}/hand-over",
    response={200: ApplicationStaffOut, **WRITE},
    url_name="staff_application_hand_over",
    summary="Hand over at the hall, the identity checked (recorded, access-logged)",
)
def hand_over(request: HttpRequest, payload: HandOverIn, number: str = NUMBER):
    services.application_hand_over(
        staff=request.auth,
        number=number,
        id_number=payload.id_number or "",
        old_document_number=payload.old_document_number,
        client_address=client_address(request),
    )
    return _answer(request, number)


@router.post(
    "/applications/{number}/reassign",
    response={200: ApplicationStaffOut, **WRITE},
    url_name="staff_application_reassign",
)
def reassign(request: HttpRequest, payload: ReassignIn, number: str = NUMBER):
    assignee = (
        get_user_model().objects.filter(username=payload.assignee or "", is_staff=True).first()
    )
    services.application_reassign(staff=request.auth, number=number, assignee=assignee)
    return _answer(request, number)
