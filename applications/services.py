"""Writes of applications: acceptance at a hall (受理) creates one; every later step is an
action of the application's workflow (applications.workflow, on core.workflow), applied by
`application_act` inside one transaction with its event and its message.

Staff actions take the staff member and the application number: the access check (hall and
region scope) comes first, so an application elsewhere is a 404, as if it did not exist.
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_act
from core.dates import today_shanghai
from core.errors import InvalidReasonCode, OutsideTransaction, ReasonTextRequired
from core.masking import mask_document_number, mask_id_number
from documents.models import Document, DocumentStatus
from documents.services import document_issue
from persons.idnumbers import InvalidIdNumber, id_number_clean
from staff.models import AccessAction, AccessLog

from . import deadlines, numbers, selectors
from .errors import (
    AddressRequired,
    AlreadyAccepted,
    ApplicationInProgress,
    AssigneeNotEligible,
    IdentityCheckFailed,
    InvalidDelivery,
    InvalidTracking,
    NotCheckedIn,
    OldDocumentMismatch,
)
from .messages import application_message_queue
from .models import (
    FINAL,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Delivery,
    RejectionReason,
)
from .workflow import APPLICATIONS

logger = logging.getLogger(__name__)

A = ApplicationStatus
REASON_MIN, REASON_MAX = 10, 500
_TRACKING = re.compile(r"^[A-Za-z0-9-]{6,40}$")


def application_act(
    *,
    application: Application,
    action: str,
    actor=None,
    reason: str = "",
    note: str = "",
    data: dict | None = None,
    changes: dict | None = None,
) -> ApplicationEvent:
    """Apply a workflow action inside the caller's transaction. An application that ends
    (rejected, withdrawn, collected, delivered) releases its document: the appointment it was
    accepted at stops holding it, so a new appointment can be booked.

    A double submission (the same action by the same actor, which already led to the current
    status) returns the event it made, and changes nothing."""
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransaction(f"application: apply '{action}' inside transaction.atomic()")
    if action not in _REPEATABLE:
        replayed = _replay(application, action, actor)
        if replayed is not None:
            return replayed
    event = APPLICATIONS.apply(
        application,
        action,
        actor=actor,
        reason=reason,
        note=note,
        data=data,
        changes=changes,
    )
    if application.status in FINAL and application.appointment_id:
        Appointment.objects.filter(pk=application.appointment_id).update(
            application_in_progress=False
        )
    return event


# Actions that may follow themselves (each changes something else than the status).
_REPEATABLE = frozenset({"reassign", "change_delivery"})


def _replay(application: Application, action: str, actor) -> ApplicationEvent | None:
    locked = Application.objects.select_for_update().only("status").get(pk=application.pk)
    last = application.events.order_by("-at", "-id").first()
    if (
        last is not None
        and last.action == action
        and last.actor_id == getattr(actor, "pk", None)
        and last.status == locked.status
    ):
        application.status = locked.status
        return last
    return None


@transaction.atomic
def application_open_for_staff(*, staff, number: str, client_address: str | None = None):
    """One application in the staff member's scope, its opening written to the access log."""
    application = _for_staff(staff=staff, number=number)
    AccessLog.objects.create(
        staff=staff,
        person=application.person,
        action=AccessAction.VIEW_APPLICATION,
        reason=f"application {application.number}",
        client_address=client_address or None,
    )
    return application


def applications_queue_shown(*, staff, applications, client_address: str | None = None) -> int:
    """Write to the access log that the queue showed these applicants' data (name, masked ID
    number, document) to the staff member: one row per person shown. Returns how many."""
    from staff.services import persons_back_office_list

    person_ids = [a.person_id for a in applications]
    if not person_ids:
        return 0
    return persons_back_office_list(
        staff=staff,
        person_ids=person_ids,
        what="applications queue",
        client_address=client_address,
    )


# Acceptance at the hall


