"""Applications for a document, once a hall accepted them (受理): the signed-in citizen's and
their minors', each with its timeline, expected date and next step; withdrawing one under
review and changing how the document is received (until production)."""

import datetime as dt
import json
from typing import Literal

import pydantic
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Path, Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import Field

from accounts.auth import citizen_auth, citizen_auth_pending, require_bound
from appointments.models import ApplicationKind
from core.api import Out, Page, PageParams, ProblemOut, page_links, prevalidated_response
from core.http import client_address
from core.i18n import choice_labels, localized
from core.masking import mask_id_number
from core.reversing import DetailLinks
from documents.models import DocumentType
from endorsements import selectors as endorsement_selectors
from endorsements.models import Channel, Destination, Endorsement, EndorsementStatus
from guide.calendar import SHANGHAI

from . import progress, receipt, selectors, services
from .errors import (
    LookupBodyNotObject,
    LookupBodyTooLarge,
    LookupInvalidJson,
    LookupNotJson,
)
from .models import Application, ApplicationEvent, ApplicationStatus, Delivery

router = Router(tags=["applications"], auth=citizen_auth)


class ApplicationHolderOut(Out):
    person_id: int
    name: str = Field(description="In the reader's language: Chinese characters or pinyin.")
    relation: Literal["self", "minor"] = Field(description="You, or a minor you are guardian of.")
    id_number_masked: str = Field(examples=["4****************4"])


class ApplicationHallRefOut(Out):
    code: str
    name: str
    address: str
    phone: str


class ApplicationServiceRefOut(Out):
    code: str
    name: str


class OutlookOut(Out):
    stage: str = Field(description="The stage in plain words: review, production, ...")
    expected_date: dt.date | None = Field(
        description="Expected completion (ready at the hall or mailed), in working days from "
        "the guide's processing time; null once it is ready, mailed or ended."
    )
    next_step: str = Field(description="What happens next or what to do, in plain words.")


class DeliveryOut(Out):
    method: Delivery
    method_name: str
    address: str = Field(description="For delivery by mail.")
    carrier: str
    tracking_number: str


class ApplicationActionOut(Out):
    name: str = Field(examples=["withdraw"])
    label: str


class ApplicationOut(Out):
    number: str = Field(examples=["26112512345678"])
    status: ApplicationStatus
    status_name: str
    outlook: OutlookOut
    delivery: DeliveryOut
    actions: list[ApplicationActionOut] = Field(
        description="What you can do now: POST to .../{action} (withdraw, delivery)."
    )
    person: ApplicationHolderOut
    document_type: DocumentType
    document_type_name: str
    kind: ApplicationKind
    kind_name: str
    hall: ApplicationHallRefOut = Field(description="Where it was accepted.")
    service: ApplicationServiceRefOut
    fee_amount: str = Field(description="Fee paid, RMB.", examples=["120.00"])
    accepted_at: dt.datetime
    updated_at: dt.datetime
    appointment_number: str | None = Field(description="The appointment it was accepted at.")
    url: str


class EndorsementApplicationOut(Out):
    kind: Literal["endorsement"] = Field(description="Always endorsement: the discriminator.")
    id: int = Field(description="GET /api/v1/me/endorsements/{id} has its timeline.")
    number: str = Field(description="The endorsement's number.", examples=["HG26112512345678"])
    application_number: str = Field(
        description="14 digits, for the progress lookup.", examples=["26112512345678"]
    )
    status: EndorsementStatus
    status_name: str
    outlook: OutlookOut
    person: ApplicationHolderOut
    destination: Destination
    destination_name: str
    type: str = Field(examples=["G"])
    type_name: str
    channel: Channel = Field(description="Paid and printed at a hall or a self-service kiosk.")
    hall: ApplicationHallRefOut | None = Field(description="The hall chosen (channel hall).")
    fee: str = Field(description="RMB.", examples=["15.00"])
    valid_from: dt.date
    valid_until: dt.date
    applied_at: dt.datetime
    updated_at: dt.datetime
    url: str = Field(description="The endorsement with its timeline (API).")
    page_url: str = Field(description="The endorsement's own page.")


class MyApplicationsPage(Page[ApplicationOut]):
    endorsements: list[EndorsementApplicationOut] = Field(
        description="My (and my minors') endorsement applications, newest first, at most "
        f"{endorsement_selectors.MY_APPLICATIONS_MAX}; not paged: on the first page (offset 0) "
        "only, empty on the others."
    )


