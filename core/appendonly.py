"""Append-only tables in the database itself: event histories refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL), whatever code runs against them.

- PostgreSQL: a BEFORE UPDATE OR DELETE row trigger raises, always. A BEFORE TRUNCATE
  statement trigger raises too, except in a test database: Django's transactional test teardown
  empties tables with TRUNCATE, and its test databases are named `test_<name>` by the test
  runner. The check reads `current_database()`, which no session can change: there is no flag
  the application could set to get around it.
- SQLite: BEFORE UPDATE raises, always; BEFORE DELETE raises except when the database file is a
  test database (`.../test.sqlite3`, the file this project's tests use, or an in-memory
  database), because Django's flush on SQLite empties tables with DELETE. The file name comes
  from `pragma_database_list`, which the application cannot change for its connection either.

This is more than the access log does (its SQLite table refuses only UPDATE). An operator must
not name a production database `test_...` nor its SQLite file `test.sqlite3`.

Caution for later migrations: SQLite rebuilds a table for most ALTERs (new table, copy, drop,
rename) and the triggers go with the old table. A migration that alters one of these tables
must run `append_only(...)` again afterwards (core/tests/test_appendonly.py checks each table).
"""

from typing import Any

from django.db import migrations


def _postgresql(table: str) -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' AND current_database() LIKE 'test\\_%' THEN
                RETURN NULL;
            END IF;
            RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql;
        """,
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"""
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
        """,
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"""
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();
        """,
    ]


def _postgresql_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"DROP FUNCTION IF EXISTS {table}_append_only();",
    ]


_SQLITE_TEST_DATABASE = (
    "(SELECT file FROM pragma_database_list WHERE name = 'main')"
    " IN ('')"
    " OR (SELECT file FROM pragma_database_list WHERE name = 'main') LIKE '%/test.sqlite3'"
    " OR (SELECT file FROM pragma_database_list WHERE name = 'main') LIKE '%/test.sqlite3_gw%'"
)


def _sqlite(table: str) -> list[str]:
    return [
        *_sqlite_drop(table),
        f"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;
        """,
        f"""
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        WHEN NOT ({_SQLITE_TEST_DATABASE})
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END;
        """,
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update;",
        f"DROP TRIGGER IF EXISTS {table}_no_delete;",
    ]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        # params=None: the SQL goes to the database as it is ('%' is not a placeholder).
        schema_editor.execute(sql, params=None)


def append_only(*tables: str) -> migrations.RunPython:
    """A migration operation that makes `tables` append-only (and undoes it on reverse)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        for table in tables:
            _run(schema_editor, {"postgresql": _postgresql(table), "sqlite": _sqlite(table)})

    def backward(apps: Any, schema_editor: Any) -> None:
        for table in tables:
            _run(
                schema_editor,
                {"postgresql": _postgresql_drop(table), "sqlite": _sqlite_drop(table)},
            )

    return migrations.RunPython(forward, backward)
