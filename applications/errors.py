"""The applications' errors: one class per case, with its stable code, status and message."""

from django.utils.translation import gettext as _

from appointments.errors import ApplicationInProgress  # noqa: F401 (one class, two apps)
from core.errors import TypedProblem


class ApplicationNotFound(TypedProblem):
    code_value, status_value = "application_not_found", 404

    def message(self) -> str:
        return _("There is no such application.")


class AlreadyAccepted(TypedProblem):
    code_value, status_value = "application_already_accepted", 409

    def message(self) -> str:
        return _("This application has already been accepted.")


class NotCheckedIn(TypedProblem):
    code_value, status_value = "appointment_not_checked_in", 409

    def message(self) -> str:
        return _("Only a checked-in applicant's application can be accepted.")


class _FieldProblem(TypedProblem):
    status_value = 422
    field = ""

    def __init__(self, detail: str = "") -> None:
        text = detail or self.message()
        super().__init__(text, errors=[{"field": self.field, "message": text}])


class InvalidReasonCode(_FieldProblem):
    code_value, field = "invalid_reason_code", "reason_code"

    def message(self) -> str:
        return _("Choose one of the reasons for a rejection.")


class ReasonTextRequired(_FieldProblem):
    code_value, field = "reason_required", "reason"

    def message(self) -> str:
        return _("Write the reason the applicant will read (10 to 500 characters).")


class InvalidDelivery(_FieldProblem):
    code_value, field = "invalid_delivery", "delivery"

    def message(self) -> str:
        return _("Choose collection at the hall or delivery by mail.")


class AddressRequired(_FieldProblem):
    code_value, field = "delivery_address_required", "delivery_address"

    def message(self) -> str:
        return _("Enter the full address for delivery by mail (5 to 300 characters).")


class InvalidTracking(_FieldProblem):
    code_value, field = "invalid_tracking", "tracking_number"

    def message(self) -> str:
        return _("Enter the carrier and a tracking number of 6 to 40 letters and digits.")


class IdentityCheckFailed(_FieldProblem):
    code_value, field = "identity_check_failed", "id_number"

    def message(self) -> str:
        return _("The ID number does not match the applicant: do not hand the document over.")


class OldDocumentMismatch(_FieldProblem):
    code_value, field = "old_document_mismatch", "old_document_number"

    def message(self) -> str:
        return _("This is not the document being replaced: check the old document's number.")


class AssigneeNotEligible(_FieldProblem):
    code_value, field = "assignee_not_eligible", "assignee"

    def message(self) -> str:
        return _("Choose an officer who works on applications at this hall.")
