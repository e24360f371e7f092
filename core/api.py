"""Shared API pieces: problem+json handlers, validation messages, pagination envelope."""

import logging
from abc import ABC, abstractmethod
from typing import Any, Generic, TypeVar

import orjson
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel, ConfigDict, Field

from .errors import (
    PROBLEM_CONTENT_TYPE,
    ErrorCode,
    Problem,
    problem_from_exception,
    problem_response,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _field_message(error: dict[str, Any]) -> str:
    """Translate one pydantic error into a sentence a person can act on."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("This value is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "string_type": _("Enter text."),
        "string_too_long": _("Enter at most %(max)s characters.")
        % {"max": ctx.get("max_length", "")},
        "string_too_short": _("Enter at least %(min)s characters.")
        % {"min": ctx.get("min_length", "")},
        "greater_than_equal": _("Enter a value of at least %(min)s.") % {"min": ctx.get("ge", "")},
        "less_than_equal": _("Enter a value of at most %(max)s.") % {"max": ctx.get("le", "")},
        "greater_than": _("Enter a value greater than %(min)s.") % {"min": ctx.get("gt", "")},
        "less_than": _("Enter a value less than %(max)s.") % {"max": ctx.get("lt", "")},
        "string_pattern_mismatch": _("This value is not in the expected format."),
        "json_invalid": _("The request body is not valid JSON."),
        "literal_error": _("Choose one of the allowed values."),
        "enum": _("Choose one of the allowed values."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "datetime_parsing": _("Enter a date and time in ISO 8601 format."),
        "extra_forbidden": _("This field is not accepted."),
    }
    return messages.get(kind) or str(error.get("msg") or _("This value is not valid."))


def _field_name(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    # ninja prefixes the location with where the value came from (query, path, body).
    if loc and loc[0] in {"query", "path", "body", "header", "cookie", "form", "file"}:
        loc = loc[1:]
    if len(loc) > 1 and loc[0] in {"payload", "data", "filters"}:
        loc = loc[1:]
    return ".".join(loc) or "request"


class DeferredAuth(ABC):
    """`request.auth` of an endpoint that checks its caller in the same statement as it reads
    its data (accounts.auth.PendingToken): `resolve()` checks it on its own, returning the
    user or raising AuthenticationError."""

    __slots__ = ()

    @abstractmethod
    def resolve(self) -> Any: ...


class ProblemAwareNinjaAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document gives 4xx/5xx answers as application/problem+json."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation and "400" not in responses and 400 not in responses:
                    # A body that is not JSON at all is refused before validation.
                    responses[400] = {
                        "description": "The body is not valid JSON",
                        "content": {
                            PROBLEM_CONTENT_TYPE: {
                                "schema": {"$ref": "#/components/schemas/ProblemOut"}
                            }
                        },
                    }
                has_input = operation.get("parameters") or "requestBody" in operation
                if has_input and "422" not in responses and 422 not in responses:
                    # Any parameter or body may fail validation (a path id out of range).
                    responses[422] = {
                        "description": "Some of the input is not valid",
                        "content": {
                            PROBLEM_CONTENT_TYPE: {
                                "schema": {"$ref": "#/components/schemas/ProblemOut"}
                            }
                        },
                    }
                for status, response in responses.items():
                    content = response.get("content", {})
                    if str(status)[0] in "45" and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


def install_problem_handlers(api: NinjaAPI) -> None:
    """Make every error the API can raise come out as problem+json."""

    @api.exception_handler(Problem)
    def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        response = problem_from_exception(request, exc)
        retry_after = exc.extra.get("retry_after")
        if exc.status == 429 and retry_after is not None:
            response["Retry-After"] = str(int(retry_after))
        return response

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        # An endpoint that checks its caller with its data (DeferredAuth) has not done so
        # yet: an unknown caller is told 401 first, as by every other endpoint.
        auth = getattr(request, "auth", None)
        if isinstance(auth, DeferredAuth):
            try:
                auth.resolve()
            except AuthenticationError:
                return problem_response(request, status=401, code=ErrorCode.NOT_AUTHENTICATED)
        errors = [{"field": _field_name(e), "message": _field_message(e)} for e in exc.errors]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(
            request, status=422, code=ErrorCode.VALIDATION_FAILED, detail=detail, errors=errors
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(request, status=401, code=ErrorCode.NOT_AUTHENTICATED)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem_response(request, status=exc.status_code, detail=str(exc.message))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(request, status=404)

    @api.exception_handler(RequestDataTooBig)
    def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem_response(
            request,
            status=413,
            code=ErrorCode.PAYLOAD_TOO_LARGE,
            detail=_("The request body is larger than this address accepts."),
        )

    @api.exception_handler(TooManyFieldsSent)
    @api.exception_handler(TooManyFilesSent)
    @api.exception_handler(MultiPartParserError)
    def _unreadable_form(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A multipart body without its boundary, or with too many parts.
        return problem_response(
            request,
            status=400,
            code=ErrorCode.BAD_REQUEST,
            detail=_("The request body could not be read: send JSON (or a complete form)."),
        )

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        return problem_response(request, status=500, code=ErrorCode.SERVER_ERROR)


class ProblemField(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str | None = None
    instance: str | None = None
    errors: list[ProblemField] | None = None


class Out(BaseModel):
    """The schema of an answer built as a dict (or dataclass) by its view: validated by
    pydantic alone, without ninja Schema's per-object getter, which cost 10 to 40 times as much
    on the hot answers (docs/benchmarks.md). Values must already be plain: `str()` lazy texts."""

    model_config = ConfigDict(from_attributes=True)


class Page(Schema, Generic[T]):
    """A page of a list: `count` is the total, `next`/`previous` are ready-made links."""

    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    results: list[T]


class PageParams(Schema):
    limit: int = Field(20, ge=1, le=100, description="Items per page (1 to 100).")
    offset: int = Field(0, ge=0, le=100_000, description="Items to skip (0 to 100000).")


def page_links(request: HttpRequest, *, count: int, limit: int, offset: int) -> dict[str, Any]:
    """Return the `next` and `previous` links for a limit/offset page."""

    def link(new_offset: int) -> str:
        query = request.GET.copy()
        query["limit"] = str(limit)
        query["offset"] = str(new_offset)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
    }


# The API the routers are mounted on, handed to core by the project (exitentry/api.py calls
# register_api): the bottom layer does not import the top.
_MOUNTED: list[NinjaAPI] = []

# Every answer is written by orjson (a C library): the standard library's encoder took 7% of a
# request of My crossings, most of it calling back into Python for each date and time
# (callgrind; docs/benchmarks.md "JSON"). What orjson does not write itself (lazy texts,
# decimals, durations, pydantic models...) goes to ninja's own encoder, as before. The text
# differs from json.dumps only in form: no spaces between items, characters as UTF-8 rather
# than \u escapes, and times with their microseconds (RFC 3339) where Django's encoder cut them
# to milliseconds; UTC is still written "Z".
_FALLBACK = NinjaJSONEncoder()
_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def encode_json(data: Any) -> bytes:
    """`data` as the API writes it (UTF-8 JSON)."""
    return orjson.dumps(data, default=_FALLBACK.default, option=_OPTIONS)


def ENCODE(data: Any) -> str:
    """encode_json's text."""
    return encode_json(data).decode()


class ApiRenderer(BaseRenderer):
    """ninja's renderer for every answer of the API: encode_json."""

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return encode_json(data)


def register_api(api: NinjaAPI) -> None:
    """Make `api` the one prevalidated_response and renders_plain_json use."""
    _MOUNTED[:] = [api]


def mounted_api() -> NinjaAPI:
    if not _MOUNTED:
        raise RuntimeError("no API registered: exitentry.api calls core.api.register_api")
    return _MOUNTED[0]


def renders_plain_json() -> bool:
    """Whether the API renders with ApiRenderer, unchanged: then text made with ENCODE is what
    ninja would have written."""
    return type(mounted_api().renderer) is ApiRenderer


def prevalidated_response(
    request: HttpRequest, data: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render `data` exactly as ninja would after validating it against the response schema,
    without the validation pass.

    Only for the hall list, whose views build their output already in the schema's shape, field
    order and types (docs/benchmarks.md: the validation pass took 40% of its time); the test
    suite validates every answer against the OpenAPI document (tests/openapi_answers.py).
    """
    return mounted_api().create_response(request, data, status=status)