def _delivery_from(details: dict) -> tuple[str, str]:
    delivery = str((details or {}).get("delivery") or Delivery.COLLECT)
    address = str((details or {}).get("delivery_address") or "").strip()
    if delivery == Delivery.MAIL and address:
        return Delivery.MAIL, address[:300]
    return Delivery.COLLECT, ""


def application_accept(
    *,
    appointment: Appointment,
    officer,
    fee_amount: Decimal,
    now: dt.datetime | None = None,
) -> Application:
    """Accept a checked-in applicant's application at the hall: the application and its
    timeline start with their due and expected dates, the appointment ends as accepted (and
    holds the document while the application is in progress), the citizen is told."""
    now = now or timezone.now()
    for _attempt in range(3):
        try:
            return _accept(appointment=appointment, officer=officer, fee=fee_amount, now=now)
        except IntegrityError:
            # A number already taken (1 in 10^8 per day), or a concurrent acceptance.
            if Application.objects.filter(appointment_id=appointment.pk).exists():
                raise AlreadyAccepted() from None
            running = selectors.application_in_progress(
                person_id=appointment.person_id, document_type=appointment.document_type
            )
            if running is not None:
                raise ApplicationInProgress(running.number) from None
    raise RuntimeError("could not allocate an application number")


@transaction.atomic
def _accept(*, appointment: Appointment, officer, fee: Decimal, now: dt.datetime) -> Application:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("person", "hall", "service", "booked_by")
        .get(pk=appointment.pk)
    )
    if locked.status == AppointmentStatus.ACCEPTED:
        raise AlreadyAccepted()
    if locked.status != AppointmentStatus.CHECKED_IN:
        raise NotCheckedIn()
    submitted = locked.events.filter(kind="booked").values_list("at", flat=True).first()
    delivery, address = _delivery_from(locked.details)
    total = deadlines.processing_days(service_code=locked.service.code)
    stages = deadlines.stage_days(total)
    today = today_shanghai(now)
    with transaction.atomic():  # a savepoint: a broken constraint leaves the caller usable
        application = Application.objects.create(
            # unique across document and endorsement applications (applications.numbers)
            number=numbers.application_number_allocate(kind=numbers.Kind.DOCUMENT, now=now),
            person=locked.person,
            document_type=locked.document_type,
            kind=locked.kind,
            details=locked.details,
            hall=locked.hall,
            service=locked.service,
            appointment=locked,
            fee_amount=fee,
            submitted_at=None if locked.walk_in else submitted,
            accepted_at=now,
            accepted_by=officer,
            delivery=delivery,
            delivery_address=address,
            due_on=deadlines.add_working_days(today, stages["review"]),
            expected_on=deadlines.add_working_days(today, total),
        )
    ApplicationEvent.objects.create(
        application=application,
        action="accept",
        status=A.ACCEPTED,
        actor=officer,
        at=now,
        data={"delivery": delivery},
    )
    appointment_act(
        appointment=locked,
        action="accept",
        actor=officer,
        data={"application": application.number},
        changes={"application_in_progress": True},
    )
    application_message_queue(application, kind="application_accepted")
    logger.info("application %s accepted at hall %s", application.number, locked.hall.code)
    return application


# The authority's steps


def _for_staff(*, staff, number: str) -> Application:
    return selectors.application_for_staff(staff=staff, number=number)


@transaction.atomic
def application_start_review(*, staff, number: str) -> Application:
    """Take an accepted application for review: it joins the reviewer's queue."""
    application = _for_staff(staff=staff, number=number)
    application_act(
        application=application,
        action="start_review",
        actor=staff,
        changes={"assigned_to": application.assigned_to or staff},
    )
    return application


@transaction.atomic
def application_approve(*, staff, number: str, note: str = "", now=None) -> Application:
    """Approve: production's due date and the expected completion date follow from today."""
    application = _for_staff(staff=staff, number=number)
    stages = deadlines.stage_days(deadlines.processing_days(service_code=application.service.code))
    today = today_shanghai(now)
    due = deadlines.add_working_days(today, stages["production"] + stages["dispatch"])
    application_act(
        application=application,
        action="approve",
        actor=staff,
        note=" ".join(str(note or "").split())[:REASON_MAX],
        changes={"due_on": due, "expected_on": due},
    )
    return application