class TimelineStepOut(Out):
    action: str = Field(description="What happened (accept, approve, reject, mail, ...).")
    status: ApplicationStatus
    status_name: str
    text: str = Field(description="The step in plain words.")
    at: dt.datetime
    note: str = Field(description="Why, for a rejection or a withdrawal.")


class ApplicationDetailOut(ApplicationOut):
    timeline: list[TimelineStepOut] = Field(description="Oldest first; the last is the status.")


def _application_links(request: HttpRequest) -> DetailLinks:
    return DetailLinks(request, "api:my_application_get")


_CITIZEN_ACTIONS = {"withdraw": "withdraw", "change_delivery": "delivery"}


def _application(application: Application, *, user, urls: DetailLinks) -> dict:
    person, hall = application.person, application.hall
    outlook = selectors.application_outlook(application)
    # Labels translated once per process and language (core.i18n.choice_labels), not per value;
    # the language read once (each read of the active one costs a context-local lookup).
    language = get_language()
    return {
        "number": application.number,
        "status": application.status,
        "status_name": choice_labels(ApplicationStatus, language)[application.status],
        "outlook": {
            "stage": outlook.stage_label,
            "expected_date": outlook.expected_date,
            "next_step": outlook.next_step,
        },
        "delivery": {
            "method": application.delivery,
            "method_name": choice_labels(Delivery, language)[application.delivery],
            "address": application.delivery_address,
            "carrier": application.carrier,
            "tracking_number": application.tracking_number,
        },
        "actions": [
            {"name": _CITIZEN_ACTIONS[a.name], "label": str(a.label)}
            for a in selectors.application_actions_for(application, user)
            if a.name in _CITIZEN_ACTIONS
        ],
        "person": {
            "person_id": person.pk,
            "name": person.name_in(language),
            "relation": "self" if person.pk == user.person_id else "minor",
            "id_number_masked": mask_id_number(person.id_number),
        },
        "document_type": application.document_type,
        "document_type_name": choice_labels(DocumentType, language)[application.document_type],
        "kind": application.kind,
        "kind_name": choice_labels(ApplicationKind, language)[application.kind],
        "hall": {
            "code": hall.code,
            "name": localized(hall, "name", language),
            "address": localized(hall, "address", language),
            "phone": hall.phone,
        },
        "service": {
            "code": application.service.code,
            "name": localized(application.service, "name", language),
        },
        "fee_amount": f"{application.fee_amount:.2f}",
        "accepted_at": application.accepted_at.astimezone(SHANGHAI),
        "updated_at": application.updated_at.astimezone(SHANGHAI),
        "appointment_number": application.appointment.number if application.appointment else None,
        "url": urls(application.number),
    }


def _endorsement(endorsement: Endorsement, *, user, urls: DetailLinks, pages: DetailLinks) -> dict:
    e, person, hall = endorsement, endorsement.person, endorsement.hall
    outlook = endorsement_selectors.endorsement_outlook(e)
    language = get_language()
    return {
        "kind": "endorsement",
        "id": e.pk,
        "number": e.number,
        "application_number": e.application_number,
        "status": e.status,
        "status_name": choice_labels(EndorsementStatus, language)[e.status],
        "outlook": {
            "stage": outlook.stage_label,
            "expected_date": outlook.expected_date,
            "next_step": outlook.next_step,
        },
        "person": {
            "person_id": person.pk,
            "name": person.name_in(language),
            "relation": "self" if person.pk == user.person_id else "minor",
            "id_number_masked": mask_id_number(person.id_number),
        },
        "destination": e.destination,
        "destination_name": choice_labels(Destination, language)[e.destination],
        "type": e.type_code,
        "type_name": f"{localized(e.policy, 'name', language)} ({e.type_code})",
        "channel": e.channel,
        "hall": (
            {
                "code": hall.code,
                "name": localized(hall, "name", language),
                "address": localized(hall, "address", language),
                "phone": hall.phone,
            }
            if hall is not None
            else None
        ),
        "fee": f"{e.fee:.2f}",
        "valid_from": e.valid_from,
        "valid_until": e.valid_until,
        "applied_at": e.applied_at.astimezone(SHANGHAI),
        "updated_at": e.updated_at.astimezone(SHANGHAI),
        "url": urls(e.pk),
        "page_url": pages(e.pk),
    }


def _step(event: ApplicationEvent, application: Application) -> dict:
    return {
        "action": event.action,
        "status": event.status,
        "status_name": event.get_status_display(),
        "text": selectors.step_text(event, application),
        "at": event.at.astimezone(SHANGHAI),
        "note": event.note,
    }


