"""Supervisors revoke certificates (/api/v1/staff/certificates/...). Staff session with its
second factor, CSRF token in X-CSRFToken. Each revocation is written to the access log and the
certificate's events, and the code goes onto the signed revocation list."""

import datetime as dt

from django.http import HttpRequest
from ninja import Path, Router, Schema
from pydantic import Field

from core.api import ProblemOut
from core.http import client_address
from core.masking import mask_name
from staff.api import staff_auth

from . import services

router = Router(tags=["staff: certificates"], auth=staff_auth)
WRITE = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


class RevokeIn(Schema):
    reason: str = Field(max_length=300, description="Why (10 to 300 characters).")


class RevokedOut(Schema):
    code: str
    holder_masked: str
    revoked_at: dt.datetime
    reason: str


@router.post(
    "certificates/{code}/revoke",
    response={200: RevokedOut, **WRITE},
    url_name="staff_certificate_revoke",
)
def certificate_revoke(
    request: HttpRequest, payload: RevokeIn, code: str = Path(..., max_length=40)
):
    """Revoke a certificate (supervisors). 409 `certificate_already_revoked`; 422
    `reason_required`, `code_invalid`; 404 `certificate_not_found`."""
    certificate = services.certificate_revoke(
        staff=request.user,
        code=code,
        reason=payload.reason,
        client_address=client_address(request),
    )
    return {
        "code": certificate.code_display,
        "holder_masked": mask_name(certificate.person.name_zh),
        "revoked_at": certificate.revoked_at,
        "reason": certificate.revoked_reason,
    }
