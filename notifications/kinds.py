"""The kinds of message a citizen receives: one registry for preferences, the inbox and the API.

A service queues a message of one of these kinds (`notification_queue(kind=...)`); the citizen
chooses per kind whether it comes by text message, by email or both.
"""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "appointment_booked": _("Appointment booked"),
    "appointment_rescheduled": _("Appointment moved"),
    "appointment_cancelled": _("Appointment cancelled"),
    "appointment_cancelled_by_hall": _("Appointment cancelled by the hall"),
    "appointment_reminder": _("Reminder the day before an appointment"),
    "seat_available": _("A watched time has a free seat"),
    "application_accepted": _("Application accepted"),
    "application_approved": _("Application approved"),
    "application_rejected": _("Application rejected"),
    "application_in_production": _("Document in production"),
    "application_ready": _("Document ready for collection"),
    "application_mailed": _("Document mailed"),
    "application_collected": _("Document collected"),
    "endorsement_approved": _("Endorsement approved"),
    "endorsement_rejected": _("Endorsement not approved"),
    "endorsement_active": _("Endorsement printed and active"),
}


def kind_label(kind: str) -> str:
    """The reader's name for a kind (the kind itself when it is not registered)."""
    label = KINDS.get(kind)
    return str(label) if label is not None else kind
