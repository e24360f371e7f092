"""Endorsements (service 1): the public policy, applying on a card pass, the citizen's
endorsements; and the staff side (staff/endorsements/..., staff/exit-restrictions/...)."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Header, Path, Query, Router, Schema, Status
from pydantic import Field

from accounts.auth import citizen_auth, require_bound
from core.api import Out, ProblemOut
from core.bounds import MAX_ID
from core.dates import today_shanghai
from core.errors import NotFound
from core.http import client_address
from core.masking import mask_document_number, mask_id_number
from persons.models import Person
from staff.api import staff_auth
from staff.models import AccessAction, AccessLog

from . import selectors, services
from .checks import check_message
from .models import (
    Channel,
    Destination,
    Endorsement,
    EndorsementStatus,
    ExitRestriction,
    PaymentMethod,
    RejectionReason,
)
from .workflow import ENDORSEMENTS

router = Router(tags=["endorsements"], auth=citizen_auth)
staff_router = Router(tags=["staff: endorsements"], auth=staff_auth)
READ = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE = {**READ, 409: ProblemOut}
POLICY_MAX_AGE = 300  # seconds a client or a shared cache may keep the policy without asking


# --- the policy -------------------------------------------------------------------------------


class NamedOut(Schema):
    code: str
    name: str


class PolicyOptionOut(Schema):
    destination: Destination
    destination_name: str
    type: str = Field(description="L, G, S, T, Q, D, F, Y ...")
    type_name: str
    option: str = Field(examples=["3m1", "1yM"])
    label: str = Field(examples=["3 months, 1 trip, 7 days per stay"])
    validity_months: int
    trips: int | None = Field(description="null: multiple trips within the validity.")
    stay_days: int | None = Field(description="null: as approved by the destination.")
    fee: str = Field(description="RMB, two decimals.", examples=["15.00"])
    min_age: int | None
    max_age: int | None
    eligible_regions: list[str] = Field(
        description="GB/T 2260 codes of the household registrations eligible (a province code "
        "covers its cities); empty: anyone."
    )
    relationships: list[str] = Field(description="Relationships to the relative visited.")
    requires: list[str] = Field(description="Answers the application must give.")
    suspended: bool
    suspension_note: str
    effective_from: dt.date
    effective_until: dt.date | None


class PolicyOut(Schema):
    as_of: dt.date
    options: list[PolicyOptionOut]
    relationships: list[NamedOut]
    answers: list[NamedOut]


@router.get(
    "/endorsements/policy",
    auth=None,
    response={200: PolicyOut, 304: None},
    url_name="endorsement_policy",
    summary="The endorsement policy in effect: types, options, fees, eligibility, suspensions",
)
def policy(request: HttpRequest):
    """Public and cacheable: `Cache-Control: public, max-age=300`, an `ETag`, and 304 for a
    matching `If-None-Match`. In the language of `Accept-Language`."""
    # Documented here; served by endorsements.views.policy_json, routed ahead of the API (the
    # same answer without the framework's per-request work: the body is rendered once).
    return policy_response(request)


def policy_response(request: HttpRequest) -> HttpResponse:
    """The policy's answer: the cached rendering (PolicyOut), or 304 for its ETag."""
    body, etag = selectors.policy_rendered(language=selectors.language_of(request))
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={POLICY_MAX_AGE}"
    response["Vary"] = "Accept-Language"
    return response


# --- the citizen ------------------------------------------------------------------------------


class ChoiceIn(Schema):
    destination: Destination
    type: str = Field(max_length=1)
    option: str = Field(max_length=16)
    answers: dict[str, str] = Field(
        default_factory=dict,
        description="What the type requires (the policy's `requires`): relative_name, "
        "relationship, inviting_company, purpose.",
    )


class ApplyIn(Schema):
    document_id: int = Field(ge=1, le=MAX_ID, description="A card pass of yours or your minor's.")
    items: list[ChoiceIn] = Field(min_length=1, max_length=6)
    channel: Channel = Field(description="Pay and print at a hall or a self-service kiosk.")
    hall: str = Field("", max_length=20, description="The hall's code (channel hall).")


class CheckOut(Out):
    code: str
    message: str