def rejection_clean(*, reason_code: str, text: str) -> tuple[str, str]:
    code = str(reason_code or "").strip()
    if code not in RejectionReason.values:
        raise InvalidReasonCode()
    clean = " ".join(str(text or "").split())
    if not REASON_MIN <= len(clean) <= REASON_MAX:
        raise ReasonTextRequired()
    return code, clean


@transaction.atomic
def application_reject(*, staff, number: str, reason_code: str, text: str) -> Application:
    """Reject with a reason code and a text the citizen reads; the application ends."""
    application = _for_staff(staff=staff, number=number)  # 404 first, whatever the input
    code, clean = rejection_clean(reason_code=reason_code, text=text)
    application_act(
        application=application,
        action="reject",
        actor=staff,
        reason=clean,
        data={"reason_code": code},
        changes={"rejection_reason": code, "due_on": None},
    )
    return application


@dataclass(frozen=True)
class BulkResult:
    number: str
    done: bool
    code: str = ""
    detail: str = ""


def applications_send_to_production(*, staff, numbers: list[str]) -> list[BulkResult]:
    """Send approved applications to production, each in its own transaction: one refused
    (not approved, not in scope) does not hold the others back."""
    results = []
    for number in dict.fromkeys(str(n) for n in numbers):  # once each, in the order given
        try:
            with transaction.atomic():
                application = _for_staff(staff=staff, number=number)
                application_act(application=application, action="send_to_production", actor=staff)
            results.append(BulkResult(number=number, done=True))
        except Exception as error:  # a Problem: refused, not found
            code = getattr(error, "code", None)
            if code is None:
                raise
            results.append(BulkResult(number=number, done=False, code=code, detail=error.detail))
    return results


@transaction.atomic
def application_produce(*, staff, number: str, now=None) -> Application:
    """Record the document produced: it is issued into the registry (number, validity by age,
    MRZ) and the document it replaces is invalidated, in this same transaction."""
    application = _for_staff(staff=staff, number=number)
    if _replay(application, "produce", staff) is not None:
        return application  # a double submission: the document is issued once
    # The refusal comes before the document is issued (apply would refuse it too).
    if APPLICATIONS.action_named(application.status, "produce") is None:
        raise APPLICATIONS.refusal(application, staff, "produce")
    document = document_issue(
        person=application.person,
        type=application.document_type,
        actor=staff,
        today=today_shanghai(now),
    )
    application_act(
        application=application,
        action="produce",
        actor=staff,
        data={"document": mask_document_number(document.number)},
        changes={"issued_document": document},
    )
    return application


@transaction.atomic
def application_ready(*, staff, number: str) -> Application:
    """Ready for collection at the hall (collection chosen)."""
    application = _for_staff(staff=staff, number=number)
    application_act(application=application, action="ready", actor=staff, changes={"due_on": None})
    return application


def tracking_clean(*, carrier: str, tracking_number: str) -> tuple[str, str]:
    carrier = " ".join(str(carrier or "").split())[:60]
    tracking = "".join(str(tracking_number or "").split()).upper()
    if not carrier or not _TRACKING.match(tracking):
        raise InvalidTracking()
    return carrier, tracking


@transaction.atomic
def application_mail(*, staff, number: str, carrier: str, tracking_number: str) -> Application:
    """Mailed with carrier and tracking number (delivery by mail chosen)."""
    application = _for_staff(staff=staff, number=number)  # 404 first, whatever the input
    carrier, tracking = tracking_clean(carrier=carrier, tracking_number=tracking_number)
    application_act(
        application=application,
        action="mail",
        actor=staff,
        data={"carrier": carrier, "tracking_number": tracking},
        changes={"carrier": carrier, "tracking_number": tracking, "due_on": None},
    )
    return application


