"""core.postgresql: the connection health check sends no `SELECT 1` while the connection is
quiet, and still finds a connection the server has ended (a restart, a terminated backend)."""

import select
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

from core.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


def _last_statement(pid: int) -> str:
    with connection.cursor() as cursor:
        # Within a transaction PostgreSQL keeps one snapshot of the activity view: refresh it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def _own_connection():
    """A second connection to the test database, as a request thread of the server holds."""
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return other, pid


def _wait_until_readable(other) -> None:
    poller = select.poll()
    poller.register(other.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + 10
    while not poller.poll(100):
        assert time.monotonic() < deadline, "the server never ended the connection"


def test_production_uses_this_backend_and_the_embedded_default_keeps_djangos():
    engine = settings.DATABASES["default"]["ENGINE"]
    if ON_POSTGRESQL:
        # then PostgreSQL goes through the backend with the cheaper check, health checks on
        assert engine == "core.postgresql"
        assert isinstance(connections["default"], DatabaseWrapper)
        assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    else:
        # then SQLite keeps Django's backend and opens a connection per request: nothing to check
        assert engine == "django.db.backends.sqlite3"
        assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0


def test_a_quiet_connection_is_usable_without_a_round_trip():
    if not ON_POSTGRESQL:
        assert connection.is_usable()  # SQLite's own check, nothing to save there
        return
    # given a connection whose last statement was read in full
    other, pid = _own_connection()
    try:
        # when the health check runs before the next request
        usable = other.is_usable()
        # then it is usable and PostgreSQL received nothing
        assert usable
        assert _last_statement(pid) == "SELECT pg_backend_pid()"
        # (Django's own check would have sent its SELECT 1: the probe above can tell)
        assert django_postgresql.DatabaseWrapper.is_usable(other)
        assert _last_statement(pid) == "SELECT 1"
    finally:
        other.close()


def test_a_connection_the_server_ended_is_not_usable_and_the_next_request_reconnects():
    if not ON_POSTGRESQL:
        return  # SQLite has no server to end a connection
    # given a persistent connection whose backend the server then ends (as a restart does)
    other, pid = _own_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        _wait_until_readable(other)
        # when the health check runs
        # then the connection is found unusable
        assert not other.is_usable()
        # and a request's first statement (request_started, then a cursor) runs on a new one
        other.close_if_unusable_or_obsolete()
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        other.close()


def test_a_closed_connection_is_not_usable():
    if not ON_POSTGRESQL:
        return  # SQLite: Django's backend, covered by Django's own tests
    # given a connection closed on this side
    other, _pid = _own_connection()
    raw = other.connection
    raw.close()
    # then the check says so without touching the socket
    assert not other.is_usable()
    other.connection = None
    assert not other.is_usable()


def test_a_connection_left_in_a_failed_transaction_gets_the_real_check():
    if not ON_POSTGRESQL:
        return  # SQLite: Django's backend, covered by Django's own tests
    # given a quiet connection whose transaction failed (nothing left to read on its socket)
    other, _pid = _own_connection()
    try:
        raw = other.connection
        raw.execute("BEGIN")
        with pytest.raises(psycopg.errors.DivisionByZero):
            raw.execute("SELECT 1 / 0")
        # when the health check runs
        # then it does not trust the quiet socket: Django's SELECT 1 fails there
        assert not other.is_usable()
    finally:
        other.close()
