"""Record the hall API's responses for a fixed set of requests, or compare them to a recording.

Used to prove that a performance change leaves the output byte-for-byte the same: record before
the change, compare after it. Requests go straight to the WSGI application (no server), with the
clock frozen so that open/closed states cannot change between the two runs.

    python bench/check_output.py record /tmp/before.json
    python bench/check_output.py compare /tmp/before.json

It runs against the database in DATABASE_URL (the benchmark loads 3,000 halls there first).
"""

import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import sys
from pathlib import Path
from unittest import mock
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

import django

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402

from guide.calendar import SHANGHAI  # noqa: E402
from guide.directory import get_directory  # noqa: E402

# Wednesday morning (open), a lunch break, a Saturday evening, a national holiday.
INSTANTS = [
    dt.datetime(2026, 11, 25, 10, 30, tzinfo=SHANGHAI),
    dt.datetime(2026, 11, 25, 12, 45, tzinfo=SHANGHAI),
    dt.datetime(2026, 11, 28, 18, 5, tzinfo=SHANGHAI),
    dt.datetime(2026, 10, 2, 9, 30, tzinfo=SHANGHAI),
]
IGNORED_HEADERS = {"x-request-id"}
REQUEST_ID = re.compile(r'"request_id": "[0-9a-f]{32}"')


def requests_to_check() -> list[tuple[str, str, dict[str, str]]]:
    """(path, query string, extra headers) for every request compared."""
    rng = random.Random(7)
    directory = get_directory()
    codes = [h.code for h in directory.halls]
    provinces = sorted({h.regions[0].code for h in directory.halls})
    cities = sorted({r.code for h in directory.halls for r in h.regions if r.level == "city"})
    services = list(directory.services)
    words = ["深圳", "shenzhen", "szs", "Luohu", "passport", "大厅", "beijing", "上海 浦东", "xx"]
    out: list[tuple[str, str, dict[str, str]]] = []
    for _ in range(60):
        lat, lng = rng.uniform(18, 50), rng.uniform(75, 132)
        query = f"near={lat:.4f},{lng:.4f}&limit={rng.choice([1, 20, 100])}"
        out.append(("/api/v1/halls", query, {}))
    for _ in range(60):
        parts = []
        if rng.random() < 0.5:
            parts.append(f"region={rng.choice(provinces + cities)}")
        if rng.random() < 0.5:
            parts.append(f"service={rng.choice(services)}")
        if rng.random() < 0.4:
            parts.append(f"q={rng.choice(words)}")
        if rng.random() < 0.3:
            parts.append("open_now=true")
        if rng.random() < 0.3:
            parts.append(f"near={rng.uniform(20, 45):.3f},{rng.uniform(100, 125):.3f}")
            if rng.random() < 0.5:
                parts.append(f"radius_km={rng.choice([5, 50, 500])}")
        parts.append(f"limit={rng.choice([5, 20, 100])}&offset={rng.choice([0, 0, 20, 40])}")
        out.append(("/api/v1/halls", "&".join(parts), {}))
    for code in rng.sample(codes, 60):
        out.append((f"/api/v1/halls/{code}", "", {}))
    out += [
        ("/api/v1/halls/440303-01", "from=2026-09-28&days=14", {}),
        ("/api/v1/halls/440303-01", "days=31", {}),
        ("/api/v1/halls/NOPE", "", {}),
        ("/api/v1/halls/440303-01", "days=99", {}),
        ("/api/v1/halls", "near=abc", {}),
        ("/api/v1/halls", "near=91,0", {}),
        ("/api/v1/halls", "region=999999", {}),
        ("/api/v1/halls", "service=nope", {}),
        ("/api/v1/halls", "radius_km=5", {}),
        ("/api/v1/halls", "near=22.5,114.1&radius_km=0", {}),
        ("/api/v1/halls", "limit=0", {}),
        ("/api/v1/halls", "limit=101&offset=-1", {}),
        ("/api/v1/halls", "q=" + "x" * 101, {}),
        ("/api/v1/halls", "open_now=maybe", {}),
        ("/api/v1/halls", "q=%E6%B7%B1%E5%9C%B3&limit=3&offset=3&extra=1", {}),
    ]
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    other_host = {"HTTP_HOST": "localhost"}
    out += [(path, query, english) for path, query, _ in out[::7]]
    out += [(path, query, other_host) for path, query, _ in out[::11]]
    return out


def call(app, path: str, query: str, extra: dict[str, str]) -> dict:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": quote(query, safe="=&,.-_~%"),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        **extra,
    }
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status
        seen["headers"] = sorted([k, v] for k, v in headers if k.lower() not in IGNORED_HEADERS)

    body = b"".join(app(environ, start_response)).decode()
    # Problem documents carry the request id, which is new on every request.
    body = REQUEST_ID.sub('"request_id": "-"', body)
    return {"status": seen["status"], "headers": seen["headers"], "body": body}


def run() -> dict[str, dict]:
    app = get_wsgi_application()
    results = {}
    for instant in INSTANTS:
        with mock.patch("django.utils.timezone.now", return_value=instant):
            for path, query, extra in requests_to_check():
                key = f"{instant.isoformat()} {path}?{query} {sorted(extra.items())}"
                results[key] = call(app, path, query, extra)
    return results


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in {"record", "compare"}:
        print(__doc__)
        return 2
    action, file = sys.argv[1], Path(sys.argv[2])
    results = run()
    digest = hashlib.sha256(json.dumps(results, sort_keys=True).encode()).hexdigest()[:16]
    if action == "record":
        file.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"recorded {len(results)} responses to {file} (sha256 {digest})")
        return 0
    recorded = json.loads(file.read_text(encoding="utf-8"))
    differ = [key for key in recorded if recorded[key] != results.get(key)]
    missing = set(results) ^ set(recorded)
    for key in differ[:5]:
        before, after = recorded[key], results.get(key) or {}
        print(f"DIFFERENT: {key}")
        for part in ("status", "headers", "body"):
            if before.get(part) != after.get(part):
                print(f"  {part} before: {str(before.get(part))[:400]}")
                print(f"  {part} after:  {str(after.get(part))[:400]}")
    print(
        f"{len(results)} responses, {len(differ)} different, {len(missing)} not in both "
        f"(sha256 {digest})"
    )
    return 1 if differ or missing else 0


if __name__ == "__main__":
    sys.exit(main())
