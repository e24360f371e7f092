"""The messages an application's steps send to the citizen, in their language.

Queued through notifications.services.notification_queue inside the step's transaction (the
outbox delivers them after commit, by the channels the person chose).
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from core.i18n import localized
from notifications.services import in_language_of, notification_queue

from .models import Application

# Subjects and texts per kind; each is a function so it is translated when the message is made.
_SUBJECTS = {
    "application_accepted": lambda: _("Application accepted"),
    "application_approved": lambda: _("Application approved"),
    "application_rejected": lambda: _("Application not approved"),
    "application_in_production": lambda: _("Document in production"),
    "application_ready": lambda: _("Document ready for collection"),
    "application_mailed": lambda: _("Document mailed"),
    "application_collected": lambda: _("Document collected"),
}


def _text(application: Application, kind: str, note: str) -> str:
    number, hall = application.number, application.hall
    if kind == "application_accepted":
        text = _("Your application %(number)s was accepted at %(hall)s.") % {
            "number": number,
            "hall": hall.name,
        }
        if application.expected_on:
            text += " " + _("Expected to be completed by %(date)s.") % {
                "date": application.expected_on.isoformat()
            }
        return text
    if kind == "application_approved":
        return _("Your application %(number)s was approved; your document will now be made.") % {
            "number": number
        }
    if kind == "application_rejected":
        return _("Your application %(number)s was not approved: %(reason)s") % {
            "number": number,
            "reason": note,
        }
    if kind == "application_in_production":
        return _("The document of your application %(number)s is being made.") % {"number": number}
    if kind == "application_ready":
        return _(
            "The document of your application %(number)s is ready. Collect it at %(hall)s, "
            "%(address)s. Bring your acceptance receipt and your ID card."
        ) % {"number": number, "hall": hall.name, "address": localized(hall, "address")}
    if kind == "application_mailed":
        return _(
            "The document of your application %(number)s was mailed by %(carrier)s, tracking "
            "number %(tracking)s."
        ) % {
            "number": number,
            "carrier": application.carrier,
            "tracking": application.tracking_number,
        }
    return _("The document of your application %(number)s was handed over.") % {"number": number}


def application_recipient(application: Application):
    """The account told about the application: the one that booked it, else the applicant's
    own account (a walk-in), else (a minor's walk-in) the account of a guardian of theirs in
    the registry, else nobody."""
    appointment = application.appointment
    if appointment is not None and appointment.booked_by_id:
        return appointment.booked_by
    users = get_user_model().objects
    own = users.filter(person_id=application.person_id).first()
    if own is not None:
        return own
    return (
        users.filter(person__wards__child_id=application.person_id, is_active=True)
        .order_by("pk")
        .first()
    )


def application_message_queue(application: Application, *, kind: str, note: str = "") -> None:
    """Queue the message of one step, in the recipient's language (inside the transaction)."""
    user = application_recipient(application)
    if user is None:
        return
    with in_language_of(user):
        notification_queue(
            user=user,
            kind=kind,
            subject=str(_SUBJECTS[kind]()),
            text=_text(application, kind, note),
            reference=f"application:{application.number}",
        )
