"""The document's workflow on core.workflow: a valid document is reported lost by its holder
(or their guardian) or invalidated (replaced by a new one, or by the authority); both are final.
"Expired" is never stored: it is read from the date. The first event ("recorded") is written
when the registry records the document."""

from django.utils.translation import gettext_lazy as _

from core.workflow import Action, Step, Workflow, anyone

from .models import Document, DocumentEvent, DocumentStatus

D = DocumentStatus


def holder_or_registry(document, actor) -> bool:
    """A signed-in citizen (the service checked they act for the holder), or the registry's
    import (no actor)."""
    return actor is None or not getattr(actor, "is_staff", False)


TABLE: dict[str, tuple[Action, ...]] = {
    D.VALID: (
        Action("report_lost", D.REPORTED_LOST, holder_or_registry, label=_("Report lost")),
        # By the registry's import, by production of its replacement or by the authority.
        Action("invalidate", D.INVALIDATED, anyone, label=_("Invalidate")),
    ),
}

_KIND = {
    "report_lost": DocumentEvent.Kind.REPORTED_LOST,
    "invalidate": DocumentEvent.Kind.INVALIDATED,
}


def _event(step: Step) -> DocumentEvent:
    document = step.obj
    return DocumentEvent(
        document=document,
        kind=_KIND[step.action.name],
        from_status=step.from_status,
        to_status=step.to_status,
        actor=step.actor,
        actor_person_id=getattr(step.actor, "person_id", None),
        on_behalf_of_id=document.person_id,
        note=(step.reason or step.note)[:200],
        idempotency_key=step.data.get("idempotency_key", ""),
    )


DOCUMENTS = Workflow(
    name="document",
    model=Document,
    table=TABLE,
    event=_event,
    subject=lambda: _("document"),
    refused_code="document_transition_not_allowed",
    labels=lambda status: D(status).label,
)
