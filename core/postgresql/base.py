"""Django's PostgreSQL backend, with a cheaper connection health check and a faster reading of
`timestamptz` values.

With `CONN_HEALTH_CHECKS`, Django checks a persistent connection before a request reuses it by
sending `SELECT 1`: one more round trip on every request, ~6% of a short API read
(docs/benchmarks.md). Here the check first asks the kernel whether the idle connection's socket
has anything to read. Between requests PostgreSQL sends nothing on an idle connection unless it
ends it: a restart, `pg_terminate_backend`, an idle-session timeout or a crashed backend all
leave a message or the end of the stream to read. So a quiet socket is a usable connection and
needs no round trip; anything to read, and the usual `SELECT 1` decides (it reads what came, a
harmless notice included, or fails and Django opens a new connection).

Every `timestamptz` value read comes through one loader. Django registers its own on each
connection (psycopg's pure-Python ISO parser, then the time zone set on the result), which took
~12% of the Python time of an API read that returns a page of timestamps (docs/benchmarks.md,
"Crossings"). With `USE_TZ` and the connection in UTC (Django's default, which also sets the
session's `TimeZone` to UTC), values come as `2024-05-01 08:30:00.123456+00`, which the standard
library's C `datetime.fromisoformat` reads at once, with the UTC time zone Django would set.
Anything it does not read (years before 1 or after 9999, `infinity`, another `DateStyle`) goes
to psycopg's own parser and Django's rule, so every value comes out as Django's loader gives it.

Subclassing the built-in backend is Django's documented way to change one behaviour
("Subclassing the built-in database backends" in Django's database notes).
"""

import datetime as dt
import select
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg.abc import Buffer
from psycopg.pq import TransactionStatus
from psycopg.types.datetime import TimestamptzLoader

IDLE = TransactionStatus.IDLE


class UTCTimestamptzLoader(TimestamptzLoader):
    """`timestamptz` text to an aware datetime in UTC, for a session whose TimeZone is UTC."""

    # What Django's loader carries: Django compares it with the connection's time zone before
    # each cursor and registers its own loader again only when they differ.
    timezone = dt.UTC

    def load(self, data: Buffer) -> dt.datetime:
        try:
            value = dt.datetime.fromisoformat(str(data, "ascii"))
        except ValueError:
            # As Django's loader: psycopg's parser, then the connection's time zone.
            return super().load(data).replace(tzinfo=self.timezone)
        if value.tzinfo is not dt.UTC:
            value = value.replace(tzinfo=self.timezone)
        return value


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        # Only where Django's own loader would give UTC: USE_TZ and no other TIME_ZONE for the
        # database (the session's TimeZone is then set to UTC before the first query).
        if settings.USE_TZ and self.timezone is dt.UTC:
            connection.adapters.register_loader("timestamptz", UTCTimestamptzLoader)
        return connection

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        # Only an idle connection (no transaction open or failed) is judged by its socket.
        if hasattr(select, "poll") and connection.info.transaction_status == IDLE:
            try:
                poller = select.poll()
                poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
                if not poller.poll(0):
                    return True  # nothing arrived since the last statement: still open
            except (OSError, ValueError):
                return False
        return super().is_usable()
