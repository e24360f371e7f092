"""Small helpers for bench/run.sh that would otherwise need psql, curl or ss.

python bench/helpers.py recreate-db URL      drop (if there) and create the database in URL
python bench/helpers.py drop-db URL          drop the database in URL (if there)
python bench/helpers.py free-port            print a free TCP port on 127.0.0.1
python bench/helpers.py wait-ready URL SECS  poll URL until it answers 200 (exit 1 on timeout)
python bench/helpers.py cpu PID              CPU seconds used so far by PID and its children
python bench/helpers.py busy                 CPU seconds used so far by the whole machine
python bench/helpers.py cpu-loop             CPU seconds a fixed pure-Python loop takes now:
                                             this VM's cores run at very different speeds from
                                             hour to hour (0.37-1.21 s seen on 2026-12-02),
                                             which the load average does not show
"""

import os
import socket
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def _admin(url: str) -> tuple[psycopg.Connection, str]:
    """A connection to the server's `postgres` database, and the database name in URL."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing odd database name {name!r}")
    # libpq takes postgres:// and postgresql:// alike; connect to the maintenance database.
    return psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True), name


def recreate_db(url: str) -> None:
    conn, name = _admin(url)
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_db(url: str) -> None:
    conn, name = _admin(url)
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # local URL only
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    return False


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its live descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        todo += children.get(current, [])
    return total


def busy_seconds() -> float:
    """CPU time the machine has spent busy (all CPUs, since boot), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    # guest time is already counted in user time
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_loop() -> float:
    start = time.process_time()
    total = 0
    for i in range(5_000_000):
        total += i * i
    return time.process_time() - start


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    if command == "recreate-db" and len(args) == 1:
        recreate_db(args[0])
    elif command == "drop-db" and len(args) == 1:
        drop_db(args[0])
    elif command == "free-port" and not args:
        print(free_port())
    elif command == "wait-ready" and len(args) == 2:
        return 0 if wait_ready(args[0], float(args[1])) else 1
    elif command == "cpu" and len(args) == 1:
        print(f"{cpu_seconds(int(args[0])):.2f}")
    elif command == "busy" and not args:
        print(f"{busy_seconds():.2f}")
    elif command == "cpu-loop" and not args:
        print(f"{cpu_loop():.3f}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
