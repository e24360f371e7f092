"""Staff endpoints (/api/v1/staff/...): person lookup with a reason, and the access log.

Authentication: the staff session. Sign in at /staff/login/ with username, password and the
TOTP code of the authenticator app; the session cookie then authorises these calls, and
POST calls need the CSRF token in the X-CSRFToken header (from the csrftoken cookie). Bearer
tokens are for citizens' apps and are not accepted here. No session: 401. A session that is not
staff with a role and a verified second factor: 403 `staff_verification_required`.
"""

import datetime as dt
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import SessionAuth
from pydantic import Field

from core.api import Page, PageParams, ProblemOut, page_links
from core.bounds import BoundedDate, Id
from core.errors import Problem
from core.http import client_address
from core.i18n import localized
from core.masking import mask_id_number

from . import selectors, services
from .errors import StaffError
from .models import AccessLog
from .selectors import PersonFile


class StaffSessionAuth(SessionAuth):
    """The session of a staff member signed in with a second factor (CSRF-checked on writes)."""

    def authenticate(self, request: HttpRequest, key: str | None):
        if not request.user.is_authenticated:
            return None
        if not selectors.staff_is_verified(request):
            raise Problem(
                status=403,
                code=StaffError.STAFF_VERIFICATION_REQUIRED,
                detail=_("Sign in as staff with your authenticator code at /staff/login/."),
            )
        return request.user


staff_auth = StaffSessionAuth()
router = Router(tags=["staff"], auth=staff_auth)
LOG_PROBLEMS = {401: ProblemOut, 403: ProblemOut, 422: ProblemOut}
LOOKUP_PROBLEMS = {**LOG_PROBLEMS, 404: ProblemOut, 429: ProblemOut}


class LookupIn(Schema):
    id_number: str = Field(
        max_length=40, description="The person's resident ID number (18 characters)."
    )
    reason: str = Field(
        max_length=1000,
        description="Why you need this person's data (at least 10 characters); kept in the log.",
    )


class StaffRegionOut(Schema):
    code: str
    name: str


class RelativeOut(Schema):
    name_zh: str
    name_pinyin: str
    id_number_masked: str
    birth_date: dt.date
    relation: str = Field(description="parent or other (legal guardian)")


class StaffDocumentOut(Schema):
    id: int
    type: str = Field(description="passport, hk_macao_pass or taiwan_permit")
    type_label: str
    number_masked: str
    issued_on: dt.date
    expires_on: dt.date
    issuing_authority: str
    status: str = Field(description="valid, expired, reported_lost or invalidated")
    status_label: str
    status_changed_at: dt.datetime | None


class AccessOut(Schema):
    id: int
    action: str
    at: dt.datetime


class PersonFileOut(Schema):
    person_id: int
    name_zh: str
    name_pinyin: str
    id_number_masked: str
    sex: str = Field(description="M or F")
    birth_date: dt.date
    household_region: StaffRegionOut
    guardians: list[RelativeOut]
    children: list[RelativeOut]
    documents: list[StaffDocumentOut]
    access: AccessOut = Field(description="The access log entry this lookup wrote.")


class AccessLogFilters(PageParams):
    staff: str = Field("", max_length=150, description="Exact username of a staff member.")
    id_number: str = Field(
        "",
        max_length=40,
        description="Exact ID number of the person (entries show it masked; the page links "
        "carry `person_id` instead).",
    )
    person_id: Id | None = Field(None, description="The person's record id.")
    date_from: BoundedDate | None = Field(None, description="First day (Asia/Shanghai), included.")
    date_to: BoundedDate | None = Field(None, description="Last day (Asia/Shanghai), included.")


class AccessLogEntryOut(Schema):
    id: int
    at: dt.datetime
    staff: str
    person_name: str
    person_id_number_masked: str
    action: str
    action_label: str
    reason: str
    client_address: str | None


def _relative(r: selectors.RelativeSummary) -> dict:
    return {
        "name_zh": r.name_zh,
        "name_pinyin": r.name_pinyin,
        "id_number_masked": r.id_number_masked,
        "birth_date": r.birth_date,
        "relation": r.relation,
    }


def _person_file(file: PersonFile) -> dict:
    return {
        "person_id": file.person_id,
        "name_zh": file.name_zh,
        "name_pinyin": file.name_pinyin,
        "id_number_masked": file.id_number_masked,
        "sex": file.sex,
        "birth_date": file.birth_date,
        "household_region": {
            "code": file.household_region.code,
            "name": localized(file.household_region, "name"),
        },
        "guardians": [_relative(r) for r in file.guardians],
        "children": [_relative(r) for r in file.children],
        "documents": [
            {
                "id": d.id,
                "type": d.type,
                "type_label": d.type_label,
                "number_masked": d.number_masked,
                "issued_on": d.issued_on,
                "expires_on": d.expires_on,
                "issuing_authority": localized(d, "issuing_authority"),
                "status": d.status,
                "status_label": d.status_label,
                "status_changed_at": d.status_changed_at,
            }
            for d in file.documents
        ],
        "access": {"id": file.access.pk, "action": file.access.action, "at": file.access.at},
    }


def _entry(entry: AccessLog) -> dict:
    return {
        "id": entry.pk,
        "at": entry.at,
        "staff": entry.staff.get_username(),
        "person_name": entry.person.name_zh,
        "person_id_number_masked": mask_id_number(entry.person.id_number),
        "action": entry.action,
        "action_label": entry.get_action_display(),
        "reason": entry.reason,
        "client_address": entry.client_address,
    }


@router.post(
    "persons/lookup",
    response={200: PersonFileOut, **LOOKUP_PROBLEMS},
    url_name="staff_person_lookup",
)
def person_lookup(request: HttpRequest, payload: LookupIn):
    """Find a person by ID number, with the reason; returns their file, numbers masked.

    Every call writes one access log entry (who, whom, when, why, from where), also when it is
    retried. 404 `person_not_found` when nobody has the number; 422 for a bad ID number
    (`invalid_id_number`) or reason (`reason_required`, `reason_too_short`).
    """
    found = services.person_lookup(
        staff=request.user,
        id_number=payload.id_number,
        reason=payload.reason,
        client_address=client_address(request),
    )
    return _person_file(found)


@router.get(
    "access-log",
    response={200: Page[AccessLogEntryOut], **LOG_PROBLEMS},
    url_name="staff_access_log",
)
def access_log(request: HttpRequest, filters: Query[AccessLogFilters]):
    """The access log, newest first: supervisors see the staff of their regions and halls,
    administrators everything. ID numbers are masked."""
    person_id = filters.person_id
    if filters.id_number:
        person = selectors.access_log_person(id_number=filters.id_number)
        person_id = person.pk if person else None
    entries = selectors.access_log_list(
        viewer=request.user,
        staff_username=filters.staff,
        person_id=person_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    if filters.id_number and person_id is None:
        entries = entries.none()  # nobody has this number: an empty page, not an error
    count = entries.count()
    rows = entries[filters.offset : filters.offset + filters.limit]
    links = page_links(request, count=count, limit=filters.limit, offset=filters.offset)
    for key in ("next", "previous"):
        links[key] = _without_id_number(links[key], person_id)
    return {**links, "results": [_entry(e) for e in rows]}


def _without_id_number(url: str | None, person_id: int | None) -> str | None:
    """A page link with the person's record id instead of a full ID number."""
    if url is None:
        return None
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in {"id_number", "person_id"}]
    if person_id is not None:
        query.append(("person_id", str(person_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))
