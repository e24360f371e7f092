"""In-process profile of the crossings ingestion (issue 12): batches of new events through the
whole Django stack (middleware, signature, the view, the answer) on the PostgreSQL database in
DATABASE_URL, filled by `bench/crossings_data.py generate DIR` (never production's).

python bench/crossings_profile.py DIR [--batches 20] [--size 500] [--profile 0|1]
    Per batch: the process's CPU (Python), the PostgreSQL backend's CPU (from /proc, same
    machine), wall time, and each statement's time and count (connection.execute_wrapper).
    With --profile 1, cProfile with a CPU clock over the measured batches (top 40 by own time).
    Run it with the production settings (EXITENTRY_ENV=production, SECRET_KEY, REDIS_URL...).
"""

import collections
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

PATH = "/api/v1/border/crossings"


def _backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a PostgreSQL backend on this machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from crossings_ingest import _bodies
    from django.db import connection
    from django.test import Client

    from crossings import signing
    from crossings.models import Port
    from crossings.services import port_credential_create

    folder = Path(argv[0])
    args = dict(zip(argv[1::2], argv[2::2], strict=False))
    batches, size = int(args.get("--batches", 20)), int(args.get("--size", 500))
    documents = [line.split("\t") for line in (folder / "documents.tsv").read_text().splitlines()]
    port = Port.objects.order_by("code").first()
    credential, secret = port_credential_create(port=port, label="profile")
    warm = 3
    bodies = _bodies(
        port.code,
        documents,
        sender=int(time.time()),
        batches=batches + warm,
        size=size,
        run=f"prof{int(time.time())}",
    )
    client = Client()
    statements: dict[str, list[float]] = collections.defaultdict(list)

    def timing(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements[" ".join(sql.split())[:90]].append(time.perf_counter() - started)

    def post(body: bytes):
        headers = signing.signed_headers(
            key_id=credential.key_id, secret=secret, method="POST", path=PATH, body=body
        )
        headers["X-Forwarded-Proto"] = "https"
        response = client.post(PATH, body, content_type="application/json", headers=headers)
        assert response.status_code == 200, response.content[:500]
        return response

    for body in bodies[:warm]:
        post(body)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    profiler = cProfile.Profile(time.process_time) if args.get("--profile") == "1" else None
    python, postgres, wall = [], [], []
    accepted = 0
    with connection.execute_wrapper(timing):
        for body in bodies[warm:]:
            cpu, pg, t0 = time.process_time(), _backend_cpu(backend), time.perf_counter()
            if profiler:
                profiler.enable()
            response = post(body)
            if profiler:
                profiler.disable()
            wall.append(time.perf_counter() - t0)
            python.append(time.process_time() - cpu)
            postgres.append(_backend_cpu(backend) - pg)
            accepted += len(response.json()["accepted"])

    def ms(values):
        return round(1000 * sum(values) / len(values), 1)

    def median_ms(values):
        return round(1000 * sorted(values)[len(values) // 2], 1)

    print(
        json.dumps(
            {
                "batches": batches,
                "size": size,
                "accepted": accepted,
                "python_cpu_ms_per_batch": ms(python),
                "postgres_cpu_ms_per_batch": ms(postgres),
                "wall_ms_per_batch": ms(wall),
                # Medians: the machine is shared, a mean takes in others' bursts.
                "median_ms": {
                    "python": median_ms(python),
                    "postgres": median_ms(postgres),
                    "wall": median_ms(wall),
                },
                "statements_per_batch": {
                    sql: {"n": round(len(times) / batches, 2), "ms": ms(times)}
                    for sql, times in sorted(statements.items(), key=lambda item: -sum(item[1]))
                },
            },
            indent=2,
        )
    )
    if profiler:
        stats = pstats.Stats(profiler).sort_stats("tottime")
        stats.print_stats(40)
        stats.sort_stats("cumulative").print_stats(60)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
