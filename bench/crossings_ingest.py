"""Ingestion load of the crossings benchmark (bench/crossings.sh): signed batches of new events
sent by several port connections at once, then the same batches again (replays must add 0).

python bench/crossings_ingest.py BASE_URL DIR [--senders 4] [--batches 40] [--size 500]
        [--warmup 2]
    DIR holds ports.json and documents.tsv (bench/crossings_data.py generate). Each sender is
    a process with one keep-alive connection, a port of its own, and its batches built before
    the clock starts (signing is done per request, as a port does). First --warmup batches of
    other new events per sender, not counted: each server thread's first batch opens its
    database connection and the partitions' relations (when ingestion runs alone nothing else
    warmed the server, and the first batches took seconds). Prints and writes
    DIR/ingest.json: events/s accepted, batch latencies, the replay's accepted count, and the
    senders' own CPU (driver_cores: how much of the machine the load generator took).
"""

import datetime as dt
import hashlib
import hmac
import http.client
import json
import multiprocessing
import random
import secrets
import sys
import time
import urllib.parse
from pathlib import Path

from helpers import cores_between, cpu_by_process, machine_cpu

PATH = "/api/v1/border/crossings"


def _headers(key_id: str, secret: str, body: bytes) -> dict[str, str]:
    """Signed as docs/api.md describes it (written out here: a port has no Django)."""
    stamp, nonce = str(int(time.time())), secrets.token_urlsafe(18)
    message = "\n".join(["POST", PATH, stamp, nonce, hashlib.sha256(body).hexdigest()])
    signature = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return {
        "X-Port-Key": key_id,
        "X-Port-Timestamp": stamp,
        "X-Port-Nonce": nonce,
        "X-Port-Signature": signature,
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",
    }


def _bodies(
    code: str, documents: list[list[str]], *, sender: int, batches: int, size: int, run: str
):
    rnd = random.Random(sender)
    now = dt.datetime.now(dt.UTC)
    bodies = []
    for b in range(batches):
        events = []
        for i in range(size):
            kind, number, id_number = rnd.choice(documents)
            when = now - dt.timedelta(seconds=rnd.randrange(60, 20 * 86400))
            events.append(
                {
                    "event_id": f"{run}-{sender}-{b}-{i}",
                    "occurred_at": when.isoformat(),
                    "direction": "entry" if i % 2 else "exit",
                    "document_type": kind,
                    "document_number": number,
                    "id_number": id_number,
                    "destination": "HKG" if kind == "hk_macao_pass" else "JPN",
                }
            )
        bodies.append(json.dumps({"port": code, "events": events}).encode())
    return bodies


def _send(args) -> dict:
    base, _code, key_id, secret, bodies, start_at = args
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    while time.time() < start_at:
        time.sleep(0.01)
    out = {"accepted": 0, "duplicates": 0, "rejected": 0, "errors": 0, "latencies": []}
    started, cpu = time.perf_counter(), time.process_time()
    for body in bodies:
        t0 = time.perf_counter()
        conn.request("POST", PATH, body=body, headers=_headers(key_id, secret, body))
        response = conn.getresponse()
        payload = response.read()
        out["latencies"].append(time.perf_counter() - t0)
        if response.status != 200:
            out["errors"] += 1
            continue
        answer = json.loads(payload)
        for name in ("accepted", "duplicates", "rejected"):
            out[name] += len(answer[name])
    out["seconds"] = time.perf_counter() - started
    out["cpu_seconds"] = time.process_time() - cpu  # this sender's own CPU (signing, JSON)
    conn.close()
    return out


def _phase(pool, base, plan, label):
    start_at = time.time() + 1.0
    pending = pool.map_async(_send, [(base, *p, start_at) for p in plan])
    time.sleep(max(0.0, start_at - time.time()))
    started, (busy, iowait) = time.perf_counter(), machine_cpu()
    processes = cpu_by_process()
    results = pending.get()
    elapsed = time.perf_counter() - started
    busy_after, iowait_after = machine_cpu()
    processes_after = cpu_by_process()
    latencies = sorted(x for r in results for x in r["latencies"])
    total = {
        k: sum(r[k] for r in results) for k in ("accepted", "duplicates", "rejected", "errors")
    }
    events = total["accepted"] + total["duplicates"] + total["rejected"]
    summary = {
        "phase": label,
        **total,
        "seconds": round(elapsed, 2),
        "events_per_s": round(events / elapsed, 1),
        "accepted_per_s": round(total["accepted"] / elapsed, 1),
        "batch_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "batch_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        # The load generator's share of the 2 cores: it must not be what limits the rate.
        "driver_cpu_seconds": round(sum(r["cpu_seconds"] for r in results), 2),
        "driver_cores": round(sum(r["cpu_seconds"] for r in results) / elapsed, 2),
        # The whole machine's (all processes, others' too): are the cores the limit?
        "machine_busy_cores": round((busy_after - busy) / elapsed, 2),
        "machine_iowait_cores": round((iowait_after - iowait) / elapsed, 2),
        "cores_by_program": {
            name: round(cores, 2)
            for name, cores in cores_between(processes, processes_after, elapsed).items()
        },
    }
    print(json.dumps(summary))
    return summary


def main(argv: list[str]) -> int:
    base, folder = argv[0], Path(argv[1])
    args = dict(zip(argv[2::2], argv[3::2], strict=False))
    senders = int(args.get("--senders", 4))
    batches = int(args.get("--batches", 40))
    size = int(args.get("--size", 500))
    warmup = int(args.get("--warmup", 2))
    ports = json.loads((folder / "ports.json").read_text())
    documents = [line.split("\t") for line in (folder / "documents.tsv").read_text().splitlines()]
    run = f"r{int(time.time())}"
    codes = list(ports)[:senders]
    plan = [
        (
            code,
            ports[code]["key_id"],
            ports[code]["secret"],
            _bodies(code, documents, sender=n, batches=batches, size=size, run=run),
        )
        for n, code in enumerate(codes)
    ]
    warm_plan = [
        (
            code,
            key_id,
            secret,
            _bodies(code, documents, sender=n, batches=warmup, size=size, run=f"{run}w"),
        )
        for n, (code, key_id, secret, _b) in enumerate(plan)
    ]
    with multiprocessing.Pool(senders) as pool:
        if warmup:
            _phase(pool, base, warm_plan, "warm-up (not counted)")
        first = _phase(pool, base, plan, "new events")
        replay = _phase(pool, base, plan, "replay (same batches, new signatures)")
    result = {
        "senders": senders,
        "batch_size": size,
        "batches_per_sender": batches,
        "warmup_batches_per_sender": warmup,
        "new": first,
        "replay": replay,
    }
    (folder / "ingest.json").write_text(json.dumps(result, indent=2) + "\n")
    ok = first["errors"] == 0 and replay["errors"] == 0 and replay["accepted"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
