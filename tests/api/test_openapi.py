"""The published OpenAPI document: strict JSON (no duplicated keys) and valid OpenAPI 3.1."""

import json

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict:
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise ValueError(f"duplicated keys {duplicated} in one object")
    return dict(pairs)


@pytest.fixture
def openapi_text(client) -> str:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.content.decode()


def test_the_openapi_document_has_no_duplicated_keys(openapi_text):
    # given the document the server publishes
    # when it is parsed as strictly as a YAML parser (Swagger UI's) reads it
    document = json.loads(openapi_text, object_pairs_hook=_refuse_duplicates)
    # then it parses, and the calendar file is one answer with its own media type
    answers = document["paths"]["/api/v1/me/appointments/{appointment_number}.ics"]["get"]
    assert "text/calendar" in answers["responses"]["200"]["content"]


def test_the_openapi_document_is_valid_openapi_3_1(openapi_text):
    # given the document the server publishes
    document = json.loads(openapi_text)
    # when it is checked against the OpenAPI 3.1 schema
    # then it is valid
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_duplicate_check_itself_rejects_a_duplicated_key():
    # given a JSON text with a key twice, as the .ics answer once had
    text = '{"responses": {"200": {"a": 1}, "200": {"b": 2}}}'
    # when it is parsed with the same hook
    # then it is refused
    with pytest.raises(ValueError, match="duplicated keys"):
        json.loads(text, object_pairs_hook=_refuse_duplicates)


def _models_in(annotation, seen: set) -> None:
    """Every pydantic model an annotation reaches (lists, unions, fields of fields)."""
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, seen)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, seen)


def test_no_two_schemas_of_the_api_share_a_name():
    # given every model the API's operations answer with or take
    from exitentry.api import api

    seen: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    _models_in(model, seen)
                for model in operation.models:
                    _models_in(model, seen)
    # when they are grouped by the name the OpenAPI document gives them
    by_name: dict[str, list[str]] = {}
    for model in seen:
        if model.__module__ == "abc":
            continue  # ninja's own wrappers of an operation's parameters and answers
        by_name.setdefault(model.__name__, []).append(f"{model.__module__}.{model.__qualname__}")
    # then no name stands for two models (the document would keep one and describe the other
    # answers wrongly)
    shared = {name: where for name, where in by_name.items() if len(where) > 1}
    assert not shared, shared
