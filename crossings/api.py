"""Service 5, entry/exit records: the ports' signed batches of crossings, and a citizen's own
records (docs/api.md "Port API" and "My entry/exit records")."""

import json

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from core.api import ProblemOut, prevalidated_response
from core.errors import ErrorCode, Problem

from . import services, signing

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
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Problem(
            status=400, code=ErrorCode.INVALID_JSON, detail=_("The body is not valid JSON.")
        ) from None
    result = services.crossings_record_batch(port=credential.port, payload=payload)
    return prevalidated_response(
        request,
        {
            "port": credential.port.code,
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": result.rejected,
        },
    )
