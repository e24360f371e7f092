"""Django's PostgreSQL backend with a connection health check that costs no round trip when the
connection is quiet (see base.py)."""
