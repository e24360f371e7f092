"""The appointments rush: citizens with bearer tokens race for the seats of a few times.

    python bench/rush.py BASE_URL TOKENS SLOTS [--connections 64] [--attempts 3] [--seed 1]

TOKENS holds one bearer key a line (a citizen each), SLOTS the ids of the times, as written by
`bench/rush_data.py setup` (rush_tokens.txt and rush_slots.txt). Each of CONNECTIONS keep-alive
connections takes the next citizen from one shared queue until every citizen had their turn.
A citizen books `POST /api/v1/me/appointments` (a passport, first application, a fresh
Idempotency-Key per attempt, as an app does):

- first a random time of the ones in SLOTS;
- after 409 `slot_full`, one of the `next_free` times the answer gives, or, when it gives none,
  a random time they have not yet seen full; at most ATTEMPTS attempts in all;
- they stop at 201 (booked), at 409 `already_booked`, at 429 or after ATTEMPTS attempts.

Prints one line `RUSH_JSON {...}`: attempts, wall time, attempts/s, answers by status and code,
latency percentiles (request written to answer read) overall and for the 201s, and when the last
seat was taken. Only the standard library: asyncio streams, HTTP/1.1 with Content-Length.
"""

import argparse
import asyncio
import json
import math
import random
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

PATH = "/api/v1/me/appointments"


class Connection:
    """One keep-alive HTTP/1.1 connection (reopened if the server closes it)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            await self._open()
        head = [
            f"POST {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Content-Type: application/json",
            "Accept: application/json",
            # As nginx sends it: production redirects plain HTTP.
            "X-Forwarded-Proto: https",
            f"Content-Length: {len(body)}",
        ]
        head += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed by the server")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _sep, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Race:
    def __init__(self, tokens: list[str], slots: list[int], attempts: int, seed: int) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        for token in tokens:
            self.queue.put_nowait(token)
        self.slots = slots
        self.attempts = attempts
        self.random = random.Random(seed)
        self.latencies: list[float] = []
        self.booked_latencies: list[float] = []
        self.by_status: Counter[int] = Counter()
        self.by_code: Counter[str] = Counter()
        self.errors = 0
        self.booked = 0
        self.last_booking_at = 0.0
        self.citizens_booked = 0

    async def citizen(self, conn: Connection, token: str) -> None:
        seen_full: set[int] = set()
        slot = self.random.choice(self.slots)
        for _attempt in range(self.attempts):
            body = json.dumps(
                {"document_type": "passport", "kind": "first", "slot_id": slot}
            ).encode()
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
            started = time.perf_counter()
            try:
                status, data = await conn.post(PATH, body, headers)
            except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                self.errors += 1
                return
            elapsed = time.perf_counter() - started
            self.latencies.append(elapsed)
            self.by_status[status] += 1
            if status in (200, 201):
                self.booked += 1
                self.booked_latencies.append(elapsed)
                self.last_booking_at = time.perf_counter()
                return
            try:
                problem = json.loads(data)
            except ValueError:
                problem = {}
            code = str(problem.get("code", ""))
            self.by_code[f"{status} {code}"] += 1
            if status != 409 or code not in ("slot_full", "slot_closed"):
                return
            seen_full.add(slot)
            offered = [f["slot_id"] for f in problem.get("next_free") or []]
            choices = offered or [s for s in self.slots if s not in seen_full]
            if not choices:
                return
            slot = self.random.choice(choices)

    async def worker(self, host: str, port: int) -> None:
        conn = Connection(host, port)
        try:
            while True:
                try:
                    token = self.queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await self.citizen(conn, token)
        finally:
            conn.close()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) in milliseconds."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return round(ordered[rank] * 1000, 1)


async def run(
    base: str, tokens_file: Path, slots_file: Path, connections: int, attempts: int, seed: int
) -> dict:
    parts = urlsplit(base)
    tokens = tokens_file.read_text().split()
    slots = [int(x) for x in slots_file.read_text().split()]
    race = Race(tokens, slots, attempts, seed)
    started = time.perf_counter()
    await asyncio.gather(*(race.worker(parts.hostname, parts.port) for _ in range(connections)))
    wall = time.perf_counter() - started
    count = len(race.latencies)
    return {
        "citizens": len(tokens),
        "slots": len(slots),
        "connections": connections,
        "attempts": count,
        "wall_s": round(wall, 2),
        "attempts_per_s": round(count / wall, 1) if wall else 0.0,
        "booked": race.booked,
        "sold_out_after_s": round(race.last_booking_at - started, 2) if race.booked else None,
        "by_status": {str(k): v for k, v in sorted(race.by_status.items())},
        "by_code": dict(sorted(race.by_code.items())),
        "socket_errors": race.errors,
        "latency_ms": {
            "p50": percentile(race.latencies, 50),
            "p90": percentile(race.latencies, 90),
            "p99": percentile(race.latencies, 99),
            "max": percentile(race.latencies, 100),
        },
        "booked_latency_ms": {
            "p50": percentile(race.booked_latencies, 50),
            "p99": percentile(race.booked_latencies, 99),
        },
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base")
    parser.add_argument("tokens", type=Path)
    parser.add_argument("slots", type=Path)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--attempts", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = asyncio.run(
        run(args.base, args.tokens, args.slots, args.connections, args.attempts, args.seed)
    )
    print("RUSH_JSON " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
