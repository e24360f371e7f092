"""The application's workflow on core.workflow (DOMAIN.md, "Applications and their states"):

accepted -> under review -> approved -> in production -> produced -> ready (at the hall) ->
collected, or produced -> mailed -> delivered; under review -> rejected; accepted or under
review -> withdrawn by the citizen. Reassigning and changing the delivery keep the status.

Who may take each action: a role's permission (staff.permissions), or the citizen. The access
check (hall and region scope for staff, the person acted for by a citizen) comes first, in
applications.selectors; these predicates decide the rest from the table alone, so the pages,
the API and the back-office offer exactly what `APPLICATIONS.apply` accepts.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import Action, Step, Workflow
from staff.permissions import Permission
from staff.selectors import staff_can

from .models import Application, ApplicationEvent, ApplicationStatus, Delivery

A = ApplicationStatus


def _can(permission: Permission):
    def who(application, actor) -> bool:
        return actor is not None and staff_can(actor, permission)

    who.__name__ = f"staff_{permission}"
    return who


def citizen(application, actor) -> bool:
    """The applicant or their guardian (the access check found the application theirs)."""
    return actor is not None and not getattr(actor, "is_staff", False)


def _collect(application, actor) -> bool:
    return application.delivery == Delivery.COLLECT and _can(Permission.HALL_SERVICE)(
        application, actor
    )


def _mail(application, actor) -> bool:
    return application.delivery == Delivery.MAIL and _can(Permission.APPLICATION_PRODUCE)(
        application, actor
    )


reviewer = _can(Permission.APPLICATION_REVIEW)
producer = _can(Permission.APPLICATION_PRODUCE)
supervisor = _can(Permission.APPLICATION_DECIDE)
hall = _can(Permission.HALL_SERVICE)

_withdraw = Action("withdraw", A.WITHDRAWN, citizen, label=gettext_lazy("Withdraw"))
_delivery = Action(
    "change_delivery", None, citizen, label=gettext_lazy("Change how you receive it")
)
_reassign = Action("reassign", None, supervisor, label=gettext_lazy("Reassign"))

TABLE: dict[str, tuple[Action, ...]] = {
    A.ACCEPTED: (
        Action("start_review", A.UNDER_REVIEW, reviewer, label=gettext_lazy("Start review")),
        _reassign,
        _delivery,
        _withdraw,
    ),
    A.UNDER_REVIEW: (
        Action(
            "approve",
            A.APPROVED,
            reviewer,
            message="application_approved",
            label=gettext_lazy("Approve"),
        ),
        Action(
            "reject",
            A.REJECTED,
            reviewer,
            reason_required=True,
            message="application_rejected",
            label=gettext_lazy("Reject"),
        ),
        _reassign,
        _delivery,
        _withdraw,
    ),
    A.APPROVED: (
        Action(
            "send_to_production",
            A.IN_PRODUCTION,
            producer,
            message="application_in_production",
            label=gettext_lazy("Send to production"),
        ),
        _reassign,
        _delivery,
    ),
    A.IN_PRODUCTION: (
        Action("produce", A.PRODUCED, producer, label=gettext_lazy("Record as produced")),
        _reassign,
    ),
    A.PRODUCED: (
        Action(
            "ready",
            A.READY,
            _collect,
            message="application_ready",
            label=gettext_lazy("Ready for collection"),
        ),
        Action(
            "mail",
            A.MAILED,
            _mail,
            message="application_mailed",
            label=gettext_lazy("Record as mailed"),
        ),
    ),
    A.READY: (
        Action(
            "hand_over",
            A.COLLECTED,
            hall,
            message="application_collected",
            label=gettext_lazy("Hand over"),
        ),
    ),
    A.MAILED: (
        Action("deliver", A.DELIVERED, producer, label=gettext_lazy("Record as delivered")),
    ),
}


def _event(step: Step) -> ApplicationEvent:
    return ApplicationEvent(application=step.obj, **step.event_fields())


def _notify(step: Step) -> None:
    from .messages import application_message_queue  # messages read the workflow's statuses

    application_message_queue(step.obj, kind=step.action.message, note=step.reason or step.note)


APPLICATIONS = Workflow(
    name="application",
    model=Application,
    table=TABLE,
    event=_event,
    notify=_notify,
    subject=lambda: _("application"),
    refused_code="application_transition_not_allowed",
    labels=lambda status: A(status).label,
    stamp_fields=("updated_at",),
)
