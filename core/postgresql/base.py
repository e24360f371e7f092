"""Django's PostgreSQL backend, with a cheaper connection health check.

With `CONN_HEALTH_CHECKS`, Django checks a persistent connection before a request reuses it by
sending `SELECT 1`: one more round trip on every request, ~6% of a short API read
(docs/benchmarks.md). Here the check first asks the kernel whether the idle connection's socket
has anything to read. Between requests PostgreSQL sends nothing on an idle connection unless it
ends it: a restart, `pg_terminate_backend`, an idle-session timeout or a crashed backend all
leave a message or the end of the stream to read. So a quiet socket is a usable connection and
needs no round trip; anything to read, and the usual `SELECT 1` decides (it reads what came, a
harmless notice included, or fails and Django opens a new connection).

Subclassing the built-in backend is Django's documented way to change one behaviour
("Subclassing the built-in database backends" in Django's database notes).
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

IDLE = TransactionStatus.IDLE


class DatabaseWrapper(base.DatabaseWrapper):
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
