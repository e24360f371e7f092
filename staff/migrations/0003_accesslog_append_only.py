"""Make the access log append-only in the database itself.

PostgreSQL: a BEFORE UPDATE OR DELETE row trigger raises. TRUNCATE (used by `flush` and by
Django's transactional test teardown) fires no row trigger, so tests can still empty the table.

SQLite: a BEFORE UPDATE trigger only. Django's flush on SQLite uses DELETE, so a DELETE trigger
would break test teardown; the model, its querysets and the admin refuse deletions there.

Caution for later migrations: SQLite rebuilds a table for most ALTERs (new table, copy, drop,
rename) and the trigger goes with the old table. A migration that alters staff_accesslog must
run `create_triggers` again afterwards (staff/tests/test_models.py checks the trigger works).
"""

from django.db import migrations

TABLE = "staff_accesslog"

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'The access log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"""
    CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only();",
]
SQLITE_CREATE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
    f"""
    CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'The access log is append-only: UPDATE refused');
    END;
    """,
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update;"]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        # params=None: the SQL goes to the database as it is ('%' is not a placeholder).
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_accesslog_actions"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
