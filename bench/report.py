"""Turn the wrk outputs of one bench/run.sh run into a table and a JSON file.

    python bench/report.py RUN_DIR

RUN_DIR holds, per run, `<name>.txt` (wrk's output, including the BENCH_JSON line printed by
bench/common.lua) and `<name>.cpu` (CPU seconds used by the server, by wrk and by the whole
machine during the run), plus `meta.json` written by run.sh. A run is a scenario at saturation
(`near`) or paced to about 1,000 requests/s (`near-paced`). Writes RUN_DIR/results.json and
prints a Markdown table.
"""

import json
import re
import sys
from pathlib import Path

SCENARIOS = {
    "near": "(a) nearest halls  GET /api/v1/halls?near=…&limit=20",
    "filtered": "(b) filtered list  GET /api/v1/halls?region|service|q|open_now|near+service",
    "detail": "(c) hall detail    GET /api/v1/halls/{code}",
}
# The targets of the issue: nearest-hall search and the filtered list, 3,000 halls, 2 workers.
TARGETS = {"near": (1000.0, 50.0), "filtered": (1000.0, 50.0)}

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(text: str) -> dict:
    """Figures from wrk's output: the BENCH_JSON line, checked against wrk's own text."""
    line = next((x for x in text.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise ValueError("no BENCH_JSON line: did wrk run the bench/*.lua script?")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    latency = data["latency_us"]
    result = {
        "requests": data["requests"],
        "seconds": round(data["duration_us"] / 1e6, 2),
        "rps": round(data["rps"], 1),
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p90_ms": round(latency["p90"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "mean_ms": round(latency["mean"] / 1000, 2),
        "non2xx": data["non2xx"],
        "non2xx_by_status": data["non2xx_by_status"],
        "socket_errors": data["socket_errors"],
        "transfer_mb": round(data["bytes"] / 1e6, 1),
    }
    # wrk's own summary, as printed with --latency, for a cross-check.
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    if rps:
        result["wrk_rps"] = float(rps.group(1))
    if p99:
        result["wrk_p99_ms"] = round(_ms(p99.group(1)), 2)
    return result


def verdict(name: str, runs: dict[str, dict], paced_rps: float) -> str:
    """Whether a scenario meets its target: throughput at saturation, p99 at the target rate."""
    if name not in TARGETS:
        return "no target"
    rps, p99 = TARGETS[name]
    top, paced = runs.get(name), runs.get(f"{name}-paced")
    problems = []
    if top is None:
        return "not run"
    if top["rps"] < rps:
        problems.append(f"throughput {top['rps']:.0f} req/s, {top['rps'] / rps - 1:+.0%}")
    if paced is None:
        problems.append("no paced run for p99")
    else:
        if paced["rps"] < 0.95 * min(rps, paced_rps):
            problems.append(f"paced run reached only {paced['rps']:.0f} req/s")
        if paced["p99_ms"] > p99:
            problems.append(f"p99 {paced['p99_ms']:.0f} ms at ~{paced['rps']:.0f} req/s")
    for run in (top, paced):
        if run and (run["non2xx"] or any(run["socket_errors"].values())):
            problems.append("errors")
    return "met" if not problems else "MISSED: " + "; ".join(problems)


def main(run_dir: Path) -> int:
    meta = json.loads((run_dir / "meta.json").read_text())
    runs = {}
    for name in [n for s in SCENARIOS for n in (s, f"{s}-paced")]:
        out = run_dir / f"{name}.txt"
        if not out.exists():
            continue
        r = parse_wrk(out.read_text())
        cpu = run_dir / f"{name}.cpu"
        if cpu.exists():
            server, load, busy = (float(x) for x in cpu.read_text().split())
            r["server_cpu_cores"] = round(server / r["seconds"], 2)
            r["wrk_cpu_cores"] = round(load / r["seconds"], 2)
            r["other_cpu_cores"] = round(max(busy - server - load, 0.0) / r["seconds"], 2)
        runs[name] = r
    verdicts = {name: verdict(name, runs, meta.get("paced_rps", 1000)) for name in SCENARIOS}
    report = {**meta, "targets": {k: {"rps": v[0], "p99_ms": v[1]} for k, v in TARGETS.items()}}
    report["runs"] = runs
    report["verdicts"] = verdicts
    (run_dir / "results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print(
        f"\n{meta['halls']} halls, {meta['workers']} workers ({meta['worker_class']}, "
        f"{meta['threads']} threads), wrk -t{meta['wrk_threads']} -c{meta['connections']} "
        f"-d{meta['duration']}, LOG_LEVEL={meta['log_level']}, {meta['cpus']} CPUs shared by "
        f"server, wrk and anything else (load average before: {meta.get('loadavg_before')})\n"
    )
    print(
        "| run | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors "
        "| CPU cores: server / wrk / other |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, r in runs.items():
        label = name.replace("-paced", f" paced ~{meta.get('paced_rps', 1000)}/s")
        errors = sum(r["socket_errors"].values())
        cpu = "/".join(
            str(r.get(k, "-")) for k in ("server_cpu_cores", "wrk_cpu_cores", "other_cpu_cores")
        )
        print(
            f"| {label} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['max_ms']:.1f} | {r['non2xx']} | {errors} | {cpu} |"
        )
    print("\nTargets (>= 1000 req/s at saturation, p99 <= 50 ms at ~1000 req/s):")
    for name, text in verdicts.items():
        print(f"  {name:9} {text}")
    print(f"\nwritten: {run_dir / 'results.json'}")
    bad = any(r["non2xx"] or any(r["socket_errors"].values()) for r in runs.values())
    return 1 if bad or not runs else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
