"""Applications for a document, once a hall accepted them (受理): the signed-in citizen's and
their minors', each with its timeline."""

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

from . import selectors
from .models import Application, ApplicationEvent, ApplicationStatus

router = Router(tags=["applications"], auth=citizen_auth)


class ApplicationHolderOut(Schema):
    person_id: int
    name: str = Field(description="In the reader's language: Chinese characters or pinyin.")
    relation: Literal["self", "minor"] = Field(description="You, or a minor you are guardian of.")
    id_number_masked: str = Field(examples=["4****************4"])


class ApplicationHallRefOut(Schema):
    code: str
    name: str
    address: str
    phone: str


class ApplicationServiceRefOut(Schema):
    code: str
    name: str


class ApplicationOut(Schema):
    number: str = Field(examples=["26112512345678"])
    status: ApplicationStatus
    status_name: str
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


class TimelineStepOut(Schema):
    status: ApplicationStatus
    status_name: str
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


def _application(application: Application, *, user, urls: _Urls) -> dict:
    person, hall = application.person, application.hall
    return {
        "number": application.number,
        "status": application.status,
        "status_name": application.get_status_display(),
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


def _step(event: ApplicationEvent) -> dict:
    return {
        "status": event.status,
        "status_name": event.get_status_display(),
        "at": event.at.astimezone(SHANGHAI),
        "note": event.note,
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
    return _application(application, user=request.auth, urls=_Urls(request)) | {
        "timeline": [_step(e) for e in selectors.application_timeline(application)]
    }
