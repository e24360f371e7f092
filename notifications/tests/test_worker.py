"""The relay through a real Celery worker on the Redis at 127.0.0.1:6379 (CELERY_TEST_REDIS_URL
to use another): the worker is killed with SIGKILL in the middle of a batch and started again,
and every message reaches the provider's adapter exactly once.

Each test has a queue of its own, so parallel runs on one Redis never take each other's tasks.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection

from documents.tests.factories import CitizenFactory
from notifications.models import Notification

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(django_settings.BASE_DIR)
REDIS_URL = os.environ.get("CELERY_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
S = Notification.Status
WORKER = [
    sys.executable, "-m", "celery", "-A", "exitentry", "worker", "-c", "1", "-l", "INFO",
    "--without-gossip", "--without-mingle", "--without-heartbeat",
]  # fmt: skip


def _database_url() -> str:
    """The test database, as the worker (another process) must reach it."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
    )


class Worker:
    """`celery -A exitentry worker` in a session of its own (so SIGKILL reaches its children)."""

    def __init__(self, *, queue: str, sms_url: str, log: Path) -> None:
        self.queue = queue
        self.log = log
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "exitentry.settings",
            "EXITENTRY_ENV": "test",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_QUEUE": queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "REDIS_URL": "",
            "VERIFICATION_SMS_GATEWAY": "accounts.gateways.HttpSmsGateway",
            "SMS_HTTP_URL": sms_url,
            "NOTIFICATIONS_LEASE_SECONDS": "2",
            "NOTIFICATIONS_BATCH_SIZE": "10",
            "NOTIFICATIONS_SEND_THREADS": "1",
            "NOTIFICATIONS_RELAY_ON_COMMIT": "false",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*WORKER, "-Q", self.queue, "-n", f"{self.queue}-{uuid.uuid4().hex[:6]}@%h"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes: no chance to finish anything."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@pytest.fixture
def celery_queue(tmp_path):
    """A queue name of this test's own; the client that sends it tasks; the workers started."""
    queue = f"exitentry-outbox-test-{uuid.uuid4().hex}"
    # Not the current app: the project's tasks must keep their own (eager) app in this process.
    client = Celery("outbox-test-client", broker=REDIS_URL, set_as_current=False)
    client.conf.broker_connection_retry_on_startup = True
    workers: list[Worker] = []

    def start(sms_url: str) -> Worker:
        worker = Worker(queue=queue, sms_url=sms_url, log=tmp_path / "worker.log").start()
        workers.append(worker)
        return worker

    def relay() -> None:
        client.send_task("notifications.relay", queue=queue)

    yield start, relay, tmp_path / "worker.log"
    for worker in workers:
        worker.kill()
    with client.connection_for_write() as conn:
        conn.default_channel.client.delete(queue)
    client.close()


def _wait(condition, *, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{tail}")


def test_the_worker_delivers_committed_messages(sms_to_sink, celery_queue):
    # given messages committed to the outbox and a worker on the queue
    start, relay, log = celery_queue
    rows = NotificationFactory.create_batch(12)
    worker = start(sms_to_sink.url)
    # when a relay task is queued (as after each commit)
    relay()
    # then the worker sends each message once
    _wait(
        lambda: Notification.objects.filter(status=S.SENT).count() == 12,
        seconds=90,
        what="12 sent",
        log=log,
    )
    assert worker.alive()
    assert set(sms_to_sink.delivered) == {str(r.pk) for r in rows}
    assert set(sms_to_sink.requests.values()) == {1}


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(sms_to_sink, celery_queue):
    # given 25 messages, and an adapter that holds its answer to the 5th message it delivers
    start, relay, log = celery_queue
    users = CitizenFactory.create_batch(5)
    rows = [NotificationFactory(user=users[i % 5]) for i in range(25)]
    sms_to_sink.hold_at = 5
    first = start(sms_to_sink.url)
    relay()
    _wait(sms_to_sink.held.is_set, seconds=90, what="the 5th delivery", log=log)
    # when the worker is killed while it waits for that answer
    first.kill()
    # then the batch it claimed is left "sending", none of it recorded as sent
    assert Notification.objects.filter(status=S.SENDING).count() == 10
    assert not Notification.objects.filter(status=S.SENT).exists()
    assert len(sms_to_sink.delivered) == 5
    # when a worker starts again and the relay runs (as beat runs it)
    sms_to_sink.release()
    start(sms_to_sink.url)

    def all_sent() -> bool:
        if Notification.objects.filter(status=S.SENT).count() == 25:
            return True
        relay()
        return False

    _wait(all_sent, seconds=120, what="25 sent", log=log)
    # then every message was delivered exactly once
    assert set(sms_to_sink.delivered) == {str(r.pk) for r in rows}
    # the 5 the dead worker had handed over were sent again under their key (the adapter
    # answered them without delivering twice), and the record says which were in doubt
    repeated = {key for key, count in sms_to_sink.requests.items() if count > 1}
    assert len(repeated) == 5 and max(sms_to_sink.requests.values()) == 2
    in_doubt = set(
        Notification.objects.filter(in_doubt_at__isnull=False).values_list("pk", flat=True)
    )
    assert len(in_doubt) == 10
    assert {int(key) for key in repeated} <= in_doubt
