"""Benchmark of a signed certificate on one core, with the ceiling measured in the same run.

Renders and signs N entry/exit record certificates of 40 crossings each, the way
certificates.services.certificate_request does (QR payload, reportlab PDF with the embedded CJK
subset, PAdES B-LT signature with the chain and CRL in the DSS), in this one process, with the
development PKI of a temporary directory; then runs ../shared/ceiling/sign.py (a one-page
reportlab PDF signed PAdES B-B) and prints both rates and their ratio.

    .venv/bin/python bench/certificates.py [N]     (default 100; CEILING_SIGN=path/to/sign.py)

Targets (issue 12): median <= 150 ms per certificate; >= 0.6 of sign.py's render+sign rate.
"""

import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")
os.environ["CERTIFICATES_KEY_DIR"] = tempfile.mkdtemp(prefix="bench-certificates-")

import django  # noqa: E402

django.setup()

from certificates import qr, records, render, signing  # noqa: E402
from certificates.tests import samples  # noqa: E402


def certificate(i: int) -> bytes:
    rows = [samples.crossing(r) for r in range(40)]
    issued_at = dt.datetime.now(dt.UTC)
    digest = records.content_digest(header={"i": i}, records=rows)
    payload = qr.certificate_payload(
        code=f"{i:016d}".translate(str.maketrans("0123456789", "ABCDEFGHJK")),
        name_masked="王**",
        kind="crossings",
        period=(dt.date(2016, 1, 1), dt.date(2025, 12, 31)),
        record_count=len(rows),
        issued_at=issued_at,
        content_sha256=digest,
    )
    content = samples.content(rows, qr_text=payload, issued_at=issued_at.strftime("%Y-%m-%d %H:%M"))
    return signing.pdf_sign(render.certificate_pdf(content), reason="bench", location="北京")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    for i in range(3):  # keys made, font registered, contexts built
        certificate(i)
    times, cpu = [], []
    started = time.perf_counter()
    for i in range(n):
        t, c = time.perf_counter(), time.process_time()
        signed = certificate(i)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    elapsed = time.perf_counter() - started
    rate = n / elapsed
    median = statistics.median(times) * 1000
    p95 = sorted(times)[int(0.95 * (n - 1))] * 1000
    ceiling_script = os.environ.get(
        "CEILING_SIGN", str(ROOT.parent.parent / "shared/ceiling/sign.py")
    )
    if not Path(ceiling_script).is_file():
        ceiling_script = "/work/shared/ceiling/sign.py"
    out = subprocess.run(
        [sys.executable, ceiling_script], capture_output=True, text=True, check=True
    ).stdout
    ceiling = float(re.search(r"render\+sign (\d+(?:\.\d+)?)/s", out).group(1))
    result = {
        "certificates": n,
        "median_ms": round(median, 1),
        # CPU time of this process per certificate: what the shared machine's load does not add.
        "median_cpu_ms": round(statistics.median(cpu) * 1000, 1),
        "p95_ms": round(p95, 1),
        "rate_per_core": round(rate, 1),
        "ceiling_render_sign_per_s": ceiling,
        "ratio": round(rate / ceiling, 2),
        "pdf_bytes": len(signed),
        "ceiling_output": out.strip(),
    }
    print(
        f"certificate (40 records, PAdES B-LT): median {median:.1f} ms "
        f"(CPU {statistics.median(cpu) * 1000:.1f} ms), p95 {p95:.1f} ms, "
        f"{rate:.1f}/s on one core = {rate / ceiling:.2f} of sign.py's render+sign "
        f"({ceiling:.0f}/s, same run); {len(signed)} bytes"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
