"""Problem details (RFC 9457): one shape for every error the API returns."""

from enum import StrEnum
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from .logging import request_id_var

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ErrorCode(StrEnum):
    """Codes shared by every app; apps add their own enums of the same kind."""

    NOT_FOUND = "not_found"
    VALIDATION_FAILED = "validation_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    RATE_LIMITED = "rate_limited"
    BAD_REQUEST = "bad_request"
    CONFLICT = "conflict"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    INVALID_JSON = "invalid_json"
    SERVER_ERROR = "server_error"


def default_title(status: int) -> str:
    """Return a readable, translated title for an HTTP status."""
    titles = {
        400: _("The request could not be understood"),
        401: _("You need to sign in"),
        403: _("You are not allowed to do this"),
        404: _("Not found"),
        405: _("This method is not allowed here"),
        409: _("This conflicts with the current state"),
        413: _("The request is too large"),
        415: _("This type of content is not accepted"),
        422: _("Some of the information is not valid"),
        429: _("Too many requests: please wait and try again"),
    }
    return titles.get(status, _("Something went wrong on our side"))


def _default_code(status: int) -> str:
    return {
        400: ErrorCode.BAD_REQUEST,
        401: ErrorCode.NOT_AUTHENTICATED,
        403: ErrorCode.PERMISSION_DENIED,
        404: ErrorCode.NOT_FOUND,
        405: ErrorCode.METHOD_NOT_ALLOWED,
        409: ErrorCode.CONFLICT,
        413: ErrorCode.PAYLOAD_TOO_LARGE,
        415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        422: ErrorCode.VALIDATION_FAILED,
        429: ErrorCode.RATE_LIMITED,
    }.get(status, ErrorCode.SERVER_ERROR)


class Problem(Exception):
    """An error a client can act on; rendered as problem+json by the API."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        detail: str = "",
        title: str | None = None,
        errors: list[dict[str, str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.status = status
        self.code = str(code)
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.extra = extra or {}


class NotFound(Problem):
    """The thing asked for does not exist, or is not the asker's to see."""

    def __init__(self, *, code: str = ErrorCode.NOT_FOUND, detail: str = "") -> None:
        super().__init__(status=404, code=code, detail=detail)


class InvalidInput(Problem):
    """One field of the input is not acceptable."""

    def __init__(self, *, field: str, message: str, code: str = ErrorCode.VALIDATION_FAILED):
        super().__init__(
            status=422, code=code, detail=message, errors=[{"field": field, "message": message}]
        )


def problem_response(
    request: HttpRequest | None,
    *,
    status: int,
    code: str | None = None,
    title: str | None = None,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> JsonResponse:
    """Build an application/problem+json response."""
    code = str(code or _default_code(status))
    body: dict[str, Any] = {
        "type": f"urn:exitentry:problem:{code}",
        "title": title or default_title(status),
        "status": status,
        "detail": detail or title or default_title(status),
        "code": code,
        "request_id": request_id_var.get(),
    }
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    return response


def problem_from_exception(request: HttpRequest | None, exc: Problem) -> JsonResponse:
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        extra=exc.extra,
    )


# Typed errors: one class per error case, with its code, HTTP status and message in one place
# (as Zulip's zerver/lib/exceptions.py). `raise ActionNotAllowed(...)` reads better than a
# Problem built inline, and the text is written once.


class TypedProblem(Problem):
    """A Problem whose code, status and message are fixed by its class."""

    code_value: str = ErrorCode.CONFLICT
    status_value: int = 409

    def __init__(
        self,
        detail: str = "",
        *,
        errors: list[dict[str, str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            status=self.status_value,
            code=self.code_value,
            detail=detail or self.message(),
            errors=errors,
            extra=extra,
        )

    def message(self) -> str:
        return default_title(self.status_value)


class FieldProblem(TypedProblem):
    """A 422 about one field of the input: the message is also the field's error, so a form
    shows it beside the field and an app reads it from `errors`."""

    status_value = 422
    field = ""

    def __init__(self, detail: str = "", *, field: str = "") -> None:
        text = detail or self.message()
        super().__init__(text, errors=[{"field": field or self.field, "message": text}])


class InvalidReasonCode(FieldProblem):
    """A rejection (of any workflow) names a reason code its table does not offer."""

    code_value, field = "invalid_reason_code", "reason_code"

    def message(self) -> str:
        return _("Choose one of the reasons for a rejection.")


class ReasonTextRequired(FieldProblem):
    """A rejection without the text the applicant will read."""

    code_value, field = "reason_required", "reason"

    def message(self) -> str:
        return _("Write the reason the applicant will read (10 to 500 characters).")


class ActionNotAllowed(TypedProblem):
    """A workflow action that the record's status (or the actor) does not allow now; the
    answer lists the actions that are allowed."""

    code_value = "action_not_allowed"
    status_value = 409

    def __init__(
        self,
        *,
        subject: str,
        status_label: str,
        action: str,
        allowed: list[str],
        code: str = "",
    ):
        self.action, self.allowed = action, allowed
        if code:
            self.code_value = code
        detail = _("This %(subject)s is %(status)s: “%(action)s” is not possible now.") % {
            "subject": subject,
            "status": status_label,
            "action": action,
        }
        if allowed:
            detail += " " + _("Possible now: %(actions)s.") % {"actions": ", ".join(allowed)}
        super().__init__(detail, extra={"allowed_actions": allowed, "action": action})


class PermissionDenied(TypedProblem):
    """The staff member's role does not allow this."""

    code_value = ErrorCode.PERMISSION_DENIED
    status_value = 403

    def message(self) -> str:
        return _("Your role does not allow this.")


class ReasonRequired(TypedProblem):
    """An action that needs a reason was asked for without one."""

    code_value = "reason_required"
    status_value = 422

    def __init__(self, *, field: str = "reason") -> None:
        message = _("Give the reason: the person concerned reads it.")
        super().__init__(message, errors=[{"field": field, "message": message}])


class IdempotencyKeyReused(TypedProblem):
    """An Idempotency-Key sent again with another request."""

    code_value = "idempotency_key_reused"
    status_value = 422

    def message(self) -> str:
        return _("This Idempotency-Key was already used for another request.")


class OutsideTransaction(RuntimeError):
    """A workflow action applied outside a transaction (a programming error, never an answer)."""
