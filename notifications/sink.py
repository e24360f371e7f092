"""A local HTTP SMS adapter that honours the de-duplication key: for tests and the benchmark.

It answers `POST` like HttpSmsGateway's provider: the first request with an Idempotency-Key is
delivered (recorded) and answered with a message id; a repeat of the key is answered with the
same id and not delivered again. `GET /stats` answers the counts as JSON. Run it alone with
`python -m notifications.sink --port 8099` (bench/relay.sh does), or in a thread with
`Sink().start()` (tests). An asyncio protocol (HTTP/1.1, keep-alive, answers in request order):
light enough not to be what a benchmark of the relay measures.
"""

import argparse
import asyncio
import json
import threading
from collections import Counter


class Sink:
    """The adapter's state and its server."""

    def __init__(
        self,
        *,
        fail_first: int = 0,
        fail_status: int = 503,
        hold_at: int = 0,
        keep_alive: bool = True,
    ) -> None:
        self.delivered: dict[str, dict] = {}  # key -> body, first delivery only
        self.requests: Counter[str] = Counter()  # key -> requests received
        self.fail_first = fail_first  # answer fail_status to the first N requests
        self.fail_status = fail_status
        # Deliver the hold_at-th message, then hold its answer until release() (a sender that
        # dies while waiting leaves that message delivered but not recorded as sent).
        self.hold_at = hold_at
        self.keep_alive = keep_alive  # False: close each connection after its answer
        self.held = threading.Event()
        self._release: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None
        self._lock = threading.Lock()
        self._seen = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"

    @property
    def duplicates(self) -> int:
        """Requests repeating a delivered key (answered, not delivered again)."""
        return sum(self.requests.values()) - len(self.delivered)

    def stats(self) -> dict:
        with self._lock:
            return {
                "delivered": len(self.delivered),
                "requests": sum(self.requests.values()),
                "duplicates": self.duplicates,
                "keys_sent_more_than_once": sorted(k for k, n in self.requests.items() if n > 1),
            }

    def deliver(self, headers: dict, body: bytes) -> tuple[int, dict, bool]:
        """Record one POST: (status, answer, whether to hold the answer)."""
        with self._lock:
            self._seen += 1
            seen = self._seen
        if seen <= self.fail_first:
            return self.fail_status, {"error": "try later"}, False
        try:
            message = json.loads(body or b"{}")
        except ValueError:
            return 400, {"error": "not JSON"}, False
        if not isinstance(message, dict):
            return 400, {"error": "not an object"}, False
        key = headers.get("idempotency-key") or str(message.get("id") or "")
        if not key or not message.get("to") or not message.get("text"):
            return 400, {"error": "id, to and text are required"}, False
        with self._lock:
            self.requests[key] += 1
            first = key not in self.delivered
            if first:
                self.delivered[key] = message
            delivered = len(self.delivered)
        hold = bool(first and self.hold_at and delivered == self.hold_at)
        return 200, {"message_id": f"sink-{key}", "duplicate": not first}, hold

    async def answer(self, method: str, path: str, headers: dict, body: bytes):
        """Answer one request: (status, JSON answer). A subclass may record more."""
        if method == "GET" and path.startswith("/stats"):
            return 200, self.stats()
        if method != "POST":
            return 405, {"error": "POST only"}
        status, answer, hold = self.deliver(headers, body)
        if hold:
            self.held.set()
            await self._release.wait()
        return status, answer

    def _protocol(self):
        sink = self

        class Http(asyncio.Protocol):
            def connection_made(self, transport) -> None:
                self.transport = transport
                self.buffer = b""
                self.pending: list[asyncio.Future] = []  # answers in request order

            def data_received(self, data: bytes) -> None:
                self.buffer += data
                while True:
                    end = self.buffer.find(b"\r\n\r\n")
                    if end < 0:
                        return
                    lines = self.buffer[:end].decode("latin-1").split("\r\n")
                    headers = {}
                    for line in lines[1:]:
                        name, _sep, value = line.partition(":")
                        if name:
                            headers[name.strip().lower()] = value.strip()
                    try:
                        method, path, _version = lines[0].split(" ", 2)
                        length = int(headers.get("content-length") or 0)
                    except ValueError:
                        self.transport.close()
                        return
                    if len(self.buffer) < end + 4 + length:
                        return
                    body = self.buffer[end + 4 : end + 4 + length]
                    self.buffer = self.buffer[end + 4 + length :]
                    self.pending.append(
                        asyncio.ensure_future(sink.answer(method, path, headers, body))
                    )
                    if len(self.pending) == 1:
                        self.pending[0].add_done_callback(self._written)

            def _written(self, _future) -> None:
                while self.pending and self.pending[0].done():
                    future = self.pending.pop(0)
                    if future.cancelled() or future.exception() is not None:
                        self.transport.close()
                        return
                    status, answer = future.result()
                    payload = json.dumps(answer).encode()
                    self.transport.write(
                        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(payload)}\r\n\r\n".encode()
                        + payload
                    )
                    if not sink.keep_alive:
                        self.transport.close()
                        return
                if self.pending:
                    self.pending[0].add_done_callback(self._written)

            def connection_lost(self, exc) -> None:
                for future in self.pending:
                    future.cancel()

        return Http

    async def _start(self, port: int) -> None:
        self._release = asyncio.Event()
        self._stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol(), "127.0.0.1", port, backlog=512)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _run(self, port: int, ready: threading.Event) -> None:
        await self._start(port)
        ready.set()
        await self._stopping.wait()
        self._server.close()
        self._release.set()  # let held answers finish
        current = asyncio.current_task()
        others = [t for t in asyncio.all_tasks() if t is not current]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def start(self, port: int = 0) -> "Sink":
        """Serve in a thread of its own; returns once the port is open."""
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            try:
                self._loop.run_until_complete(self._run(port, ready))
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name="sms-sink", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the sink did not start")
        return self

    def release(self) -> None:
        """Answer the held request (and any later one)."""
        self.hold_at = 0
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._release.set)

    def stop(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(10)

    def serve_forever(self, port: int) -> None:
        """Serve in this thread until killed (`python -m notifications.sink`)."""

        async def serve() -> None:
            await self._start(port)
            print(f"sink on {self.url}", flush=True)
            await asyncio.Event().wait()

        asyncio.run(serve())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    Sink().serve_forever(parser.parse_args().port)


if __name__ == "__main__":
    main()
