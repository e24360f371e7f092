"""The endorsement's workflow on core.workflow (DOMAIN.md: submitted -> checked automatically ->
approved, or sent to an officer -> paid and printed at the chosen hall or kiosk -> active ->
expired or used up).

The system (no actor) takes the automatic steps: approval when every check passes, referral to
an officer otherwise, payment and printing at a self-service kiosk, the last trip. Officers act
by their role's permission; the citizen may withdraw what is not yet paid.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import Action, Step, Workflow, system
from staff.permissions import Permission
from staff.selectors import staff_can

from .models import Endorsement, EndorsementEvent, EndorsementStatus

S = EndorsementStatus


def _can(permission: Permission):
    def who(endorsement, actor) -> bool:
        return actor is not None and staff_can(actor, permission)

    who.__name__ = f"staff_{permission}"
    return who


def citizen(endorsement, actor) -> bool:
    return actor is not None and not getattr(actor, "is_staff", False)


def hall_or_kiosk(endorsement, actor) -> bool:
    """An officer at a hall, or the kiosk (the system) the citizen uses alone."""
    return actor is None or staff_can(actor, Permission.HALL_SERVICE)


reviewer = _can(Permission.APPLICATION_REVIEW)
_withdraw = Action("withdraw", S.WITHDRAWN, citizen, label=gettext_lazy("Withdraw"))

TABLE: dict[str, tuple[Action, ...]] = {
    S.APPLIED: (
        Action(
            "auto_approve",
            S.APPROVED,
            system,
            message="endorsement_approved",
            label=gettext_lazy("Approve"),
        ),
        Action("refer", S.UNDER_REVIEW, system, label=gettext_lazy("Send to an officer")),
    ),
    S.UNDER_REVIEW: (
        Action(
            "approve",
            S.APPROVED,
            reviewer,
            message="endorsement_approved",
            label=gettext_lazy("Approve"),
        ),
        Action(
            "reject",
            S.REJECTED,
            reviewer,
            reason_required=True,
            message="endorsement_rejected",
            label=gettext_lazy("Reject"),
        ),
        _withdraw,
    ),
    S.APPROVED: (
        Action("pay", S.PAID, hall_or_kiosk, label=gettext_lazy("Record payment")),
        _withdraw,
    ),
    S.PAID: (
        Action(
            "print",
            S.ACTIVE,
            hall_or_kiosk,
            message="endorsement_active",
            label=gettext_lazy("Print"),
        ),
    ),
    S.ACTIVE: (
        Action("use_up", S.USED_UP, system, label=gettext_lazy("Last trip used")),
        Action("expire", S.EXPIRED, system, label=gettext_lazy("Expired")),
    ),
}


def _event(step: Step) -> EndorsementEvent:
    return EndorsementEvent(endorsement=step.obj, **step.event_fields())


def _notify(step: Step) -> None:
    from .messages import endorsement_message_queue

    endorsement_message_queue(step.obj, kind=step.action.message, note=step.reason or step.note)


ENDORSEMENTS = Workflow(
    name="endorsement",
    model=Endorsement,
    table=TABLE,
    event=_event,
    notify=_notify,
    subject=lambda: _("endorsement"),
    refused_code="endorsement_transition_not_allowed",
    labels=lambda status: S(status).label,
    stamp_fields=("updated_at",),
)
