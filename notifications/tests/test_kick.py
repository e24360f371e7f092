"""After commit with a worker (not eager): a relay task is queued on the broker, one for a burst
of commits, each commit followed by a run that starts after it."""

import pytest
from kombu import Connection

from exitentry.celery import app
from notifications import relay


@pytest.fixture
def broker(settings, monkeypatch):
    """The project's Celery app on the in-memory broker, tasks not eager, a queue of its own."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.NOTIFICATIONS_KICK_SECONDS = 60
    settings.CELERY_TASK_DEFAULT_QUEUE = "outbox-kick-test"
    assert app.conf.broker_url == "memory://"  # (reading the configuration finalises it first)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(relay, "_next_run_at", float("-inf"))
    with Connection("memory://") as conn:
        queue = conn.SimpleQueue("outbox-kick-test")
        queue.clear()
        yield queue
        queue.clear()
        queue.close()


def queued(queue) -> list[dict]:
    found = []
    while True:
        try:
            message = queue.get(block=False)
        except queue.Empty:
            return found
        found.append(message.headers)
        message.ack()


def test_a_burst_of_commits_queues_one_run_now_and_one_after_the_window(broker):
    # when 50 commits ask for the relay within the window
    for _ in range(50):
        relay.relay_kick()
    # then one run now and one run after the window (for the commits after the first)
    runs = queued(broker)
    assert [h["task"] for h in runs] == ["notifications.relay", "notifications.relay"]
    assert runs[0]["eta"] is None and runs[1]["eta"] is not None


def test_nothing_is_queued_when_relaying_on_commit_is_off(broker, settings):
    settings.NOTIFICATIONS_RELAY_ON_COMMIT = False
    relay.relay_kick()
    assert queued(broker) == []


def test_with_the_projects_own_queue_setting_a_kick_is_queued(settings, monkeypatch, caplog):
    # given production's way of running (a worker, not eager) and the queue the settings name
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(relay, "_next_run_at", float("-inf"))
    queue_name = settings.CELERY_TASK_DEFAULT_QUEUE
    with Connection("memory://") as conn:
        queue = conn.SimpleQueue(queue_name)
        queue.clear()
        # when a commit kicks the relay
        with caplog.at_level("WARNING", logger="notifications.relay"):
            relay.relay_kick()
        # then a run is queued there, and nothing was logged as "could not queue"
        assert [h["task"] for h in queued(queue)] == ["notifications.relay"]
        queue.close()
    assert "could not queue" not in caplog.text
