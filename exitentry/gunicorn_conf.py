"""Gunicorn settings for production (scripts/serve_prod.sh), read from the environment.

    WEB_CONCURRENCY   worker processes (default 2: one per core on the reference machine)
    BIND              address to listen on, e.g. 127.0.0.1:8000 or unix:/run/exitentry.sock;
                      default 0.0.0.0:$PORT (PORT default 8000)
    GUNICORN_WORKER_CLASS, GUNICORN_THREADS, GUNICORN_KEEPALIVE, GUNICORN_TIMEOUT,
    GUNICORN_REUSE_PORT, GUNICORN_GC_FREEZE, GUNICORN_LOG_LEVEL
                      see below; the defaults are the measured best (docs/benchmarks.md)
    FORWARDED_ALLOW_IPS
                      read by gunicorn itself: proxies trusted for X-Forwarded-* (default local)

Requests are logged by the application (core.middleware.RequestLogMiddleware, one JSON line with
the request id), so gunicorn's access log is off; its error log goes to stderr.
"""

import gc
import logging
import os

bind = [os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# One listening socket per worker (SO_REUSEPORT), so the kernel spreads new connections evenly.
# With one shared socket, whichever worker wakes first takes a burst of new connections, and
# keep-alive connections stay where they landed: in the benchmark 64 connections split anywhere
# from 32/32 to 64/0, and at 64/0 one worker did all the work at half the throughput. TCP only:
# a unix socket path cannot be shared that way.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "1") == "1" and not any(
    address.startswith(("unix:", "fd://")) for address in bind
)

# gthread, 2 threads per worker, chosen by measurement on 2 cores (docs/benchmarks.md, runs with
# nothing else on the machine; near / filtered, requests/s at saturation and p50 at ~1,000/s):
#   gthread 1 thread   1,514-1,521 / 1,842-1,909 req/s   p50 2.1 / 1.5 ms
#   gthread 2 threads  1,652-1,682 / 1,967-2,034 req/s   p50 2.8-3.2 / 1.9-2.5 ms
#   gthread 4 threads  1,632       / 1,996       req/s   p50 3.1 / 2.1 ms
#   sync               1,635-1,644 / 1,915-1,929 req/s   p50 44 / 42 ms
# A second thread overlaps one request's socket I/O with another's Python (+8% throughput) and
# keeps a worker serving while a request waits on PostgreSQL or Redis; more threads only add
# GIL hand-offs. `sync` has no keep-alive and waits on one connection at a time: with clients
# that keep connections open between requests (wrk here) the others queue behind it.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Idle keep-alive connections are kept this long (nginx's upstream keepalive_timeout should be
# shorter, so that nginx, not gunicorn, closes them).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "30"))
worker_connections = 1000

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
backlog = 2048

accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = False

# No control socket: nothing uses it, and two servers on one machine would share its path.
control_socket_disable = True

# Load Django once in the master so workers fork with it already imported (faster start, less
# memory). Database connections are opened lazily in each worker, never in the master.
preload_app = True


def post_worker_init(worker) -> None:
    """Build the hall directory before the first request instead of during it, then take what
    is loaded by now out of the garbage collector's sight."""
    try:
        from guide.directory import get_directory

        get_directory()
    except Exception:  # the first request will try again; the worker must start regardless
        logging.getLogger("exitentry").warning("Hall directory not built at start", exc_info=True)
    finally:
        from django.db import connections

        # Requests open their own connection (per thread); keep none from the start.
        connections.close_all()
    if os.environ.get("GUNICORN_GC_FREEZE", "1") == "1":
        # Django, the libraries and the directory are ~300,000 objects that live as long as the
        # worker. A full collection walks them all: 35-60 ms with this worker stalled, every few
        # thousand requests, which set the p99 and max latency. Frozen, they are never walked.
        gc.collect()
        gc.freeze()