@transaction.atomic
def application_deliver(*, staff, number: str) -> Application:
    """The carrier reported it delivered."""
    application = _for_staff(staff=staff, number=number)
    application_act(application=application, action="deliver", actor=staff)
    return application


def _old_document(application: Application) -> Document | None:
    if application.issued_document_id is None:
        return None
    return (
        Document.objects.filter(
            person_id=application.person_id,
            type=application.document_type,
            status=DocumentStatus.INVALIDATED,
            issued_on__lte=application.issued_document.issued_on,
        )
        .exclude(pk=application.issued_document_id)
        .order_by("-issued_on", "-id")
        .first()
    )


@transaction.atomic
def application_hand_over(
    *,
    staff,
    number: str,
    id_number: str,
    old_document_number: str = "",
    client_address: str | None = None,
) -> Application:
    """Hand the document over at the hall, the identity checked: the applicant's ID number
    (and the old document, which is taken back, when it replaces one). The check is recorded
    in the event (masked) and in the access log."""
    application = _for_staff(staff=staff, number=number)
    try:
        presented = id_number_clean(id_number)
    except InvalidIdNumber as error:
        raise IdentityCheckFailed(str(error)) from None
    if presented != application.person.id_number:
        raise IdentityCheckFailed()
    old = _old_document(application)
    old_given = "".join(str(old_document_number or "").split()).upper()
    if old is not None and old_given != old.number:
        raise OldDocumentMismatch()
    AccessLog.objects.create(
        staff=staff,
        person=application.person,
        action=AccessAction.IDENTITY_CHECK,
        reason=f"hand-over of application {application.number}",
        client_address=client_address or None,
    )
    application_act(
        application=application,
        action="hand_over",
        actor=staff,
        data={
            "id_number": mask_id_number(presented),
            "old_document": mask_document_number(old.number) if old else "",
            "identity_checked": True,
        },
    )
    return application


@transaction.atomic
def application_reassign(*, staff, number: str, assignee) -> Application:
    """A supervisor moves the application to another officer's queue (in their scope)."""
    application = _for_staff(staff=staff, number=number)
    if assignee is None or not selectors.staff_may_work_on(staff=assignee, application=application):
        raise AssigneeNotEligible()
    application_act(
        application=application,
        action="reassign",
        actor=staff,
        data={"from": getattr(application.assigned_to, "username", ""), "to": assignee.username},
        changes={"assigned_to": assignee},
    )
    return application


# The citizen's steps


@transaction.atomic
def application_withdraw(*, user, number: str) -> Application:
    """Withdraw while under review (or not yet reviewed). Asking again returns the same
    withdrawn application: a double submission changes nothing."""
    application = selectors.application_get_for(user=user, number=number)
    if application.status == A.WITHDRAWN:
        return application
    application_act(
        application=application, action="withdraw", actor=user, changes={"due_on": None}
    )
    return application


def delivery_clean(*, delivery: str, address: str) -> tuple[str, str]:
    delivery = str(delivery or "").strip()
    if delivery not in Delivery.values:
        raise InvalidDelivery()
    address = " ".join(str(address or "").split())
    if delivery == Delivery.MAIL and not 5 <= len(address) <= 300:
        raise AddressRequired()
    return delivery, address if delivery == Delivery.MAIL else ""


@transaction.atomic
def application_delivery_change(
    *, user, number: str, delivery: str, address: str = ""
) -> Application:
    """Change collection at the hall / delivery by mail, until production starts."""
    application = selectors.application_get_for(user=user, number=number)  # 404 first
    delivery, address = delivery_clean(delivery=delivery, address=address)
    if (application.delivery, application.delivery_address) == (delivery, address):
        return application  # the same request again: nothing to change
    application_act(
        application=application,
        action="change_delivery",
        actor=user,
        data={"delivery": delivery},
        changes={"delivery": delivery, "delivery_address": address},
    )
    return application