class EndorsementStepOut(Out):
    action: str
    status: EndorsementStatus
    at: dt.datetime
    note: str


class EndorsementHallOut(Out):
    code: str
    name: str


class EndorsementDetailOut(Out):
    id: int
    number: str
    document_id: int
    pass_number_masked: str
    holder_name: str
    destination: Destination
    destination_name: str
    type: str
    type_name: str
    option: str
    option_label: str
    status: EndorsementStatus
    status_name: str
    valid_from: dt.date
    valid_until: dt.date
    trips_total: int | None = Field(description="null: multiple trips.")
    trips_used: int
    trips_left: int | None
    stay_days: int | None
    fee: str
    channel: Channel
    hall: EndorsementHallOut | None
    applied_at: dt.datetime
    expected_on: dt.date | None = Field(
        description="While under review: when a decision is expected."
    )
    reasons: list[CheckOut] = Field(
        description="Why it is under review (the checks that failed) or why it was rejected."
    )
    can_apply_again: bool
    timeline: list[EndorsementStepOut] = Field(default_factory=list)


class AppliedOut(Out):
    created: bool = Field(description="false: a retry with the same Idempotency-Key.")
    total_fee: str
    endorsements: list[EndorsementDetailOut]


def _reasons(endorsement: Endorsement) -> list[dict]:
    if endorsement.status == EndorsementStatus.UNDER_REVIEW:
        return [{"code": c, "message": check_message(c)} for c in endorsement.failed_checks]
    if endorsement.status == EndorsementStatus.REJECTED:
        return [{"code": endorsement.rejection_reason, "message": endorsement.rejection_note}]
    return []


def endorsement_out(
    endorsement: Endorsement, *, timeline: bool = False, events: list | None = None
) -> dict:
    """The endorsement as the API shows it; with its timeline when asked (`events`: the events
    already in hand, oldest first, else they are read)."""
    view = selectors.endorsement_view(endorsement)
    e = endorsement
    out = {
        "id": e.pk,
        "number": e.number,
        "document_id": e.document_id,
        "pass_number_masked": mask_document_number(e.document.number),
        "holder_name": e.person.name,
        "destination": e.destination,
        "destination_name": view.destination_name,
        "type": e.type_code,
        "type_name": view.type_name,
        "option": e.policy.option_code,
        "option_label": selectors.option_label(e.policy),
        "status": e.status,
        "status_name": view.status_label,
        "valid_from": e.valid_from,
        "valid_until": e.valid_until,
        "trips_total": e.trips_total,
        "trips_used": e.trips_used,
        "trips_left": e.trips_left,
        "stay_days": e.stay_days,
        "fee": f"{e.fee:.2f}",
        "channel": e.channel,
        "hall": {"code": e.hall.code, "name": e.hall.name} if e.hall else None,
        "applied_at": e.applied_at,
        "expected_on": selectors.expected_on(e),
        "reasons": _reasons(e),
        "can_apply_again": view.can_apply_again,
        "timeline": [],
    }
    if timeline:
        out["timeline"] = [
            {"action": ev.action, "status": ev.status, "at": ev.at, "note": ev.note}
            for ev in (
                events if events is not None else selectors.endorsement_events(endorsement=e)
            )
        ]
    return out


@router.post(
    "/me/endorsement-applications",
    response={201: AppliedOut, 200: AppliedOut, **WRITE},
    url_name="my_endorsement_apply",
    summary="Apply for one or more endorsements on a card pass",
)
def apply(
    request: HttpRequest,
    payload: ApplyIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Repeat a request safely: the same key returns the first result.",
    ),
):
    """Checked at once: approved when every check passes, else sent to an officer with the
    checks that failed (`reasons`). Refused: someone else's pass (404), a pass that is not
    usable (409 `pass_not_usable`), a suspended type (409 `endorsement_suspended`), one already
    applied for (409 `endorsement_already_applied`), a missing answer (422 `answer_required`)."""
    require_bound(request.auth)
    applied = services.endorsement_apply(
        user=request.auth,
        document_id=payload.document_id,
        choices=[
            services.Choice(
                destination=c.destination,
                type_code=c.type.upper(),
                option_code=c.option,
                answers=c.answers,
            )
            for c in payload.items
        ],
        channel=payload.channel,
        hall_code=payload.hall,
        idempotency_key=idempotency_key or "",
    )
    status = 201 if applied.created else 200
    return Status(
        status,
        {
            "created": applied.created,
            "total_fee": f"{sum(e.fee for e in applied.endorsements):.2f}",
            "endorsements": [
                endorsement_out(e, timeline=True, events=applied.events.get(e.pk))
                for e in applied.endorsements
            ],
        },
    )


