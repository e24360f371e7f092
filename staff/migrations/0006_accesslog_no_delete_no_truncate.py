"""The access log refuses UPDATE, DELETE and TRUNCATE in the database, on both databases.

PostgreSQL: the row trigger of 0003 (UPDATE, DELETE) and a statement trigger BEFORE TRUNCATE;
SQLite: BEFORE UPDATE (0003) and now BEFORE DELETE. The one exception is emptying the table
inside core.appendonly.purge_allowed() (the test suite's flush): PostgreSQL's setting
`exitentry.allow_purge`, SQLite's function `exitentry_purge_allowed()`.
"""

from django.db import migrations

TABLE = "staff_accesslog"

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE')
           AND current_setting('exitentry.allow_purge', true) = 'on' THEN
            RETURN OLD;  -- NULL for TRUNCATE (a statement trigger), where it is ignored
        END IF;
        RAISE EXCEPTION 'The access log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
    f"""
    CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only();
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'The access log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
]
SQLITE_CREATE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
    f"""
    CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    WHEN exitentry_purge_allowed() = 0
    BEGIN
        SELECT RAISE(ABORT, 'The access log is append-only: DELETE refused');
    END;
    """,
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;"]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0005_accesslog_back_office_list"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
