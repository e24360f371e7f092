"""Writes of applications: acceptance at a hall (受理) creates one; every later step appends an
event through `application_transition`, the one place its status changes."""

import datetime as dt
import logging
import secrets
from decimal import Decimal
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_transition
from core.errors import Problem
from guide.calendar import SHANGHAI
from notifications.services import notification_queue

from .models import Application, ApplicationEvent, ApplicationStatus

logger = logging.getLogger(__name__)

A = ApplicationStatus
# The workflow of an application (DOMAIN.md, "Applications and their states").
TRANSITIONS: dict[str, frozenset[str]] = {
    A.ACCEPTED: frozenset({A.UNDER_REVIEW, A.WITHDRAWN}),
    A.UNDER_REVIEW: frozenset({A.APPROVED, A.REJECTED, A.WITHDRAWN}),
    A.APPROVED: frozenset({A.IN_PRODUCTION}),
    A.IN_PRODUCTION: frozenset({A.READY, A.MAILED}),
    A.READY: frozenset({A.COLLECTED}),
    A.MAILED: frozenset({A.DELIVERED}),
    A.REJECTED: frozenset(),
    A.COLLECTED: frozenset(),
    A.DELIVERED: frozenset(),
    A.WITHDRAWN: frozenset(),
}


class ApplicationError(StrEnum):
    """Stable codes of the applications' errors."""

    TRANSITION_NOT_ALLOWED = "application_transition_not_allowed"
    NOT_CHECKED_IN = "appointment_not_checked_in"
    ALREADY_ACCEPTED = "application_already_accepted"


def application_number_new(now: dt.datetime) -> str:
    """Date of acceptance (Beijing time) and eight random digits: 14 digits, read in groups."""
    return f"{now.astimezone(SHANGHAI):%y%m%d}{secrets.randbelow(10**8):08d}"


def application_transition(
    *, application: Application, to: str, actor=None, note: str = "", at=None
) -> ApplicationEvent:
    """Apply a status change allowed by TRANSITIONS and append it to the timeline."""
    if to not in TRANSITIONS.get(application.status, ()):
        raise Problem(
            status=409,
            code=ApplicationError.TRANSITION_NOT_ALLOWED,
            detail=_("An application that is %(current)s cannot become %(new)s.")
            % {
                "current": str(A(application.status).label).lower(),
                "new": str(A(to).label).lower(),
            },
        )
    application.status = to
    application.save(update_fields=["status", "updated_at"])
    return ApplicationEvent.objects.create(
        application=application, status=to, actor=actor, note=note[:500], at=at or timezone.now()
    )


def application_accept(
    *,
    appointment: Appointment,
    officer,
    fee_amount: Decimal,
    now: dt.datetime | None = None,
) -> Application:
    """Accept a checked-in applicant's application at the hall: the application and its
    timeline start, the appointment ends as accepted, the citizen is told."""
    now = now or timezone.now()
    for _attempt in range(3):
        try:
            return _accept(appointment=appointment, officer=officer, fee=fee_amount, now=now)
        except IntegrityError:
            # A number already taken (1 in 10^8 per day), or a concurrent acceptance.
            if Application.objects.filter(appointment_id=appointment.pk).exists():
                raise Problem(
                    status=409,
                    code=ApplicationError.ALREADY_ACCEPTED,
                    detail=_("This application has already been accepted."),
                ) from None
    raise RuntimeError("could not allocate an application number")


@transaction.atomic
def _accept(*, appointment: Appointment, officer, fee: Decimal, now: dt.datetime) -> Application:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("person", "hall", "service", "booked_by")
        .get(pk=appointment.pk)
    )
    if locked.status == AppointmentStatus.ACCEPTED:
        raise Problem(
            status=409,
            code=ApplicationError.ALREADY_ACCEPTED,
            detail=_("This application has already been accepted."),
        )
    if locked.status != AppointmentStatus.CHECKED_IN:
        raise Problem(
            status=409,
            code=ApplicationError.NOT_CHECKED_IN,
            detail=_("Only a checked-in applicant's application can be accepted."),
        )
    submitted = locked.events.filter(kind="booked").values_list("at", flat=True).first()
    application = Application.objects.create(
        number=application_number_new(now),
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
    )
    ApplicationEvent.objects.create(
        application=application, status=A.ACCEPTED, actor=officer, at=now
    )
    appointment_transition(
        appointment=locked,
        to=AppointmentStatus.ACCEPTED,
        actor=officer,
        data={"application": application.number},
    )
    if locked.booked_by_id:
        notification_queue(
            user=locked.booked_by,
            kind="application_accepted",
            subject=_("Application accepted"),
            text=_("Your application %(number)s was accepted at %(hall)s.")
            % {"number": application.number, "hall": locked.hall.name},
            reference=f"application:{application.number}",
        )
    logger.info("application %s accepted at hall %s", application.number, locked.hall.code)
    return application