@router.get(
    "/me/endorsements",
    response={200: list[EndorsementDetailOut], 401: ProblemOut, 403: ProblemOut},
    url_name="my_endorsements",
    summary="My (and my minors') endorsements, with the trips left",
)
def my_endorsements(request: HttpRequest):
    require_bound(request.auth)
    return [
        endorsement_out(v.endorsement) for v in selectors.endorsements_of_user(user=request.auth)
    ]


@router.get(
    "/me/endorsements/{endorsement_id}",
    response={200: EndorsementDetailOut, **READ},
    url_name="my_endorsement",
    summary="One of my endorsements, with its timeline",
)
def my_endorsement(request: HttpRequest, endorsement_id: int = Path(..., ge=1, le=MAX_ID)):
    require_bound(request.auth)
    endorsement = selectors.endorsement_get_for(user=request.auth, pk=endorsement_id)
    return endorsement_out(endorsement, timeline=True)


@router.post(
    "/me/endorsements/{endorsement_id}/withdraw",
    response={200: EndorsementDetailOut, **WRITE},
    url_name="my_endorsement_withdraw",
    summary="Withdraw an endorsement application not yet paid",
)
def my_endorsement_withdraw(request: HttpRequest, endorsement_id: int = Path(..., ge=1, le=MAX_ID)):
    require_bound(request.auth)
    endorsement = selectors.endorsement_get_for(user=request.auth, pk=endorsement_id)
    services.endorsement_withdraw(user=request.auth, endorsement=endorsement)
    return endorsement_out(endorsement, timeline=True)


# --- staff ------------------------------------------------------------------------------------

NUMBER = Path(..., max_length=20, description="The endorsement number.")


class StaffEndorsementOut(EndorsementDetailOut):
    id_number_masked: str
    household_region: str
    answers: dict
    failed_checks: list[CheckOut] = Field(description="As the officer reads them.")
    restricted: bool = Field(description="An exit restriction is in force on the person.")
    actions: list[str]
    payment_method: str
    receipt_number: str


def _staff_out(endorsement: Endorsement, staff) -> dict:
    e = endorsement
    restriction = selectors.restriction_active(person_id=e.person_id)
    return endorsement_out(e, timeline=True) | {
        "id_number_masked": mask_id_number(e.person.id_number),
        "household_region": e.person.household_region_id,
        "answers": e.answers,
        "failed_checks": [{"code": c, "message": check_message(c)} for c in e.failed_checks],
        "restricted": restriction is not None,
        "actions": [a.name for a in ENDORSEMENTS.available_actions(e, staff)],
        "payment_method": e.payment_method,
        "receipt_number": e.receipt_number,
    }


def _open(request: HttpRequest, number: str) -> Endorsement:
    endorsement = selectors.endorsement_for_staff(staff=request.auth, number=number)
    AccessLog.objects.create(
        staff=request.auth,
        person_id=endorsement.person_id,
        action=AccessAction.VIEW_APPLICATION,
        reason=f"endorsement {endorsement.number}",
        client_address=client_address(request),
    )
    return endorsement


@staff_router.get(
    "/endorsements",
    response={200: list[StaffEndorsementOut], 401: ProblemOut, 403: ProblemOut},
    url_name="staff_endorsements",
    summary="Endorsements under review in your scope, with the checks that failed",
)
def staff_queue(request: HttpRequest):
    rows = selectors.review_queue(staff=request.auth)[:200]
    return [_staff_out(e, request.auth) for e in rows]


class PassWaitingOut(Schema):
    pass_number_masked: str
    holder_name: str
    endorsements: list[StaffEndorsementOut]


