"""The application's PostgreSQL role (scripts/postgres_roles.sql) owns nothing and cannot
change, delete or empty the append-only tables. On SQLite, the triggers are the guard."""

import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from .factories import AccessLogFactory

pytestmark = pytest.mark.django_db
SQL = Path(__file__).resolve().parents[2] / "scripts" / "postgres_roles.sql"
APPEND_ONLY = ["staff_accesslog", "accounts_loginevent", "documents_documentevent"]


def _apply_roles(cursor, owner: str, app: str) -> None:
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events before ALTERs
    cursor.execute(
        "SELECT set_config('exitentry.owner', %s, false), set_config('exitentry.app', %s, false),"
        " set_config('exitentry.append_only', 'staff_accesslog', false),"
        " set_config('exitentry.pattern', '(event|events)$', false)",
        [owner, app],
    )
    cursor.execute(SQL.read_text())


def _refused_as(cursor, role: str, statement: str) -> bool:
    try:
        with transaction.atomic():
            cursor.execute(f'SET LOCAL ROLE "{role}"')
            cursor.execute(statement)
            # A released savepoint keeps SET LOCAL: back to the test's own role.
            cursor.execute("RESET ROLE")
    except DatabaseError:
        return True
    return False


def test_the_application_role_cannot_change_the_append_only_tables():
    entry = AccessLogFactory()
    if connection.vendor != "postgresql":
        # SQLite has no roles: the triggers refuse (staff/tests/test_models.py); the script
        # still names the access log and the event tables.
        text = SQL.read_text()
        assert "exitentry.append_only" in text and "GRANT SELECT, INSERT ON" in text
        return
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"test_owner_{suffix}", f"test_app_{suffix}"
    with connection.cursor() as cursor:
        try:
            _apply_roles(cursor, owner, app)
            # then the application can read and add, but not change, delete or empty
            for table in APPEND_ONLY:
                assert _refused_as(cursor, app, f"UPDATE {table} SET id = id")
                assert _refused_as(cursor, app, f"DELETE FROM {table}")
                assert _refused_as(cursor, app, f"TRUNCATE {table} CASCADE")
                assert not _refused_as(cursor, app, f"SELECT count(*) FROM {table}")
            assert _refused_as(
                cursor, app, "DROP TRIGGER staff_accesslog_append_only ON staff_accesslog"
            )
            assert _refused_as(cursor, app, "CREATE TABLE intruder (id int)")
            # and an ordinary table stays writable
            assert not _refused_as(cursor, app, "DELETE FROM guide_hallexception")
        finally:
            cursor.execute(f'REASSIGN OWNED BY "{owner}" TO CURRENT_USER')
            for role in (owner, app):
                cursor.execute(f'DROP OWNED BY "{role}"')
                cursor.execute(f'DROP ROLE "{role}"')
    assert entry.pk
