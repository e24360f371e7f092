"""Turn the outputs of one bench/rush.sh run into a table and a JSON file.

    python bench/rush_report.py RUN_DIR

RUN_DIR holds, per race, `rush-N.txt` (the RUSH_JSON line of bench/rush.py), `rush-N.cpu` (CPU
seconds of the server, of the load generator and of the whole machine during the race) and
`check-N.json` (bench/rush_data.py check); `availability.txt`/`.cpu` (wrk with
bench/availability.lua); `*.calibration` (bench/helpers.py cpu-loop just before: the CPU speed
of the moment, lower is faster); and `meta.json` written by rush.sh. Writes RUN_DIR/results.json and
prints Markdown tables. Exit 1 if a race oversold or a target is missed.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import parse_wrk

# The targets of issue 4: bookings at 64 connections, and availability queries.
ATTEMPTS_PER_S, P99_MS, AVAILABILITY_RPS = 500.0, 200.0, 1000.0


def _cpu(run_dir: Path, name: str, seconds: float) -> dict:
    path = run_dir / f"{name}.cpu"
    if not path.exists() or not seconds:
        return {}
    server, load, busy = (float(x) for x in path.read_text().split())
    return {
        "server_cpu_cores": round(server / seconds, 2),
        "client_cpu_cores": round(load / seconds, 2),
        "other_cpu_cores": round(max(busy - server - load, 0.0) / seconds, 2),
    }


def _loop(run_dir: Path, name: str) -> dict:
    path = run_dir / f"{name}.calibration"
    return {"cpu_loop_s": float(path.read_text())} if path.exists() else {}


def main(run_dir: Path) -> int:
    meta = json.loads((run_dir / "meta.json").read_text())
    races = []
    for n in range(1, int(meta["rounds"]) + 1):
        out = run_dir / f"rush-{n}.txt"
        if not out.exists():
            continue
        line = next(x for x in out.read_text().splitlines() if x.startswith("RUSH_JSON "))
        race = json.loads(line.removeprefix("RUSH_JSON "))
        race |= _cpu(run_dir, f"rush-{n}", race["wall_s"]) | _loop(run_dir, f"rush-{n}")
        check = run_dir / f"check-{n}.json"
        race["check"] = json.loads(check.read_text()) if check.exists() else None
        races.append(race)
    availability = None
    if (run_dir / "availability.txt").exists():
        availability = parse_wrk((run_dir / "availability.txt").read_text())
        availability |= _cpu(run_dir, "availability", availability["seconds"])
        availability |= _loop(run_dir, "availability")

    problems = []
    for n, race in enumerate(races, 1):
        check = race["check"] or {}
        if check.get("oversold_seats") or check.get("any_slot_over_capacity"):
            problems.append(f"race {n}: OVERSOLD")
        if check.get("seats_not_matching_appointments") or check.get("persons_with_two_active"):
            problems.append(f"race {n}: seats and appointments disagree")
        if check.get("booked") != meta["seats"]:
            problems.append(f"race {n}: {check.get('booked')} of {meta['seats']} seats sold")
        if race["socket_errors"] or any(s.startswith("5") for s in race["by_status"]):
            problems.append(f"race {n}: errors")
    if races:
        best_rate = max(r["attempts_per_s"] for r in races)
        median = sorted(races, key=lambda r: r["attempts_per_s"])[len(races) // 2]
        if median["attempts_per_s"] < ATTEMPTS_PER_S:
            problems.append(f"median race {median['attempts_per_s']:.0f} attempts/s")
        if median["latency_ms"]["p99"] > P99_MS:
            problems.append(f"median race p99 {median['latency_ms']['p99']:.0f} ms")
    else:
        best_rate, median = 0.0, None
        problems.append("no race ran")
    if availability is None:
        problems.append("availability not run")
    else:
        if availability["rps"] < AVAILABILITY_RPS:
            problems.append(f"availability {availability['rps']:.0f} req/s")
        if availability["non2xx"] or any(availability["socket_errors"].values()):
            problems.append("availability errors")

    report = {
        **meta,
        "targets": {
            "attempts_per_s": ATTEMPTS_PER_S,
            "p99_ms": P99_MS,
            "availability_rps": AVAILABILITY_RPS,
        },
        "races": races,
        "availability": availability,
        "verdict": "met" if not problems else "MISSED: " + "; ".join(problems),
    }
    (run_dir / "results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print(
        f"\n{meta['citizens']} citizens, {meta['seats']} seats in {meta['slots']} times, "
        f"{meta['connections']} connections, {meta['workers']} workers ({meta['worker_class']}, "
        f"{meta['threads']} threads), LOG_LEVEL={meta['log_level']}, per-address limit "
        f"{meta['rate_per_address']}, per-account {meta['rate_per_account']}; {meta['cpus']} "
        f"CPUs shared by server, load generator and anything else (load average before: "
        f"{meta.get('loadavg_before')})\n"
    )
    print(
        "| race | attempts | attempts/s | p50 ms | p90 ms | p99 ms | max ms | 201 p50/p99 ms "
        "| 201 | 409 | 429 | other | sold out after s | booked / capacity | oversold "
        "| CPU: server / client / other | CPU loop s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for n, race in enumerate(races, 1):
        by = race["by_status"]
        other = sum(v for k, v in by.items() if k not in ("201", "409", "429"))
        other += race["socket_errors"]
        lat, booked = race["latency_ms"], race["booked_latency_ms"]
        check = race["check"] or {}
        cpu = "/".join(
            str(race.get(k, "-"))
            for k in ("server_cpu_cores", "client_cpu_cores", "other_cpu_cores")
        )
        print(
            f"| {n} | {race['attempts']} | {race['attempts_per_s']:.0f} | {lat['p50']:.1f} | "
            f"{lat['p90']:.1f} | {lat['p99']:.1f} | {lat['max']:.1f} | "
            f"{booked['p50']:.1f}/{booked['p99']:.1f} | {by.get('201', 0)} | "
            f"{by.get('409', 0)} | {by.get('429', 0)} | {other} | {race['sold_out_after_s']} | "
            f"{check.get('booked')} / {check.get('capacity')} | {check.get('oversold_seats')} | "
            f"{cpu} | {race.get('cpu_loop_s', '-')} |"
        )
    if races:
        codes: dict[str, int] = {}
        for race in races:
            for code, count in race["by_code"].items():
                codes[code] = codes.get(code, 0) + count
        print("\nrefusals over all races: " + ", ".join(f"{k}: {v}" for k, v in codes.items()))
        print(f"best race: {best_rate:.0f} attempts/s")
    if availability:
        a = availability
        errors = sum(a["socket_errors"].values())
        cpu = "/".join(
            str(a.get(k, "-")) for k in ("server_cpu_cores", "client_cpu_cores", "other_cpu_cores")
        )
        print("\n| availability | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors "
              "| CPU: server / wrk / other | CPU loop s |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        print(
            f"| wrk -c{meta['connections']} {meta['duration']} | {a['rps']:.0f} | "
            f"{a['p50_ms']:.1f} | {a['p90_ms']:.1f} | {a['p99_ms']:.1f} | {a['max_ms']:.1f} | "
            f"{a['non2xx']} | {errors} | {cpu} | {a.get('cpu_loop_s', '-')} |"
        )
    print(
        f"\nTargets: 0 oversold, >= {ATTEMPTS_PER_S:.0f} attempts/s and p99 <= {P99_MS:.0f} ms "
        f"(median race), availability >= {AVAILABILITY_RPS:.0f} req/s: {report['verdict']}"
    )
    print(f"written: {run_dir / 'results.json'}")
    return 0 if not problems else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
