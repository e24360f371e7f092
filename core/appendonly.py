"""Append-only tables in the database: the triggers' one exception, emptying the whole table.

Tables such as the access log refuse UPDATE, DELETE and TRUNCATE in the database itself. The
only one who may empty such a table is the test suite's `flush` between transactional tests
(and an operator resetting a development database): inside `purge_allowed()`, this connection
may. On PostgreSQL the triggers read the setting `exitentry.allow_purge`; on SQLite they call
the function `exitentry_purge_allowed()`, which this module registers on each connection of the
application (any other SQLite client lacks it, so its DELETE fails too).

In production the PostgreSQL role of the application owns none of these tables and has no
UPDATE, DELETE or TRUNCATE privilege on them (scripts/postgres_roles.sh), so it could neither
set the exception to any use nor drop the triggers.
"""

import contextlib
import contextvars

from django.db import connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver

_allowed = contextvars.ContextVar("exitentry_purge_allowed", default=False)


@receiver(connection_created)
def _register_sqlite_function(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "exitentry_purge_allowed", 0, lambda: 1 if _allowed.get() else 0, deterministic=False
        )


@contextlib.contextmanager
def purge_allowed(using: str = "default"):
    """Let this connection empty append-only tables (test flush, development resets only)."""
    token = _allowed.set(True)
    connection = connections[using]
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('exitentry.allow_purge', 'on', false)")
        yield
    finally:
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('exitentry.allow_purge', 'off', false)")
        _allowed.reset(token)