@staff_router.get(
    "/endorsements/pass/{pass_number}",
    response={200: PassWaitingOut, **READ},
    url_name="staff_endorsements_on_pass",
    summary="At the hall: a pass's endorsements waiting for payment and printing",
)
def staff_on_pass(request: HttpRequest, pass_number: str = Path(..., max_length=9)):
    document, rows = selectors.waiting_on_pass(staff=request.auth, pass_number=pass_number)
    if document is None:
        raise NotFound(code="pass_not_found", detail=str(_no_pass()))
    AccessLog.objects.create(
        staff=request.auth,
        person_id=document.person_id,
        action=AccessAction.VIEW_APPLICATION,
        reason=f"endorsements on pass {mask_document_number(document.number)}",
        client_address=client_address(request),
    )
    return {
        "pass_number_masked": mask_document_number(document.number),
        "holder_name": document.person.name,
        "endorsements": [_staff_out(e, request.auth) for e in rows],
    }


def _no_pass():
    from .errors import PassNotFound

    return PassNotFound().detail


@staff_router.get(
    "/endorsements/{number}",
    response={200: StaffEndorsementOut, **READ},
    url_name="staff_endorsement",
    summary="One endorsement (written to the access log)",
)
def staff_detail(request: HttpRequest, number: str = NUMBER):
    return _staff_out(_open(request, number), request.auth)


class DecisionIn(Schema):
    note: str = Field("", max_length=500)


class EndorsementRejectIn(Schema):
    reason_code: RejectionReason
    reason: str = Field(max_length=500, description="What the applicant reads (10-500).")


class PaymentIn(Schema):
    method: PaymentMethod
    receipt_number: str = Field(min_length=1, max_length=40)


@staff_router.post(
    "/endorsements/{number}/approve",
    response={200: StaffEndorsementOut, **WRITE},
    url_name="staff_endorsement_approve",
    summary="Approve an endorsement under review",
)
def staff_approve(request: HttpRequest, payload: DecisionIn, number: str = NUMBER):
    endorsement = selectors.endorsement_for_staff(staff=request.auth, number=number)
    services.endorsement_approve(staff=request.auth, endorsement=endorsement, note=payload.note)
    return _staff_out(endorsement, request.auth)


@staff_router.post(
    "/endorsements/{number}/reject",
    response={200: StaffEndorsementOut, **WRITE},
    url_name="staff_endorsement_reject",
    summary="Reject an endorsement under review, with the reason the applicant reads",
)
def staff_reject(request: HttpRequest, payload: EndorsementRejectIn, number: str = NUMBER):
    endorsement = selectors.endorsement_for_staff(staff=request.auth, number=number)
    services.endorsement_reject(
        staff=request.auth,
        endorsement=endorsement,
        reason_code=payload.reason_code,
        reason=payload.reason,
    )
    return _staff_out(endorsement, request.auth)


@staff_router.post(
    "/endorsements/{number}/pay",
    response={200: StaffEndorsementOut, **WRITE},
    url_name="staff_endorsement_pay",
    summary="Record the payment of an approved endorsement (again: no change)",
)
def staff_pay(request: HttpRequest, payload: PaymentIn, number: str = NUMBER):
    endorsement = selectors.endorsement_for_staff(staff=request.auth, number=number)
    endorsement = services.endorsement_pay(
        actor=request.auth,
        endorsement=endorsement,
        method=payload.method,
        receipt_number=payload.receipt_number,
    )
    return _staff_out(endorsement, request.auth)


@staff_router.post(
    "/endorsements/{number}/print",
    response={200: StaffEndorsementOut, **WRITE},
    url_name="staff_endorsement_print",
    summary="Print a paid endorsement: it becomes active (again: no change)",
)
def staff_print(request: HttpRequest, number: str = NUMBER):
    endorsement = selectors.endorsement_for_staff(staff=request.auth, number=number)
    endorsement = services.endorsement_print(actor=request.auth, endorsement=endorsement)
    return _staff_out(endorsement, request.auth)


@staff_router.get(
    "/endorsements/{number}/label.pdf",
    response={200: None, **READ},
    url_name="staff_endorsement_label",
    summary="The print-ready label of an active endorsement (PDF)",
)
def staff_label(request: HttpRequest, number: str = NUMBER):
    from .label import label_pdf, label_response

    endorsement = selectors.endorsement_for_staff(staff=request.auth, number=number)
    if endorsement.status != EndorsementStatus.ACTIVE:
        from .errors import EndorsementNotFound

        raise EndorsementNotFound()
    return label_response(label_pdf(endorsement), endorsement)


