"""Event histories are append-only in the database itself (core.appendonly): UPDATE refused
everywhere, DELETE refused on PostgreSQL and on any SQLite database that is not a test one,
TRUNCATE refused on PostgreSQL outside a test database."""

import sqlite3

import pytest
from django.db import DatabaseError, connection, transaction

from appointments.models import AppointmentEvent
from appointments.tests.factories import AppointmentFactory
from core import appendonly
from documents.models import DocumentEvent
from documents.tests.factories import DocumentEventFactory

pytestmark = pytest.mark.django_db
TABLES = [
    "applications_applicationevent",
    "appointments_appointmentevent",
    "documents_documentevent",
]


def _event_rows():
    appointment = AppointmentFactory()
    AppointmentEvent.objects.create(appointment=appointment, kind="booked", to_status="booked")
    DocumentEventFactory()
    return {
        "appointments_appointmentevent": AppointmentEvent.objects.get().pk,
        "documents_documentevent": DocumentEvent.objects.get().pk,
    }


@pytest.mark.parametrize("table", TABLES[1:])
def test_the_database_refuses_to_change_an_event(table):
    # given an event
    pk = _event_rows()[table]
    # when anyone updates it, even in raw SQL
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET note = 'rewritten' WHERE id = %s", [pk])
    # then it is as it was


@pytest.mark.parametrize("table", TABLES[1:])
def test_delete_is_refused_on_postgresql_and_left_to_the_test_flush_on_sqlite(table):
    pk = _event_rows()[table]
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
        expected = 1
    else:  # this test database is .../test.sqlite3: the flush between tests deletes
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
        expected = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [pk])
        assert cursor.fetchone()[0] == expected


@pytest.mark.parametrize("table", TABLES)
def test_every_event_table_has_its_triggers(table):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
            wanted = {f"{table}_no_update", f"{table}_no_delete"}
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
            wanted = {f"{table}_append_only", f"{table}_no_truncate"}
        assert wanted <= {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("name, refused", [("exitentry.sqlite3", True), ("test.sqlite3", False)])
def test_sqlite_refuses_delete_except_in_a_test_database(tmp_path, name, refused):
    # given a SQLite database file with an event table made append-only as the migrations do
    db = sqlite3.connect(tmp_path / name)
    db.execute("CREATE TABLE events (id integer PRIMARY KEY, note text)")
    db.execute("INSERT INTO events (note) VALUES ('accepted')")
    for sql in appendonly._sqlite("events"):
        db.execute(sql)
    # then UPDATE is always refused
    with pytest.raises(sqlite3.DatabaseError):
        db.execute("UPDATE events SET note = 'changed'")
    # and DELETE only outside a test database (Django's test flush deletes on SQLite)
    if refused:
        with pytest.raises(sqlite3.DatabaseError):
            db.execute("DELETE FROM events")
    else:
        db.execute("DELETE FROM events")
    remaining = db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert remaining == (1 if refused else 0)
    db.close()