def _detail(request: HttpRequest, application: Application) -> dict:
    return _application(application, user=request.auth, urls=_application_links(request)) | {
        "timeline": [_step(e, application) for e in selectors.citizen_timeline(application)]
    }


@router.get(
    "/me/applications",
    response={200: MyApplicationsPage, 401: ProblemOut, 403: ProblemOut, 422: ProblemOut},
    url_name="my_applications",
    summary="My applications and my minors' applications",
    auth=citizen_auth_pending,
)
def my_applications(request: HttpRequest, page: Query[PageParams]):
    """Every application of the signed-in citizen and of the minors they are guardian of,
    latest accepted first (`results`, paged), and on the first page their endorsement
    applications (`endorsements`, kind `endorsement`), each with its status, expected date and
    next step."""
    # The token is read with the list (one statement); request.auth is the user after it.
    count, rows, endorsement_rows = selectors.my_applications_page(
        user=request.auth, limit=page.limit, offset=page.offset
    )
    urls = _application_links(request)
    endorsements = []
    if endorsement_rows:
        api_links = DetailLinks(request, "api:my_endorsement")
        page_links_ = DetailLinks(request, "endorsements:detail")
        endorsements = [
            _endorsement(e, user=request.auth, urls=api_links, pages=page_links_)
            for e in endorsement_rows
        ]
    # Built in MyApplicationsPage's shape, field order and types, and rendered without ninja's
    # validation pass (profiled: 6% of the request's CPU); a test compares the body with the
    # validated rendering in both languages, and every answer is checked against the OpenAPI
    # document (tests/openapi_answers.py).
    return prevalidated_response(
        request,
        {
            **page_links(request, count=count, limit=page.limit, offset=page.offset),
            "results": [_application(a, user=request.auth, urls=urls) for a in rows],
            "endorsements": endorsements,
        },
    )


@router.get(
    "/me/applications/{application_number}",
    response={200: ApplicationDetailOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut},
    url_name="my_application_get",
    summary="One of my (or my minors') applications, with its timeline",
)
def my_application_get(
    request: HttpRequest,
    application_number: str = Path(
        ..., description="The application number (spaces and hyphens ignored)."
    ),
):
    """The application and each step it went through, oldest first. Spaces and hyphens in the
    number are ignored."""
    require_bound(request.auth)
    application = selectors.application_get_for(user=request.auth, number=application_number)
    return _detail(request, application)


@router.get(
    "/me/applications/{application_number}/receipt.pdf",
    response={
        200: None,
        401: ProblemOut,
        403: ProblemOut,
        404: ProblemOut,
        503: ProblemOut,
    },
    url_name="my_application_receipt",
    summary="The acceptance receipt (受理回执) of one of my (or my minors') applications, as a PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "A one-page A4 PDF in the reader's language.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def my_application_receipt(
    request: HttpRequest,
    application_number: str = Path(
        ..., description="The application number (spaces and hyphens ignored)."
    ),
):
    """The application number, the applicant (ID number masked), the document, the hall, when it
    was accepted, the fee, the expected completion date, and a QR code that opens the progress
    lookup with the number filled in. Not cached (`Cache-Control: no-store`); 503
    `receipt_unavailable` when the server lacks its font."""
    require_bound(request.auth)
    application = selectors.application_get_for(user=request.auth, number=application_number)
    return receipt.receipt_response(request, application)


# -- the progress lookup, without signing in ---------------------------------------------------

LOOKUP_MAX_BYTES = 2048


class ProgressLookupIn(Schema):
    # No other fields: a valid body is always within LOOKUP_MAX_BYTES (2 x 64 characters, even
    # as JSON escapes), so the 413 only ever answers a body the schema does not allow.
    model_config = pydantic.ConfigDict(extra="forbid")

    application_number: str = Field(
        max_length=64,
        description="14 digits, as on the acceptance receipt (spaces and hyphens ignored).",
        examples=["26112512345678"],
    )
    id_number: str = Field(
        max_length=64,
        description="The applicant's resident ID number (18 characters).",
        examples=["11010519491231002X"],
    )