class RestrictionIn(Schema):
    id_number: str = Field(min_length=18, max_length=18)
    legal_basis: str = Field(min_length=1, max_length=300)
    ends_on: dt.date
    note: str = Field("", max_length=500)


class LiftIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class RestrictionOut(Schema):
    id: int
    id_number_masked: str
    legal_basis: str
    note: str
    ends_on: dt.date
    placed_by: str
    placed_at: dt.datetime
    lifted_at: dt.datetime | None
    lift_reason: str
    active: bool


def _restriction_out(r: ExitRestriction) -> dict:
    today = today_shanghai()
    return {
        "id": r.pk,
        "id_number_masked": mask_id_number(r.person.id_number),
        "legal_basis": r.legal_basis,
        "note": r.note,
        "ends_on": r.ends_on,
        "placed_by": r.placed_by.username,
        "placed_at": r.placed_at,
        "lifted_at": r.lifted_at,
        "lift_reason": r.lift_reason,
        "active": r.lifted_at is None and r.ends_on >= today,
    }


def _person_by_id_number(id_number: str) -> Person:
    person = Person.objects.filter(id_number=(id_number or "").strip().upper()).first()
    if person is None:
        raise NotFound(code="person_not_found", detail=str(_no_person()))
    return person


def _no_person() -> str:
    from django.utils.translation import gettext as _

    return _("Nobody in the registry has this ID number. Check it and try again.")


@staff_router.post(
    "/exit-restrictions",
    response={201: RestrictionOut, **WRITE},
    url_name="staff_restriction_place",
    summary="Supervisors: place an exit restriction on a person (access-logged)",
)
def restriction_place(request: HttpRequest, payload: RestrictionIn):
    from staff.permissions import Permission
    from staff.selectors import staff_require

    staff_require(request.auth, Permission.APPLICATION_DECIDE)
    restriction = services.restriction_place(
        staff=request.auth,
        person=_person_by_id_number(payload.id_number),
        legal_basis=payload.legal_basis,
        ends_on=payload.ends_on,
        note=payload.note,
        client_address=client_address(request),
    )
    return Status(201, _restriction_out(restriction))


class RestrictionQuery(Schema):
    id_number: str = Field(min_length=18, max_length=18)


@staff_router.get(
    "/exit-restrictions",
    response={200: list[RestrictionOut], **READ},
    url_name="staff_restrictions",
    summary="Supervisors: a person's exit restrictions (access-logged)",
)
def restrictions(request: HttpRequest, query: Query[RestrictionQuery]):
    from staff.permissions import Permission
    from staff.selectors import staff_require

    staff_require(request.auth, Permission.APPLICATION_DECIDE)
    person = _person_by_id_number(query.id_number)
    AccessLog.objects.create(
        staff=request.auth,
        person=person,
        action=AccessAction.LOOKUP,
        reason="exit restrictions",
        client_address=client_address(request),
    )
    return [_restriction_out(r) for r in selectors.restrictions_of(person_id=person.pk)]


@staff_router.post(
    "/exit-restrictions/{restriction_id}/lift",
    response={200: RestrictionOut, **WRITE},
    url_name="staff_restriction_lift",
    summary="Supervisors: lift an exit restriction, with the reason (access-logged)",
)
def restriction_lift(
    request: HttpRequest, payload: LiftIn, restriction_id: int = Path(..., ge=1, le=MAX_ID)
):
    from staff.permissions import Permission
    from staff.selectors import staff_require

    staff_require(request.auth, Permission.APPLICATION_DECIDE)
    restriction = ExitRestriction.objects.select_related("person").filter(pk=restriction_id).first()
    if restriction is None:
        raise NotFound(code="restriction_not_found")
    lifted = services.restriction_lift(
        staff=request.auth,
        restriction=restriction,
        reason=payload.reason,
        client_address=client_address(request),
    )
    lifted.person = restriction.person
    return _restriction_out(lifted)
