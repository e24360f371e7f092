from enum import StrEnum

from django.utils.translation import gettext as _

from core.errors import TypedProblem


class CrossingError(StrEnum):
    """Stable codes of the crossings' errors: of a whole request, and of one event in a batch."""

    # The request
    SIGNATURE_MISSING = "port_signature_missing"
    KEY_UNKNOWN = "port_key_unknown"
    SIGNATURE_INVALID = "port_signature_invalid"
    REQUEST_STALE = "port_request_stale"
    REQUEST_REPLAYED = "port_request_replayed"
    PORT_NOT_YOURS = "port_not_yours"
    BATCH_INVALID = "crossing_batch_invalid"
    BATCH_TOO_LARGE = "crossing_batch_too_large"
    BATCH_CONFLICT = "crossing_batch_conflict"
    # One event of a batch
    EVENT_INVALID = "event_invalid"
    EVENT_IN_FUTURE = "event_in_future"
    EVENT_TOO_OLD = "event_too_old"
    EVENT_OTHER_PORT = "event_other_port"
    DOCUMENT_UNKNOWN = "document_unknown"
    DOCUMENT_NOT_PERSONS = "document_not_persons"
    # Reads
    PERIOD_INVALID = "crossing_period_invalid"


class SignatureMissing(TypedProblem):
    code_value, status_value = CrossingError.SIGNATURE_MISSING, 401

    def __init__(self, header: str) -> None:
        super().__init__(
            _("The request must be signed: header %(header)s is missing or malformed.")
            % {"header": header}
        )


class KeyUnknown(TypedProblem):
    code_value, status_value = CrossingError.KEY_UNKNOWN, 401

    def message(self) -> str:
        return _("This port key is unknown, revoked, or its port is closed.")


class SignatureInvalid(TypedProblem):
    code_value, status_value = CrossingError.SIGNATURE_INVALID, 401

    def message(self) -> str:
        return _("The signature does not match the request (method, path, time, nonce, body).")


class RequestStale(TypedProblem):
    code_value, status_value = CrossingError.REQUEST_STALE, 401

    def __init__(self, max_age: int) -> None:
        super().__init__(
            _("The request's timestamp is more than %(seconds)s seconds from the server's clock.")
            % {"seconds": max_age}
        )


class RequestReplayed(TypedProblem):
    code_value, status_value = CrossingError.REQUEST_REPLAYED, 401

    def message(self) -> str:
        return _("This nonce was already used: sign each request with a new one.")


class PortNotYours(TypedProblem):
    code_value, status_value = CrossingError.PORT_NOT_YOURS, 403

    def message(self) -> str:
        return _("A port reports only its own crossings: this key belongs to another port.")


class BatchInvalid(TypedProblem):
    code_value, status_value = CrossingError.BATCH_INVALID, 422

    def __init__(self, message: str) -> None:
        super().__init__(message, errors=[{"field": "events", "message": message}])


class BatchTooLarge(TypedProblem):
    code_value, status_value = CrossingError.BATCH_TOO_LARGE, 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("A batch holds at most %(limit)s events: send the rest in another batch.")
            % {"limit": limit}
        )


class BatchConflict(TypedProblem):
    """Another copy of some of the batch's exits was recorded while their trips were chosen."""

    code_value, status_value = CrossingError.BATCH_CONFLICT, 409

    def message(self) -> str:
        return _("Another copy of this batch was recorded at the same time: send it again.")


class PeriodInvalid(TypedProblem):
    code_value, status_value = CrossingError.PERIOD_INVALID, 422

    def __init__(self, message: str, *, field: str = "start") -> None:
        super().__init__(message, errors=[{"field": field, "message": message}])
