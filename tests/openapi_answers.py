"""Every answer of the API under test checked against the OpenAPI document.

The root conftest wraps django.test.Client.request with `check_answer`: an answer of /api/v1
whose body is JSON must have a status the operation declares (or be a problem, for the error
statuses any operation may answer: 401, 404, 405, 429, 500 ...) and a body that validates
against the schema declared for that status and content type. A mismatch fails the test that
made the request: the document is the contract the apps are written against.
"""

import json
import re
from functools import cache
from typing import Any

from openapi_schema_validator import OAS31Validator

API_PREFIX = "/api/v1/"
JSON_TYPES = ("application/json", "application/problem+json")


@cache
def _document() -> dict[str, Any]:
    from exitentry.api import api

    return api.get_openapi_schema()


@cache
def _operations() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    """(path pattern, {method: operation}) for every path of the document."""
    found = []
    for path, operations in _document()["paths"].items():
        parts = re.split(r"\{[^}/]+\}", path)
        found.append((re.compile("^" + "[^/]+".join(map(re.escape, parts)) + "$"), operations))
    return found


@cache
def _validator(schema_json: str) -> OAS31Validator:
    schema = json.loads(schema_json)
    # References are to #/components/...: give them from the root of this schema.
    return OAS31Validator({"allOf": [schema], "components": _document()["components"]})


def answer_errors(method: str, path: str, status: int, content_type: str, body: bytes) -> list[str]:
    """What is wrong with one answer of the API against the document (empty: nothing)."""
    media = content_type.split(";")[0].strip()
    if media not in JSON_TYPES or (status == 204 and not body):
        return []
    if method.upper() == "HEAD":
        # The headers of the GET, no body (RFC 9110 9.3.2): the GET's answers are checked.
        return [] if not body else [f"HEAD {path} -> {status}: a body was sent"]
    where = f"{method} {path} -> {status}"
    try:
        data = json.loads(body)
    except ValueError:
        return [f"{where}: the body is not JSON"]
    operation = None
    for pattern, operations in _operations():
        if pattern.match(path):
            operation = operations.get(method.lower())
            break
    schema = None
    if operation is None and status < 400:
        return []  # not an operation of the document: openapi.json itself, the docs page
    if operation is not None:
        responses = operation.get("responses", {})
        response = responses.get(str(status)) or responses.get(status)
        if response is not None:
            content = response.get("content") or {}
            if media not in content:
                return [f"{where}: {media} answered, the document declares {sorted(content)}"]
            schema = content[media].get("schema", {})
        elif status < 400:
            return [f"{where}: the document declares no such status"]
    if schema is None:
        # Any operation (or none: an unknown path) may answer an error as a problem.
        if status < 400 or media != "application/problem+json":
            return [f"{where}: {media} where a problem was expected"]
        schema = {"$ref": "#/components/schemas/ProblemOut"}
    validator = _validator(json.dumps(schema, sort_keys=True))
    return [
        f"{where}: {'/'.join(map(str, error.absolute_path)) or 'body'}: {error.message}"
        for error in validator.iter_errors(data)
    ]


def check_answer(request: dict[str, Any], response) -> None:
    """Raise AssertionError when an answer of the API does not match the document."""
    path = request.get("PATH_INFO", "")
    if not path.startswith(API_PREFIX) or getattr(response, "streaming", False):
        return
    errors = answer_errors(
        request.get("REQUEST_METHOD", "GET"),
        path,
        response.status_code,
        response.get("Content-Type", ""),
        response.content,
    )
    if errors:
        raise AssertionError("answer does not match the OpenAPI document:\n" + "\n".join(errors))
