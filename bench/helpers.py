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
python bench/helpers.py pg-settings URL     print the server's version and memory settings as
                                             JSON; warn (stderr) below 1 GB of shared_buffers
python bench/helpers.py ceiling-warm         read the ceiling's database (../shared/ceiling:
                                             CEILING_DB, CEILING_PGHOST, CEILING_PGUSER as its
                                             run.sh takes them) into PostgreSQL's buffers, if it
                                             exists: after a bench's larger databases its /db
                                             otherwise reads from the disk and measures half
                                             its rate (docs/benchmarks.md, stop 18)
python bench/helpers.py cpu-during OUT -- CMD...
                                             run CMD (its output passes through) and write to
                                             the JSON file OUT the cores each program used
                                             meanwhile: postgres, gunicorn, wrk, other; and the
                                             machine's busy and iowait cores
"""

import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
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


def pg_settings(url: str) -> dict:
    conn, _name = _admin(url)
    with conn:
        rows = conn.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)",
            [["server_version", "shared_buffers", "effective_cache_size", "max_connections"]],
        ).fetchall()
    settings = {name: f"{value}{' x ' + unit if unit else ''}" for name, value, unit in rows}
    pages = next(int(value) for name, value, _unit in rows if name == "shared_buffers")
    settings["shared_buffers_mb"] = pages * 8 // 1024
    if settings["shared_buffers_mb"] < 1024:
        print(
            f"warning: shared_buffers is {settings['shared_buffers_mb']} MB: large databases"
            " will be read from the disk (scripts/postgres_settings.sh)",
            file=sys.stderr,
        )
    return settings


def ceiling_warm() -> str:
    """pg_prewarm of the ceiling's table and index for /db; what happened, for the log."""
    name = os.environ.get("CEILING_DB", "ceiling")
    host = os.environ.get("CEILING_PGHOST", "127.0.0.1")
    user = os.environ.get("CEILING_PGUSER", "postgres")
    try:
        conn = psycopg.connect(host=host, user=user, dbname=name, autocommit=True)
    except psycopg.OperationalError:
        return f"ceiling-warm: no database {name} yet (its run.sh makes it)"
    with conn:
        if conn.execute("SELECT to_regclass('crossing_person_time')").fetchone()[0] is None:
            return f"ceiling-warm: {name} has no table yet (its run.sh makes it)"
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        blocks = conn.execute(
            "SELECT pg_prewarm('crossing') + pg_prewarm('crossing_person_time')"
        ).fetchone()[0]
    return f"ceiling-warm: {blocks} blocks of {name} read into shared buffers"


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
    return machine_cpu()[0]


def machine_cpu() -> tuple[float, float]:
    """(busy, iowait) CPU seconds of the whole machine so far (/proc/stat, all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle, iowait = fields[3], fields[4]
    busy = sum(fields[:8]) - idle - iowait
    return busy / tick, iowait / tick


PROGRAMS = ("postgres", "gunicorn", "wrk", "other")


def cpu_by_process() -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each of the machine's processes, with its program: "postgres"
    (backends, WAL writer, checkpointer...), "gunicorn" (the server), "wrk", "other" (a load
    generator in Python and whatever else runs)."""
    tick = os.sysconf("SC_CLK_TCK")
    processes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name.startswith("postgres"):
            program = "postgres"
        elif b"gunicorn" in cmdline:
            program = "gunicorn"
        elif name == "wrk":
            program = "wrk"
        else:
            program = "other"
        processes[int(stat.parent.name)] = (program, seconds)
    return processes


def cores_between(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], elapsed: float
) -> dict[str, float]:
    """Cores each program used between two cpu_by_process() snapshots `elapsed` seconds apart.
    A process alive at the end counts from the first snapshot (or from its start); one that
    ended meanwhile (a database connection closed, e.g. one that failed) is left out, so a figure
    is at worst a little low, never negative."""
    cores = dict.fromkeys(PROGRAMS, 0.0)
    for pid, (program, seconds) in after.items():
        earlier = before.get(pid)
        start = earlier[1] if earlier and earlier[0] == program else 0.0
        cores[program] += (seconds - start) / elapsed
    return cores


def cpu_during(out: str, command: list[str]) -> int:
    """Run `command`; write the cores each program and the machine used meanwhile to `out`."""
    started, (busy, iowait), processes = time.perf_counter(), machine_cpu(), cpu_by_process()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = subprocess.call(command)
    elapsed = time.perf_counter() - started
    (busy_after, iowait_after), processes_after = machine_cpu(), cpu_by_process()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The command has ended: its CPU is its rusage, not a /proc entry (gone by now).
    command_cpu = (children_after.ru_utime - children.ru_utime) + (
        children_after.ru_stime - children.ru_stime
    )
    cores = cores_between(processes, processes_after, elapsed)
    name = Path(command[0]).name
    key = name if name in cores else "other"
    cores[key] += command_cpu / elapsed
    result = {
        "seconds": round(elapsed, 2),
        "machine_busy_cores": round((busy_after - busy) / elapsed, 2),
        "machine_iowait_cores": round((iowait_after - iowait) / elapsed, 2),
        "cores_by_program": {name: round(value, 2) for name, value in cores.items()},
    }
    Path(out).write_text(json.dumps(result) + "\n")
    return code


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
    elif command == "pg-settings" and len(args) == 1:
        print(json.dumps(pg_settings(args[0])))
    elif command == "free-port" and not args:
        print(free_port())
    elif command == "wait-ready" and len(args) == 2:
        return 0 if wait_ready(args[0], float(args[1])) else 1
    elif command == "cpu" and len(args) == 1:
        print(f"{cpu_seconds(int(args[0])):.2f}")
    elif command == "busy" and not args:
        print(f"{busy_seconds():.2f}")
    elif command == "cpu-during" and len(args) >= 3 and args[1] == "--":
        return cpu_during(args[0], args[2:])
    elif command == "ceiling-warm" and not args:
        print(ceiling_warm())
    elif command == "cpu-loop" and not args:
        print(f"{cpu_loop():.3f}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
