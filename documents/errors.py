from enum import StrEnum


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
