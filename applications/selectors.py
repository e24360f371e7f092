"""Reads of applications: the citizen's own (and their minors'), one access check, the timeline."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from persons.selectors import persons_acting_for

from .models import Application, ApplicationEvent


def _visible_to(user) -> QuerySet[Application]:
    persons = [p.pk for p in persons_acting_for(user=user)]
    return Application.objects.filter(person_id__in=persons).select_related(
        "person", "hall", "service", "appointment"
    )


def applications_for(*, user) -> QuerySet[Application]:
    """The applications of the user and of the minors they act for, newest first."""
    return _visible_to(user).order_by("-accepted_at", "-id")


def application_number_clean(value: str) -> str:
    text = "".join(ch for ch in str(value or "") if ch not in " -\t")
    return text if 8 <= len(text) <= 16 and text.isascii() and text.isalnum() else ""


def application_get_for(*, user, number: str) -> Application:
    """One application of the user or a minor they act for; anything else is a 404."""
    clean = application_number_clean(number)
    found = _visible_to(user).filter(number=clean).first() if clean else None
    if found is None:
        raise NotFound(code="application_not_found", detail=_("There is no such application."))
    return found


def application_timeline(application: Application) -> list[ApplicationEvent]:
    """The steps of the application, oldest first (who did them is staff-only)."""
    return list(application.events.order_by("at", "id"))
