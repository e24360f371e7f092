from enum import StrEnum

from django.utils.translation import gettext as _

from core.errors import TypedProblem


class DocumentError(StrEnum):
    """Stable codes of the documents' errors."""

    DOCUMENT_NOT_FOUND = "document_not_found"
    ALREADY_REPORTED_LOST = "document_already_reported_lost"
    NOT_VALID = "document_not_valid"
    TRANSITION_NOT_ALLOWED = "document_transition_not_allowed"
    INVALID_NUMBER = "invalid_document_number"
    INVALID_TYPE = "invalid_document_type"
    INVALID_DATES = "invalid_document_dates"
    INVALID_STATUS = "invalid_document_status"
    NUMBER_OF_ANOTHER_PERSON = "document_number_of_another_person"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"


class AlreadyReportedLost(TypedProblem):
    code_value, status_value = DocumentError.ALREADY_REPORTED_LOST, 409

    def message(self) -> str:
        return _("This document has already been reported lost.")


class NotValid(TypedProblem):
    """Reporting lost a document that is no longer valid (expired, invalidated)."""

    code_value, status_value = DocumentError.NOT_VALID, 409

    def __init__(self, status_label: str) -> None:
        super().__init__(
            _("Only a valid document can be reported lost; this one is %(status)s.")
            % {"status": status_label}
        )
