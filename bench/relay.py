"""The notifications relay under load, with a SIGKILL in the middle (bench/relay.sh runs it).

1. Fills the (fresh, migrated) database with BENCH_RELAY_MESSAGES queued text messages to
   BENCH_RELAY_USERS citizens.
2. Starts the HTTP SMS adapter sink (`python -m notifications.sink`, honours the key) and
   `celery -A exitentry worker -c 2` (2 worker processes) on a queue of its own.
3. Queues relay tasks (2 at once, then one a second as beat would), and when a third of the
   messages are sent, SIGKILLs one of the 2 worker processes in the middle of its batch (Celery
   starts another).
4. When every message is recorded as sent: the rate (messages / seconds from the first task to
   the last "sent"), and the sink's counts: each message delivered once (0 lost), none delivered
   twice; those the killed process had claimed were found in doubt after the lease and sent
   again under their key (the sink answered without delivering twice).

Writes the figures as JSON to BENCH_RELAY_JSON (if set) and prints them.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


MESSAGES = env_int("BENCH_RELAY_MESSAGES", 20000)
USERS = env_int("BENCH_RELAY_USERS", 2000)
LEASE = env_int("NOTIFICATIONS_LEASE_SECONDS", 5)
PY = sys.executable
WORKER = [
    PY, "-m", "celery", "-A", "exitentry", "worker", "-c", "2", "-l", "WARNING",
    "--without-gossip", "--without-mingle", "--without-heartbeat",
]  # fmt: skip


def fill() -> None:
    """Citizens and queued messages, written in bulk (no relay on commit)."""
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import User
    from notifications.models import Notification

    users = User.objects.bulk_create(
        User(username=f"+86136{i:08d}", phone=f"+86136{i:08d}", password="!") for i in range(USERS)
    )
    now = timezone.now()
    batch = []
    for i in range(MESSAGES):
        batch.append(
            Notification(
                user=users[i % USERS],
                channel="sms",
                kind="appointment_booked",
                subject="Appointment booked",
                text=f"预约成功：{i:012d}，罗湖区出入境办证大厅，2026-12-08 10:00。",
                reference=f"appointment:{i:012d}",
                language="zh-hans",
                next_attempt_at=now,
            )
        )
        if len(batch) == 5000:
            Notification.objects.bulk_create(batch)
            batch = []
    Notification.objects.bulk_create(batch)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def sink_stats(url: str) -> dict:
    with urllib.request.urlopen(url.replace("/send", "/stats"), timeout=10) as answer:
        return json.loads(answer.read())


def main() -> int:
    import psycopg

    if os.environ.get("BENCH_RELAY_SKIP_FILL") != "1":
        fill()
    database = os.environ["DATABASE_URL"]
    port = int(os.environ["BENCH_RELAY_SINK_PORT"])
    sink_url = f"http://127.0.0.1:{port}/send"
    queue = f"exitentry-bench-relay-{uuid.uuid4().hex[:8]}"
    run_dir = Path(os.environ.get("BENCH_RELAY_DIR", "/tmp"))
    env = {
        **os.environ,
        "CELERY_QUEUE": queue,
        "VERIFICATION_SMS_GATEWAY": "accounts.gateways.HttpSmsGateway",
        "SMS_HTTP_URL": sink_url,
        "NOTIFICATIONS_LEASE_SECONDS": str(LEASE),
        "NOTIFICATIONS_RELAY_ON_COMMIT": "false",
    }
    processes = []
    with (run_dir / "sink.log").open("wb") as log:
        sink = subprocess.Popen(
            [PY, "-m", "notifications.sink", "--port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    processes.append(sink)
    with (run_dir / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [*WORKER, "-Q", queue, "-n", f"{queue}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    processes.append(worker)
    try:
        from celery import Celery

        client = Celery("bench-relay", broker=os.environ["CELERY_BROKER_URL"], set_as_current=False)
        db = psycopg.connect(database, autocommit=True)

        def sent() -> int:
            return db.execute(
                "SELECT count(*) FROM notifications_notification WHERE status = 'sent'"
            ).fetchone()[0]

        # Wait for both worker processes to be up before the clock starts.
        deadline = time.monotonic() + 120
        while len(children(worker.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
        from bench.helpers import busy_seconds, cpu_loop, cpu_seconds

        loop_speed = cpu_loop()
        cpu0 = (cpu_seconds(worker.pid), cpu_seconds(sink.pid), busy_seconds())
        start = time.monotonic()
        for _ in range(2):
            client.send_task("notifications.relay", queue=queue)
        killed_at, killed_pid, last_kick = None, None, start
        done = 0
        while True:
            done = sent()
            now = time.monotonic()
            if done >= MESSAGES:
                break
            if now - start > 600:
                raise SystemExit(f"only {done} of {MESSAGES} sent after 600 s")
            if killed_at is None and done >= MESSAGES // 3:
                cpu1 = (cpu_seconds(worker.pid), cpu_seconds(sink.pid), busy_seconds())
                sent_before_kill = done
                pool = children(worker.pid)
                killed_pid = pool[0]
                os.kill(killed_pid, signal.SIGKILL)
                killed_at = now - start
                sending = db.execute(
                    "SELECT count(*) FROM notifications_notification WHERE status = 'sending'"
                ).fetchone()[0]
                print(
                    f"killed worker process {killed_pid} at {killed_at:.1f}s, {done} sent, "
                    f"{sending} claimed and unrecorded",
                    flush=True,
                )
            if now - last_kick >= 1:
                client.send_task("notifications.relay", queue=queue)  # as beat does
                last_kick = now
            time.sleep(0.05)
        last_sent = db.execute(
            "SELECT extract(epoch FROM max(sent_at) - min(last_attempt_at))"
            " FROM notifications_notification"
        ).fetchone()[0]
        elapsed = time.monotonic() - start
        stats = sink_stats(sink_url)
        rows = db.execute(
            "SELECT count(*) FILTER (WHERE status = 'sent'),"
            " count(*) FILTER (WHERE in_doubt_at IS NOT NULL),"
            " count(*) FILTER (WHERE provider_message_id = 'sink-' || id::text)"
            " FROM notifications_notification"
        ).fetchone()
        repeated = {int(key) for key in stats["keys_sent_more_than_once"]}
        in_doubt = {
            row[0]
            for row in db.execute(
                "SELECT id FROM notifications_notification WHERE in_doubt_at IS NOT NULL"
            )
        }
        before = killed_at or elapsed
        worker_cpu, sink_cpu, busy = (b - a for a, b in zip(cpu0, cpu1, strict=True))
        result = {
            "messages": MESSAGES,
            "until_the_kill": {
                "messages": sent_before_kill,
                "seconds": round(before, 2),
                "messages_per_second": round(sent_before_kill / before, 1),
                "cpu_cores_workers": round(worker_cpu / before, 2),
                "cpu_cores_sink": round(sink_cpu / before, 2),
                "cpu_cores_other": round((busy - worker_cpu - sink_cpu) / before, 2),
                "worker_cpu_us_per_message": round(worker_cpu / sent_before_kill * 1e6),
            },
            "cpu_loop_seconds": round(loop_speed, 3),
            "worker_processes": 2,
            "seconds": round(elapsed, 2),
            "messages_per_second": round(MESSAGES / elapsed, 1),
            "seconds_first_attempt_to_last_sent": round(float(last_sent), 2),
            "killed_at_seconds": round(killed_at or 0, 2),
            "lease_seconds": LEASE,
            "rows_sent": rows[0],
            "rows_found_in_doubt": rows[1],
            "rows_with_the_sinks_message_id": rows[2],
            "sink_delivered": stats["delivered"],
            "sink_requests": stats["requests"],
            "resent_under_key_not_delivered_again": stats["duplicates"],
            "lost": MESSAGES - stats["delivered"],
            # Sent to the adapter more than once: must all be rows found in doubt (the ones
            # the killed process had claimed); the adapter delivered each once.
            "keys_sent_more_than_once": len(repeated),
            "repeats_outside_in_doubt_rows": len(repeated - in_doubt),
        }
        print(json.dumps(result, indent=2))
        if os.environ.get("BENCH_RELAY_JSON"):
            Path(os.environ["BENCH_RELAY_JSON"]).write_text(json.dumps(result, indent=2))
        ok = (
            result["lost"] == 0
            and rows[0] == MESSAGES == rows[2]
            and not result["repeats_outside_in_doubt_rows"]
        )
        return 0 if ok else 1
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


if __name__ == "__main__":
    sys.exit(main())
