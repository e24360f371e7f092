"""Service 5, entry/exit records: the ports' signed batches of crossings, and a citizen's own
records (docs/api.md "Port API" and "My entry/exit records")."""

import datetime as dt

from django.http import HttpRequest
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from accounts.auth import citizen_auth_pending
from core.api import ProblemOut, prevalidated_response
from core.bounds import BoundedDate, Id
from core.errors import ErrorCode, Problem
from core.i18n import localized
from core.masking import mask_document_number

from . import selectors, services, signing

router = Router(tags=["crossings"])
# 1,000 events of about 300 bytes each, with room to spare.
MAX_BODY_BYTES = 1024 * 1024


class AcceptedOut(Schema):
    index: int = Field(description="Position of the event in the batch (from 0).")
    event_id: str
    flag: str = Field(description='"no_endorsement" when the exit had no valid endorsement.')


class DuplicateOut(Schema):
    index: int
    event_id: str


class RejectedOut(Schema):
    index: int
    event_id: str | None
    code: str = Field(examples=["document_unknown"])
    reason: str
    errors: list[dict[str, str]] | None = None


class BatchOut(Schema):
    port: str
    accepted: list[AcceptedOut] = Field(description="Recorded now.")
    duplicates: list[DuplicateOut] = Field(description="Already recorded: nothing changed.")
    rejected: list[RejectedOut] = Field(description="Not recorded, with the reason.")


def _body(request: HttpRequest) -> bytes:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        raise Problem(
            status=413,
            code=ErrorCode.PAYLOAD_TOO_LARGE,
            detail=_("A batch is at most %(bytes)s bytes.") % {"bytes": MAX_BODY_BYTES},
        )
    return request.body


@router.post(
    "/border/crossings",
    auth=None,
    response={
        200: BatchOut,
        400: ProblemOut,
        401: ProblemOut,
        403: ProblemOut,
        409: ProblemOut,
        413: ProblemOut,
        415: ProblemOut,
        422: ProblemOut,
    },
    url_name="border_crossings",
    summary="A port's batch of crossings (signed)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def border_crossings(request: HttpRequest):
    """Record up to 1,000 crossings of the signing port. Headers X-Port-Key, X-Port-Timestamp,
    X-Port-Nonce and X-Port-Signature (HMAC-SHA256, see docs/api.md). Each event is checked on
    its own; the answer lists the accepted, the duplicates (already recorded) and the rejected
    with their reasons."""
    body = _body(request)
    credential = signing.verify_request(request, body)
    if request.content_type != "application/json":
        raise Problem(
            status=415,
            code=ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            detail=_("Send the batch as application/json."),
        )
    result = services.crossings_record_batch(port=credential.port, body=body)
    return prevalidated_response(
        request,
        {
            "port": credential.port.code,
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": result.rejected,
        },
    )


class CrossingsQuery(Schema):
    person: Id | None = Field(None, description="A minor you are guardian of; default you.")
    start: BoundedDate | None = Field(
        None, description="First day (Asia/Shanghai), within the last 10 years; default the first."
    )
    end: BoundedDate | None = Field(None, description="Last day (Asia/Shanghai); default today.")
    document: Id | None = Field(None, description="Only the crossings on this document.")
    before: str | None = Field(
        None, max_length=48, description="The `next_before` of the previous page."
    )
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)


class PortOut(Schema):
    code: str
    name: str
    kind: str


class DocumentRefOut(Schema):
    id: int
    type: str
    number_masked: str


class CrossingOut(Schema):
    id: int
    occurred_at: dt.datetime
    direction: str = Field(examples=["exit"])
    destination: str = Field(description="Where to (exit) or from (entry): ISO 3166 alpha-3.")
    vehicle: str
    port: PortOut
    document: DocumentRefOut


class EndorsementTripsOut(Schema):
    number: str
    destination: str
    type_name: str
    valid_until: dt.date
    trips_total: int | None = Field(description="None: multiple trips.")
    trips_used: int
    trips_left: int | None


class MyCrossingsOut(Schema):
    person_id: int
    relation: str = Field(examples=["self", "minor"])
    start: dt.date
    end: dt.date
    earliest: dt.date = Field(description="The first day of the 10 years kept.")
    crossings: list[CrossingOut]
    next_before: str | None = Field(description="Pass as `before` for the next (older) page.")
    next: str | None
    endorsements: list[EndorsementTripsOut]


def crossing_data(crossing: selectors.CrossingRow, language: str) -> dict:
    return {
        "id": crossing.pk,
        "occurred_at": crossing.occurred_at,
        "direction": crossing.direction,
        "destination": crossing.destination,
        "vehicle": crossing.vehicle,
        "port": {
            "code": crossing.port.code,
            "name": localized(crossing.port, "name", language),
            "kind": crossing.port.kind,
        },
        "document": {
            "id": crossing.document_id,
            "type": crossing.document.type,
            "number_masked": mask_document_number(crossing.document.number),
        },
    }


@router.get(
    "/me/crossings",
    auth=citizen_auth_pending,
    response={
        200: MyCrossingsOut,
        401: ProblemOut,
        403: ProblemOut,
        404: ProblemOut,
        422: ProblemOut,
    },
    url_name="my_crossings",
    summary="My entry/exit records (or a minor's)",
)
def my_crossings(request: HttpRequest, query: Query[CrossingsQuery]):
    """Crossings of the last 10 years on all the person's documents, newest first, a page at a
    time; and the trips left on each active endorsement."""
    page = selectors.crossings_page_for(
        user=request.auth,
        person_id=query.person,
        start=query.start,
        end=query.end,
        document_id=query.document,
        before=query.before,
        limit=query.limit,
    )
    language = get_language()
    next_url = None
    if page.next_cursor:
        params = request.GET.copy()
        params["before"] = page.next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(params, doseq=True)}")
    # Built in MyCrossingsOut's shape, field order and types, and rendered without ninja's
    # validation pass (profiled: a sixth of the view's CPU); a test compares the body with
    # the validated rendering in both languages.
    return prevalidated_response(
        request,
        {
            "person_id": page.person.pk,
            "relation": "self" if page.is_self else "minor",
            "start": page.start,
            "end": page.end,
            "earliest": page.earliest,
            "crossings": [crossing_data(c, language) for c in page.crossings],
            "next_before": page.next_cursor,
            "next": next_url,
            "endorsements": [
                {
                    "number": e.number,
                    "destination": e.destination,
                    "type_name": e.type_name,
                    "valid_until": e.valid_until,
                    "trips_total": e.trips_total,
                    "trips_used": e.trips_used,
                    "trips_left": e.trips_left,
                }
                for e in page.endorsements
            ],
        },
    )
