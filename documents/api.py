"""Service 4, document information: the documents of the signed-in citizen and their minors,
one document with its MRZ, and reporting one lost (挂失)."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Header, Path, Router, Schema
from pydantic import Field

from accounts.auth import citizen_auth, require_bound
from accounts.services.step_up import step_up_required
from core.api import Out, ProblemOut
from core.bounds import MAX_ID
from core.i18n import localized
from core.masking import mask_id_number
from core.reversing import DetailLinks
from endorsements.selectors import (
    CARD_PASSES,
    endorsement_summary,
    endorsements_on_documents,
)
from persons.models import Person

from . import selectors, services
from .models import DocumentType

router = Router(tags=["documents"], auth=citizen_auth)
_TYPE_LABELS = dict(DocumentType.choices)  # lazy labels: translated when rendered


class HolderOut(Out):
    name: str = Field(description="In the reader's language: Chinese characters or pinyin.")
    name_zh: str
    name_pinyin: str
    relation: Literal["self", "minor"] = Field(description="You, or a minor you are guardian of.")
    id_number_masked: str = Field(examples=["4****************4"])


class EndorsementOnPassOut(Out):
    id: int
    number: str
    destination: str
    type: str
    type_name: str
    status: str
    status_name: str
    valid_from: dt.date
    valid_until: dt.date
    trips_total: int | None = Field(description="null: multiple trips.")
    trips_left: int | None
    stay_days: int | None
    can_apply_again: bool = Field(description="Expiring within 30 days, expired or used up.")


class DocumentOut(Out):
    id: int
    type: DocumentType
    type_name: str
    number: str = Field(description="In full: the holder and their guardians are asking.")
    number_masked: str = Field(examples=["E******78"])
    issued_on: dt.date
    expires_on: dt.date
    issuing_authority: str
    status: Literal["valid", "expired", "reported_lost", "invalidated"] = Field(
        description="Expired when the expiry date has passed (Asia/Shanghai)."
    )
    status_name: str
    days_left: int | None = Field(description="While valid: days until the expiry date.")
    expiring_soon: bool = Field(description="Valid, with less than 6 months left.")
    usable: bool = Field(description="Can be used in a service: valid and not expired.")
    url: str
    endorsements: list[EndorsementOnPassOut] = Field(
        default_factory=list, description="On a card pass: its endorsements (service 1)."
    )


class PersonDocumentsOut(Out):
    person: HolderOut
    documents: list[DocumentOut]


class MyDocumentsOut(Out):
    count: int = Field(description="Documents in all groups.")
    persons: list[PersonDocumentsOut] = Field(description="You first, then each minor.")


class DocumentDetailOut(DocumentOut):
    holder: HolderOut
    status_changed_at: dt.datetime | None
    mrz: list[str] = Field(
        description="ICAO 9303 machine-readable zone: 2 lines of 44 (passport, TD3) or "
        "3 lines of 30 (card passes, TD1)."
    )


def _links(request: HttpRequest) -> DetailLinks:
    return DetailLinks(request, "api:my_document_get")


def _holder(person: Person, *, is_self: bool) -> dict:
    return {
        "name": person.name,
        "name_zh": person.name_zh,
        "name_pinyin": person.name_pinyin,
        "relation": "self" if is_self else "minor",
        "id_number_masked": mask_id_number(person.id_number),
    }


def _document(view: selectors.DocumentView, url: str, endorsements: list | None = None) -> dict:
    document = view.document
    return {
        "id": document.pk,
        "type": document.type,
        "type_name": str(_TYPE_LABELS.get(document.type, document.type)),
        "number": view.number,
        "number_masked": view.number_masked,
        "issued_on": document.issued_on,
        "expires_on": document.expires_on,
        "issuing_authority": localized(document, "issuing_authority"),
        "status": view.display_status,
        "status_name": view.status_label,
        "days_left": view.days_left,
        "expiring_soon": view.expiring_soon,
        "usable": view.usable,
        "url": url,
        "endorsements": [endorsement_summary(e) for e in endorsements or []],
    }


def _detail(request: HttpRequest, view: selectors.DocumentView) -> dict:
    document = view.document
    on_pass = endorsements_on_documents(document_ids=[document.pk])[document.pk]
    return _document(view, _links(request)(document.pk), on_pass) | {
        "holder": _holder(document.person, is_self=document.person_id == request.auth.person_id),
        "status_changed_at": document.status_changed_at,
        "mrz": selectors.document_mrz(document),
    }


@router.get(
    "/me/documents",
    response={200: MyDocumentsOut, 401: ProblemOut, 403: ProblemOut},
    url_name="my_documents",
    summary="My documents and my minors' documents",
)
def my_documents(request: HttpRequest):
    """Every document of the signed-in citizen, then of each minor they are guardian of."""
    require_bound(request.auth)
    groups = selectors.documents_for(user=request.auth)
    urls = _links(request)
    passes = [v.pk for g in groups for v in g.documents if v.document.type in CARD_PASSES]
    on_pass = endorsements_on_documents(document_ids=passes)
    return {
        "count": sum(len(g.documents) for g in groups),
        "persons": [
            {
                "person": _holder(g.person, is_self=g.is_self),
                "documents": [_document(v, urls(v.pk), on_pass.get(v.pk)) for v in g.documents],
            }
            for g in groups
        ],
    }


@router.get(
    "/me/documents/{document_id}",
    response={200: DocumentDetailOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut},
    url_name="my_document_get",
    summary="One of my (or my minors') documents, with its MRZ",
)
def my_document_get(request: HttpRequest, document_id: int = Path(..., ge=1, le=MAX_ID)):
    require_bound(request.auth)
    view = selectors.document_get_for(user=request.auth, document_id=document_id)
    return _detail(request, view)


class LossReportIn(Schema):
    """When, where and how the document was lost, as on the website's form (挂失)."""

    lost_on: dt.date = Field(
        description="The day it was lost (about), Beijing date: not in the future and not "
        "before the document's issue date."
    )
    place: str = Field(
        min_length=1,
        max_length=services.MAX_LOSS_PLACE,
        description="Where it was lost, e.g. a city and a place.",
    )
    how: Literal["lost", "stolen", "destroyed", "other"] = Field(
        description="lost, stolen, destroyed (for example in a fire or flood) or other."
    )
    circumstances: str = Field(
        "", max_length=services.MAX_LOSS_CIRCUMSTANCES, description="What happened (optional)."
    )


