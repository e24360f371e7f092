"""Reads of applications: the citizen's own (and their minors'), one access check, the
timeline, and the outlook (stage, expected date, next step in plain words)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.i18n import localized
from guide.calendar import SHANGHAI
from persons.selectors import persons_acting_for

from .models import Application, ApplicationEvent, ApplicationStatus, Delivery

A = ApplicationStatus


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


# The outlook: what the citizen (and the anonymous progress lookup) is told


@dataclass(frozen=True)
class ApplicationOutlook:
    """Where an application stands, in the reader's language."""

    status: str
    stage_label: str
    expected_date: dt.date | None
    next_step: str


_REVIEW = (A.ACCEPTED, A.UNDER_REVIEW)
_PRODUCTION = (A.APPROVED, A.IN_PRODUCTION, A.PRODUCED)


def _stage_label(application: Application) -> str:
    status = application.status
    if status in _REVIEW:
        return _("Review")
    if status in _PRODUCTION:
        return _("Production")
    if status == A.READY:
        return _("Ready for collection")
    if status == A.MAILED:
        return _("On its way by mail")
    if status in (A.COLLECTED, A.DELIVERED):
        return _("Completed")
    return _("Ended")


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).date().isoformat()


def _next_step(application: Application) -> str:
    status, hall = application.status, application.hall
    by_mail = application.delivery == Delivery.MAIL
    if status in _REVIEW:
        return _(
            "Your application is being reviewed. There is nothing you need to do now: "
            "we will send you a message when it is decided."
        )
    if status in _PRODUCTION and by_mail:
        return _(
            "Your document is being made. It will be mailed to the address you gave, and we "
            "will send you the tracking number."
        )
    if status in _PRODUCTION:
        return _(
            "Your document is being made. We will send you a message when you can collect "
            "it at %(hall)s."
        ) % {"hall": hall.name}
    if status == A.READY:
        return _(
            "Collect it at %(hall)s, %(address)s, from %(date)s during opening hours. Bring "
            "your acceptance receipt and your ID card (for a child: the guardian's ID card too)."
        ) % {
            "hall": hall.name,
            "address": localized(hall, "address"),
            "date": _day(application.updated_at),
        }
    if status == A.MAILED:
        return _("Mailed by %(carrier)s: tracking number %(tracking)s.") % {
            "carrier": application.carrier,
            "tracking": application.tracking_number,
        }
    if status == A.COLLECTED:
        return _("Collected. Your new document is shown under My documents.")
    if status == A.DELIVERED:
        return _("Delivered. Your new document is shown under My documents.")
    if status == A.REJECTED:
        return _(
            "Your application was not approved; the reason is in the timeline. You can apply "
            "again once the reason is resolved."
        )
    return _("You withdrew this application. You can book a new appointment at any time.")


def application_outlook(application: Application) -> ApplicationOutlook:
    """The stage, the expected completion date (while it is still to come) and the next step,
    in plain words in the active language. Reads no more rows than the application and its
    hall (select_related)."""
    still_to_come = application.status in _REVIEW + _PRODUCTION
    return ApplicationOutlook(
        status=application.status,
        stage_label=str(_stage_label(application)),
        expected_date=application.expected_on if still_to_come else None,
        next_step=str(_next_step(application)),
    )
