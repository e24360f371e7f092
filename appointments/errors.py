from enum import StrEnum

from django.utils.translation import gettext as _

from core.errors import TypedProblem


class AppointmentError(StrEnum):
    """Stable codes of the appointments' errors."""

    APPOINTMENT_NOT_FOUND = "appointment_not_found"
    PERSON_NOT_FOUND = "person_not_found"
    SLOT_NOT_FOUND = "slot_not_found"
    SLOT_FULL = "slot_full"
    SLOT_CLOSED = "slot_closed"
    SLOT_IN_PAST = "slot_in_past"
    SLOT_NOT_RELEASED = "slot_not_released"
    SLOT_WRONG_SERVICE = "slot_wrong_service"
    SERVICE_NOT_OFFERED = "service_not_offered"
    INVALID_DATE_RANGE = "invalid_date_range"
    INVALID_ANSWERS = "invalid_answers"
    KIND_DOES_NOT_FIT = "application_kind_does_not_fit"
    ALREADY_BOOKED = "already_booked"
    BLOCKED_FOR_NO_SHOWS = "blocked_for_no_shows"
    CHANGE_CUTOFF_PASSED = "change_cutoff_passed"
    TRANSITION_NOT_ALLOWED = "appointment_transition_not_allowed"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    BOOKING_RATE_LIMITED = "booking_rate_limited"
    TOO_MANY_WATCHES = "too_many_seat_alerts"
    WATCH_NOT_FOUND = "seat_alert_not_found"
    DOCUMENT_NOT_USABLE = "document_not_usable"


class ApplicationInProgress(TypedProblem):
    """A new appointment or application for a document while an application for the same
    person and document is in progress (the database refuses it too)."""

    code_value, status_value = "application_in_progress", 409

    def __init__(self, number: str = "") -> None:
        super().__init__(extra={"application": number} if number else None)

    def message(self) -> str:
        return _(
            "An application for this document is already in progress. You can book again "
            "once it is completed, rejected or withdrawn."
        )


class SlotNotReleased(TypedProblem):
    code_value, status_value = AppointmentError.SLOT_NOT_RELEASED, 409

    def __init__(self, when: str) -> None:
        super().__init__(_("This time can be booked from %(when)s.") % {"when": when})


class AlreadyBooked(TypedProblem):
    code_value, status_value = AppointmentError.ALREADY_BOOKED, 409

    def __init__(self, *, number: str, number_display: str) -> None:
        super().__init__(
            _(
                "There is already an appointment (%(number)s) for this document. Cancel or move "
                "it instead of booking another."
            )
            % {"number": number_display},
            extra={"appointment": number},
        )


class BlockedForNoShows(TypedProblem):
    code_value, status_value = AppointmentError.BLOCKED_FOR_NO_SHOWS, 403

    def __init__(self, *, reason: str, until: str) -> None:
        super().__init__(reason, extra={"blocked_until": until})


class CannotChange(TypedProblem):
    """Cancelling or moving an appointment that is no longer booked (or whose time passed)."""

    code_value, status_value = AppointmentError.TRANSITION_NOT_ALLOWED, 409

    def __init__(self, status_label: str) -> None:
        super().__init__(
            _("This appointment is %(status)s: it can no longer be changed.")
            % {"status": status_label}
        )


class ChangeCutoffPassed(TypedProblem):
    code_value, status_value = AppointmentError.CHANGE_CUTOFF_PASSED, 409

    def __init__(self, hours: int) -> None:
        super().__init__(
            _(
                "Appointments can be cancelled or moved until %(hours)d hours before their time. "
                "Call the hall if you cannot come."
            )
            % {"hours": hours}
        )


class TooManyWatches(TypedProblem):
    code_value, status_value = AppointmentError.TOO_MANY_WATCHES, 409

    def __init__(self, count: int) -> None:
        super().__init__(
            _("You can keep at most %(count)d seat alerts: cancel one first.") % {"count": count}
        )
