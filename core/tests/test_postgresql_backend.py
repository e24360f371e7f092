"""core.postgresql: the connection health check sends no `SELECT 1` while the connection is
quiet, and still finds a connection the server has ended (a restart, a terminated backend);
`timestamptz` values come out exactly as Django's own loader gives them."""

import datetime as dt
import select
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from core.postgresql.base import DatabaseWrapper, UTCTimestamptzLoader

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


# Values PostgreSQL prints in different shapes: fractions of every length, none, the first and
# last instants Python can hold, and one given in another offset.
TIMESTAMPS = [
    "2026-12-07 02:30:00+00",
    "2026-12-07 02:30:00.5+00",
    "2026-12-07 10:30:00.123456+08",
    "2016-02-29 23:59:59.999999+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "1969-12-31 23:59:59.000001-05:30",
]
_SELECT_ALL = "SELECT " + ", ".join(f"'{value}'::timestamptz" for value in TIMESTAMPS)


def _timestamptz_loader(cursor):
    """The loader a Django cursor reads `timestamptz` text with."""
    return cursor.cursor.adapters.get_loader(django_postgresql.TIMESTAMPTZ_OID, Format.TEXT)


def _read(raw, sql):
    """Rows of `sql` on a raw psycopg connection, or the exception's type."""
    try:
        return raw.execute(sql).fetchall()
    except (psycopg.Error, NotImplementedError) as error:
        return type(error)


def test_timestamps_come_out_as_djangos_loader_gives_them():
    if not ON_POSTGRESQL:
        return  # SQLite: Django's own converters
    # given a connection of this backend (USE_TZ, the database in UTC)
    other, _pid = _own_connection()
    try:
        raw = other.connection
        with other.cursor() as cursor:
            loader = _timestamptz_loader(cursor)
        # then its cursors read timestamptz with this loader (Django did not put its own back)
        assert loader is UTCTimestamptzLoader
        # when the same values, and values psycopg refuses, are read with it and with Django's
        ours = [_read(raw, _SELECT_ALL)]
        ours += [_read(raw, f"SELECT '{v}'::timestamptz") for v in ("infinity", "2000-01-01 BC")]
        register_tzloader(other.timezone, raw)
        theirs = [_read(raw, _SELECT_ALL)]
        theirs += [_read(raw, f"SELECT '{v}'::timestamptz") for v in ("infinity", "2000-01-01 BC")]
        # then the answers are the same, aware and in UTC, and the refusals the same errors
        assert ours == theirs
        assert all(value.tzinfo is dt.UTC for value in ours[0][0])
        assert ours[0][0][2] == dt.datetime(2026, 12, 7, 2, 30, 0, 123456, tzinfo=dt.UTC)
        assert ours[1] is theirs[1] and isinstance(ours[1], type)
    finally:
        other.close()


def test_another_date_style_is_read_as_djangos_loader_reads_it():
    if not ON_POSTGRESQL:
        return
    # given sessions that print timestamps in other styles than the one the fast path reads
    other, _pid = _own_connection()
    try:
        raw = other.connection
        for style in ("ISO, DMY", "SQL, DMY", "Postgres, MDY"):
            raw.execute(f"SET DateStyle = '{style}'")
            # when a timestamp is read with this backend's loader and with Django's
            ours = _read(raw, "SELECT '2026-03-04 05:06:07.5+00'::timestamptz")
            register_tzloader(other.timezone, raw)
            theirs = _read(raw, "SELECT '2026-03-04 05:06:07.5+00'::timestamptz")
            raw.adapters.register_loader("timestamptz", UTCTimestamptzLoader)
            # then both give the same value, or the same refusal (psycopg reads only ISO)
            assert ours == theirs, style
        assert ours is NotImplementedError
    finally:
        other.close()


def test_a_database_in_another_time_zone_keeps_djangos_loader():
    if not ON_POSTGRESQL:
        return
    # given the database configured in another time zone than UTC
    other = DatabaseWrapper({**connection.settings_dict, "TIME_ZONE": "Asia/Shanghai"}, "other")
    try:
        with other.cursor() as cursor:
            loader = _timestamptz_loader(cursor)
            cursor.execute("SELECT '2026-12-07 02:30:00+00'::timestamptz")
            value = cursor.fetchone()[0]
        # then Django's loader stays, and gives the time in that zone
        assert loader is not UTCTimestamptzLoader
        assert value.utcoffset() == dt.timedelta(hours=8)
        assert value == dt.datetime(2026, 12, 7, 2, 30, tzinfo=dt.UTC)
    finally:
        other.close()
