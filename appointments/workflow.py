"""The appointment's workflow on core.workflow: booked -> checked in -> accepted / not accepted;
booked -> cancelled / cancelled by the hall / missed; rescheduling keeps it booked.

The first event ("booked") is written with the booking itself (core.rawsql.RawGuardedInsert,
the rush's hot path, or a walk-in's creation); every later step goes through `APPOINTMENTS`.
"""

from django.utils.translation import gettext_lazy as _

from core.workflow import Action, Step, Workflow, system

from .models import Appointment, AppointmentEvent, AppointmentStatus

S = AppointmentStatus
K = AppointmentEvent.Kind


def citizen(appointment, actor) -> bool:
    """The booker or a guardian (the service checked whom they act for) - not staff."""
    return actor is not None and not getattr(actor, "is_staff", False)


def hall_or_system(appointment, actor) -> bool:
    """A staff member (the service checked their hall), or the system."""
    return actor is None or getattr(actor, "is_staff", False)


_KIND = {
    "check_in": K.CHECKED_IN,
    "cancel": K.CANCELLED,
    "cancel_by_hall": K.CANCELLED_BY_HALL,
    "mark_no_show": K.NO_SHOW,
    "reschedule": K.RESCHEDULED,
    "accept": K.ACCEPTED,
    "not_accept": K.NOT_ACCEPTED,
}

TABLE: dict[str, tuple[Action, ...]] = {
    S.BOOKED: (
        Action("check_in", S.CHECKED_IN, hall_or_system, label=_("Check in")),
        Action("reschedule", None, citizen, message="appointment_rescheduled", label=_("Move")),
        Action("cancel", S.CANCELLED, citizen, message="appointment_cancelled", label=_("Cancel")),
        Action(
            "cancel_by_hall",
            S.CANCELLED_BY_HALL,
            hall_or_system,
            reason_required=True,
            message="appointment_cancelled_by_hall",
            label=_("Cancel (the hall)"),
        ),
        Action("mark_no_show", S.NO_SHOW, system, label=_("Mark as missed")),
    ),
    S.CHECKED_IN: (
        Action("accept", S.ACCEPTED, hall_or_system, label=_("Accept the application")),
        Action(
            "not_accept",
            S.NOT_ACCEPTED,
            hall_or_system,
            reason_required=True,
            label=_("Not accepted"),
        ),
    ),
}


def _event(step: Step) -> AppointmentEvent:
    return AppointmentEvent(
        appointment=step.obj,
        kind=_KIND[step.action.name],
        from_status=step.from_status,
        to_status=step.to_status,
        actor=step.actor,
        note=(step.reason or step.note)[:500],
        data=step.data,
    )


def _notify(step: Step) -> None:
    from .services import _notify as notify  # services use this module

    reason = step.data.get("reason_zh"), step.data.get("reason_en")
    notify(step.obj, step.action.message, reason=reason if all(reason) else None)


APPOINTMENTS = Workflow(
    name="appointment",
    model=Appointment,
    table=TABLE,
    event=_event,
    notify=_notify,
    subject=lambda: _("appointment"),
    refused_code="appointment_transition_not_allowed",
    labels=lambda status: S(status).label,
    stamp_fields=("updated_at",),
)
