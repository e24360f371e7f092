"""Applications for a document, once a hall accepted them (受理): the signed-in citizen's and
their minors', each with its timeline, expected date and next step; withdrawing one under
review and changing how the document is received (until production)."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Path, Query, Router, Schema
from pydantic import Field

from accounts.auth import citizen_auth, require_bound
from appointments.models import ApplicationKind
from core.api import Page, PageParams, ProblemOut, page_links
from core.i18n import localized
from core.masking import mask_id_number
from documents.models import DocumentType
from guide.calendar import SHANGHAI

from . import selectors, services
from .models import Application, ApplicationEvent, ApplicationStatus, Delivery

router = Router(tags=["applications"], auth=citizen_auth)


class HolderOut(Schema):
    person_id: int
    name: str = Field(description="In the reader's language: Chinese characters or pinyin.")
    relation: Literal["self", "minor"] = Field(description="You, or a minor you are guardian of.")
    id_number_masked: str = Field(examples=["4403**********1234"])


class HallRefOut(Schema):
    code: str
    name: str
    address: str
    phone: str


class ServiceRefOut(Schema):
    code: str
    name: str


class OutlookOut(Schema):
    stage: str = Field(description="The stage in plain words: review, production, ...")
    expected_date: dt.date | None = Field(
        description="Expected completion (ready at the hall or mailed), in working days from "
        "the guide's processing time; null once it is ready, mailed or ended."
    )
    next_step: str = Field(description="What happens next or what to do, in plain words.")


class DeliveryOut(Schema):
    method: Delivery
    method_name: str
    address: str = Field(description="For delivery by mail.")
    carrier: str
    tracking_number: str


class ApplicationActionOut(Schema):
    name: str = Field(examples=["withdraw"])
    label: str


class ApplicationOut(Schema):
    number: str = Field(examples=["26112512345678"])
    status: ApplicationStatus
    status_name: str
    outlook: OutlookOut
    delivery: DeliveryOut
    actions: list[ApplicationActionOut] = Field(
        description="What you can do now: POST to .../{action} (withdraw, delivery)."
    )
    person: HolderOut
    document_type: DocumentType
    document_type_name: str
    kind: ApplicationKind
    kind_name: str
    hall: HallRefOut = Field(description="Where it was accepted.")
    service: ServiceRefOut
    fee_amount: str = Field(description="Fee paid, RMB.", examples=["120.00"])
    accepted_at: dt.datetime
    updated_at: dt.datetime
    appointment_number: str | None = Field(description="The appointment it was accepted at.")
    url: str


class TimelineStepOut(Schema):
    action: str = Field(description="What happened (accept, approve, reject, mail, ...).")
    status: ApplicationStatus
    status_name: str
    text: str = Field(description="The step in plain words.")
    at: dt.datetime
    note: str = Field(description="Why, for a rejection or a withdrawal.")


class ApplicationDetailOut(ApplicationOut):
    timeline: list[TimelineStepOut] = Field(description="Oldest first; the last is the status.")


class _Urls:
    """Detail URLs, with reverse() run once per request rather than once per application."""

    def __init__(self, request: HttpRequest) -> None:
        marker = "0NUMBER0"
        url = request.build_absolute_uri(reverse("api:my_application_get", args=[marker]))
        self.head, _sep, self.tail = url.rpartition(marker)

    def __call__(self, number: str) -> str:
        return f"{self.head}{number}{self.tail}"


_CITIZEN_ACTIONS = {"withdraw": "withdraw", "change_delivery": "delivery"}


def _application(application: Application, *, user, urls: _Urls) -> dict:
    person, hall = application.person, application.hall
    outlook = selectors.application_outlook(application)
    return {
        "number": application.number,
        "status": application.status,
        "status_name": application.get_status_display(),
        "outlook": {
            "stage": outlook.stage_label,
            "expected_date": outlook.expected_date,
            "next_step": outlook.next_step,
        },
        "delivery": {
            "method": application.delivery,
            "method_name": application.get_delivery_display(),
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
            "name": person.name,
            "relation": "self" if person.pk == user.person_id else "minor",
            "id_number_masked": mask_id_number(person.id_number),
        },
        "document_type": application.document_type,
        "document_type_name": application.get_document_type_display(),
        "kind": application.kind,
        "kind_name": application.get_kind_display(),
        "hall": {
            "code": hall.code,
            "name": hall.name,
            "address": localized(hall, "address"),
            "phone": hall.phone,
        },
        "service": {"code": application.service.code, "name": application.service.name},
        "fee_amount": f"{application.fee_amount:.2f}",
        "accepted_at": application.accepted_at.astimezone(SHANGHAI),
        "updated_at": application.updated_at.astimezone(SHANGHAI),
        "appointment_number": application.appointment.number if application.appointment else None,
        "url": urls(application.number),
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
    return _application(application, user=request.auth, urls=_Urls(request)) | {
        "timeline": [_step(e, application) for e in selectors.citizen_timeline(application)]
    }


@router.get(
    "/me/applications",
    response={200: Page[ApplicationOut], 401: ProblemOut, 403: ProblemOut, 422: ProblemOut},
    url_name="my_applications",
    summary="My applications and my minors' applications",
)
def my_applications(request: HttpRequest, page: Query[PageParams]):
    """Every application of the signed-in citizen and of the minors they are guardian of,
    latest accepted first."""
    require_bound(request.auth)
    found = selectors.applications_for(user=request.auth)
    rows = list(found[page.offset : page.offset + page.limit])
    urls = _Urls(request)
    return {
        **page_links(request, count=found.count(), limit=page.limit, offset=page.offset),
        "results": [_application(a, user=request.auth, urls=urls) for a in rows],
    }


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
