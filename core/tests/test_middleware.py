import logging

import pytest

pytestmark = pytest.mark.django_db


def test_every_response_has_a_request_id(client):
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32


def test_a_sane_request_id_from_the_proxy_is_kept(client):
    response = client.get("/healthz", headers={"x-request-id": "abc-123-def-456"})
    assert response["X-Request-ID"] == "abc-123-def-456"


def test_a_strange_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"x-request-id": "<script>"})
    assert response["X-Request-ID"] != "<script>"


def test_the_request_log_has_no_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="exitentry.request"):
        client.get("/api/v1/halls", {"q": "11010519491231002X"})
    lines = [r.getMessage() for r in caplog.records if r.name == "exitentry.request"]
    assert lines and all("11010519491231002X" not in line for line in lines)
    assert "GET /api/v1/halls 200" in lines[-1]


def test_an_id_number_in_the_path_is_masked_in_the_record_itself(client, caplog):
    # given a path that holds an ID number (a mistyped hall code, a scanner's guess)
    with caplog.at_level(logging.INFO, logger="exitentry.request"):
        client.get("/api/v1/halls/11010519491231002X")
    # then the record, not only the printed line, carries it masked
    [record] = [r for r in caplog.records if r.name == "exitentry.request"]
    assert "11010519491231002X" not in record.getMessage()
    assert record.path == "/api/v1/halls/1****************X"


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def test_readiness_reports_a_broken_database(client, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/readyz")
    assert response.status_code == 503


def test_api_errors_from_django_itself_are_problems(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_unhandled_api_errors_are_problems_without_details(client, monkeypatch):
    from guide import selectors

    def explode(**kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(selectors, "hall_search", explode)
    response = client.get("/api/v1/halls")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error"
    assert "secret" not in response.text
