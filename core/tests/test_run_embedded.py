"""`make run`'s server (scripts/run_embedded.sh), started for real on a fresh database file: it
serves soon, as the real service looks (DEBUG off, the site's own 404 page, static files), and a
second start is quick."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "run_embedded.sh"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Server:
    def __init__(self, tmp_path: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
            "VERIFICATION_OUTBOX_DIR": str(tmp_path / "outbox"),
            "PORT": str(self.port),
            "EXITENTRY_ENV": "development",
        }
        self.env.pop("DEBUG", None)
        self.log = tmp_path / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self, within: float) -> float:
        """Start the server; return the seconds until its home page answered."""
        started = time.monotonic()
        self.process = subprocess.Popen(
            ["bash", str(SCRIPT)],
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while time.monotonic() - started < within:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if _get(self.url + "/")[0] == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.25)
        pytest.fail(f"no page within {within} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def server(tmp_path):
    server = Server(tmp_path)
    yield server
    server.stop()


def test_make_run_serves_the_real_site_soon_and_restarts_quickly(server):
    # given a fresh database: when the server starts, it serves once the demo data is in
    # (the slots of every hall are made afterwards, in the background)
    server.start(within=90)
    # then a mistyped address shows the site's own 404 page, not Django's debug page
    status, body = _get(server.url + "/no-such-page/")
    assert status == 404
    assert "URLconf" not in body and "DEBUG = True" not in body
    assert "Page not found" in body or "找不到" in body or "未找到" in body
    # and static files are served with DEBUG off
    status, css = _get(server.url + "/static/core/site.css")
    assert status == 200 and css
    # and the demo citizens can sign in (the data is loaded)
    assert "13800000001" in server.log.read_text()
    # when it is stopped and started again
    server.stop()
    seconds = server.start(within=30)
    # then it serves within 10 seconds
    assert seconds < 10, f"the second start took {seconds:.1f} s"
    assert "Demo data already loaded" in server.log.read_text()