@router.post(
    "/me/documents/{document_id}/report-lost",
    response={
        200: DocumentDetailOut,
        401: ProblemOut,
        403: ProblemOut,
        404: ProblemOut,
        409: ProblemOut,
        422: ProblemOut,
    },
    url_name="my_document_report_lost",
    summary="Report a document lost (挂失)",
)
def my_document_report_lost(
    request: HttpRequest,
    payload: LossReportIn,
    document_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Repeat a request safely: the same key returns the first result.",
    ),
):
    """Report a valid document lost, at once and for good: it can no longer be used anywhere.

    The body says when, where and how it was lost (kept with the report, as the website's form
    does); a date in the future or before the issue date is a 422 naming `lost_on`.

    Needs a step-up code confirmed just before (`me/step-up`, then `me/step-up/confirm`),
    else 403 `step_up_required`.
    Reporting a document already reported lost is a 409 (`document_already_reported_lost`),
    unless the request carries the Idempotency-Key of the request that reported it.
    """
    require_bound(request.auth)
    view = selectors.document_get_for(user=request.auth, document_id=document_id)
    step_up_required(request)
    document = services.document_report_lost(
        user=request.auth,
        document=view.document,
        idempotency_key=idempotency_key or "",
        loss=services.LossDetails(
            lost_on=payload.lost_on,
            place=payload.place,
            how=payload.how,
            circumstances=payload.circumstances,
        ),
    )
    document.person = view.document.person
    return _detail(request, selectors.document_view(document, full_number=True))
