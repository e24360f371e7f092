"""The applications' errors: one class per case, with its stable code, status and message."""

from django.utils.translation import gettext as _

from appointments.errors import ApplicationInProgress  # noqa: F401 (one class, two apps)
from core.errors import FieldProblem, TypedProblem


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


class InvalidDelivery(FieldProblem):
    code_value, field = "invalid_delivery", "delivery"

    def message(self) -> str:
        return _("Choose collection at the hall or delivery by mail.")


class AddressRequired(FieldProblem):
    code_value, field = "delivery_address_required", "delivery_address"

    def message(self) -> str:
        return _("Enter the full address for delivery by mail (5 to 300 characters).")


class InvalidTracking(FieldProblem):
    code_value, field = "invalid_tracking", "tracking_number"

    def message(self) -> str:
        return _("Enter the carrier and a tracking number of 6 to 40 letters and digits.")


class IdentityCheckFailed(FieldProblem):
    code_value, field = "identity_check_failed", "id_number"

    def message(self) -> str:
        return _("The ID number does not match the applicant: do not hand the document over.")


class OldDocumentMismatch(FieldProblem):
    code_value, field = "old_document_mismatch", "old_document_number"

    def message(self) -> str:
        return _("This is not the document being replaced: check the old document's number.")


class AssigneeNotEligible(FieldProblem):
    code_value, field = "assignee_not_eligible", "assignee"

    def message(self) -> str:
        return _("Choose an officer who works on applications at this hall.")


# -- the progress lookup without signing in (applications.progress) and its API body ----------


class InvalidApplicationNumber(FieldProblem):
    code_value, field = "invalid_application_number", "application_number"

    def message(self) -> str:
        return _(
            "An application number is 14 digits, as printed on your acceptance receipt, for "
            "example 26112512345678."
        )


class InvalidLookupIdNumber(FieldProblem):
    """The ID number given to the lookup breaks the registry's rules (the reason as detail)."""

    code_value, field = "invalid_id_number", "id_number"


class LookupInputInvalid(TypedProblem):
    """More than one field of the lookup is wrong: every error at once."""

    code_value, status_value = "validation_failed", 422


class ProgressNoMatch(TypedProblem):
    """No application has this number, or its applicant has another ID number: one answer."""

    code_value, status_value = "progress_no_match", 404

    def message(self) -> str:
        return _(
            "No application matches this application number and ID number. Check both "
            "against your acceptance receipt and try again."
        )


class LookupNotJson(TypedProblem):
    code_value, status_value = "unsupported_media_type", 415

    def message(self) -> str:
        return _("Send the request body as JSON, with Content-Type: application/json.")


class LookupBodyTooLarge(TypedProblem):
    code_value, status_value = "payload_too_large", 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("The request body is too large: at most %(limit)d bytes.") % {"limit": limit}
        )


class LookupInvalidJson(TypedProblem):
    code_value, status_value = "invalid_json", 400

    def message(self) -> str:
        return _("The request body is not valid JSON.")


class LookupBodyNotObject(FieldProblem):
    code_value, field = "validation_failed", "request"

    def message(self) -> str:
        return _("Send a JSON object with application_number and id_number.")


# -- the acceptance receipt (applications.receipt) --------------------------------------------


class ReceiptUnavailable(TypedProblem):
    """The receipt cannot be made on this server now (its font is missing)."""

    code_value, status_value = "receipt_unavailable", 503

    def message(self) -> str:
        return _(
            "The acceptance receipt cannot be made right now. Try again later; your "
            "application is not affected."
        )
