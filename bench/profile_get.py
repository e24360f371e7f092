"""In-process profile of a signed-in GET of the API ("My applications", "My crossings"...):
requests through the whole Django stack (middleware, the bearer token, the view, the answer) on
the PostgreSQL database in DATABASE_URL, filled by one of the benches' data generators (never
production's).

python bench/profile_get.py PATH TOKENS [--requests 2000] [--warmup 200] [--profile 0|1]
                               [--sort tottime|cumulative] [--filter REGEX] [--dump FILE]
                               [--callgrind 0|1]
    PATH    the API path, e.g. /api/v1/me/crossings
    TOKENS  a file of bearer keys, one a line (a bench run folder's document_tokens.txt or
            application_tokens.txt); a random one per request, one request in four in English.
            For PATH /api/v1/progress/lookup: the run folder's lookup_pairs.txt ("number
            id-number" a line), each request a POST of a random pair without a token, as
            bench/lookup.lua sends it
    Per request: wall time, the process's CPU (Python), the PostgreSQL backend's CPU (from
    /proc, same machine), statements and their time (connection.execute_wrapper). With
    --profile 1, cProfile with a CPU clock over the measured requests (top 40 by own time,
    or --sort cumulative; --filter REGEX keeps the matching functions; --dump FILE saves the
    profile for pstats). With --callgrind 1 and run under
    `valgrind --tool=callgrind --instr-atstart=no`, only the measured requests' instructions
    are counted (repeatable, whatever the machine's speed).
    Run it with the production settings (EXITENTRY_ENV=production, SECRET_KEY, REDIS_URL...)
    as bench/lib.sh's bench_production_env sets them.
"""

import cProfile
import json
import os
import pstats
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")


def _backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a PostgreSQL backend on this machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import RequestFactory

    path, tokens_file = argv[0], Path(argv[1])
    args = dict(zip(argv[2::2], argv[3::2], strict=False))
    requests, warmup = int(args.get("--requests", 2000)), int(args.get("--warmup", 200))
    keys = [line for line in tokens_file.read_text().splitlines() if line]
    rng = random.Random(20261206)
    # The WSGI application as gunicorn calls it (the test client would add its own signals).
    application, factory = WSGIHandler(), RequestFactory()

    def start_response(status: str, headers, exc_info=None) -> None:
        if not status.startswith("200"):
            raise SystemExit(f"{path} answered {status}")

    lookup = path.rstrip("/").endswith("/progress/lookup")

    def get() -> None:
        language = "en" if rng.random() < 0.25 else "zh-CN,zh;q=0.9"
        if lookup:
            number, id_number = rng.choice(keys).split()
            body = json.dumps({"application_number": number, "id_number": id_number})
            environ = factory.post(
                path,
                data=body,
                content_type="application/json",
                headers={
                    "X-Forwarded-Proto": "https",
                    "Accept": "application/json",
                    "Accept-Language": language,
                },
            ).environ
            answer = application(environ, start_response)
            b"".join(answer)
            answer.close()
            return
        environ = factory.get(
            path,
            headers={
                "X-Forwarded-Proto": "https",
                "Accept": "application/json",
                "Authorization": f"Bearer {rng.choice(keys)}",
                "Accept-Language": language,
            },
        ).environ
        body = application(environ, start_response)
        b"".join(body)
        body.close()

    for _ in range(warmup):
        get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()

    statements = {"count": 0, "seconds": 0.0}

    def counting(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements["count"] += 1
            statements["seconds"] += time.perf_counter() - started

    profiler = cProfile.Profile(time.process_time) if args.get("--profile") == "1" else None
    wall, cpu, pg = time.perf_counter(), time.process_time(), _backend_cpu(backend)
    # --callgrind 1, under `valgrind --tool=callgrind --instr-atstart=no`: instructions counted
    # for the measured requests only (not Django's start nor the warm-up), which the machine's
    # speed does not change.
    callgrind = args.get("--callgrind") == "1"
    with connection.execute_wrapper(counting):
        if callgrind:
            subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True)
        if profiler:
            profiler.enable()
        for _ in range(requests):
            get()
        if profiler:
            profiler.disable()
        if callgrind:
            subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], check=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    pg = _backend_cpu(backend) - pg
    print(
        json.dumps(
            {
                "path": path,
                "requests": requests,
                "per_request_ms": {
                    "wall": round(wall * 1000 / requests, 3),
                    "python_cpu": round(cpu * 1000 / requests, 3),
                    "postgres_cpu": round(pg * 1000 / requests, 3),
                    "statements_wall": round(statements["seconds"] * 1000 / requests, 3),
                },
                "statements_per_request": round(statements["count"] / requests, 2),
                "profiled": profiler is not None,
            }
        )
    )
    if profiler:
        if "--dump" in args:  # for pstats or snakeviz later
            profiler.dump_stats(args["--dump"])
        stats = pstats.Stats(profiler).sort_stats(args.get("--sort", "tottime"))
        # --filter REGEX: only the functions whose file and name match (e.g. middleware)
        stats.print_stats(*([args["--filter"]] if "--filter" in args else []), 40)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