class ProgressOut(Out):
    application_number: str
    kind: Literal["application", "endorsement"] = Field(
        description="A document application, or an endorsement application (its status is "
        "then one of the endorsement's)."
    )
    name_masked: str = Field(description="The applicant's name, masked.", examples=["王**"])
    document_type: DocumentType = Field(description="For an endorsement: the card pass it goes on.")
    document_type_name: str
    status: ApplicationStatus | EndorsementStatus
    status_name: str
    stage: str = Field(description="Where the application is now, in plain words.")
    expected_date: dt.date | None = Field(
        description="When it should be done (Beijing date), if known."
    )
    next_step: str = Field(description="What the applicant does next, if anything.")
    updated_at: dt.datetime


def _lookup_input(request: HttpRequest) -> ProgressLookupIn:
    """The JSON body, checked before it is read: its type, its size, then its fields."""
    if request.content_type != "application/json":
        raise LookupNotJson()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = LOOKUP_MAX_BYTES + 1
    if declared > LOOKUP_MAX_BYTES:
        raise LookupBodyTooLarge(LOOKUP_MAX_BYTES)
    try:
        data = json.loads(request.body)
    except ValueError:
        raise LookupInvalidJson() from None
    if not isinstance(data, dict):
        raise LookupBodyNotObject()
    try:
        return ProgressLookupIn.model_validate(data)
    except pydantic.ValidationError as error:
        raise ValidationError(error.errors(include_url=False)) from None


@router.post(
    "/progress/lookup",
    auth=None,
    response={
        200: ProgressOut,
        400: ProblemOut,
        404: ProblemOut,
        413: ProblemOut,
        415: ProblemOut,
        422: ProblemOut,
        429: ProblemOut,
    },
    url_name="progress_lookup",
    summary="The progress of an application, by its number and the applicant's ID number",
    tags=["progress"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ProgressLookupIn.model_json_schema()}},
        }
    },
)
def progress_lookup(request: HttpRequest):
    """No sign-in. The answer holds the status, the stage, the expected date and the next step,
    and of the applicant only a masked name. A number that does not exist and an ID number that
    is not the applicant's give the same 404 `progress_no_match`. Limited per client address
    and per application number (429 `progress_lookup_rate_limited` with Retry-After). The body
    is JSON (else 415), at most 2 KB (else 413)."""
    payload = _lookup_input(request)
    answer = progress.progress_lookup(
        application_number=payload.application_number,
        id_number=payload.id_number,
        client_address=client_address(request),
    )
    return _progress(answer)


def _progress(answer: progress.ProgressAnswer) -> dict:
    return {
        "application_number": answer.application_number,
        "kind": answer.kind,
        "name_masked": answer.name_masked,
        "document_type": answer.document_type,
        "document_type_name": answer.document_type_name,
        "status": answer.status,
        "status_name": answer.status_name,
        "stage": answer.stage_label,
        "expected_date": answer.expected_date,
        "next_step": answer.next_step,
        "updated_at": answer.updated_at.astimezone(SHANGHAI),
    }


NUMBER = Path(..., description="The application number (spaces and hyphens ignored).")
WRITE_PROBLEMS = {
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
    422: ProblemOut,
}


@router.post(
    "/me/applications/{application_number}/withdraw",
    response={200: ApplicationDetailOut, **WRITE_PROBLEMS},
    url_name="my_application_withdraw",
    summary="Withdraw my (or my minor's) application while it is under review",
)
def my_application_withdraw(request: HttpRequest, application_number: str = NUMBER):
    """Possible until a decision: afterwards 409 with the actions that are possible. Asking
    again for a withdrawn application answers 200 with it, unchanged (idempotent)."""
    require_bound(request.auth)
    application = services.application_withdraw(user=request.auth, number=application_number)
    return _detail(request, application)


class DeliveryIn(Schema):
    # Required, but checked after the application, so that another citizen's number is a 404
    # whatever the body.
    delivery: str | None = Field(
        None, max_length=16, description="collect or mail (required)", examples=["mail"]
    )
    delivery_address: str = Field(
        "", max_length=400, description="The full postal address, for mail."
    )


@router.post(
    "/me/applications/{application_number}/delivery",
    response={200: ApplicationDetailOut, **WRITE_PROBLEMS},
    url_name="my_application_delivery",
    summary="Choose collection at the hall or delivery by mail, until production starts",
)
def my_application_delivery(
    request: HttpRequest, payload: DeliveryIn, application_number: str = NUMBER
):
    """The same choice again changes nothing (idempotent); once in production: 409."""
    require_bound(request.auth)
    application = services.application_delivery_change(
        user=request.auth,
        number=application_number,
        delivery=payload.delivery or "",
        address=payload.delivery_address,
    )
    return _detail(request, application)
