#!/usr/bin/env bash
# Endorsements (issue 11) on the production setup (`bash bench/endorsements.sh`): a fresh
# PostgreSQL database (migrations seed the endorsement policy), Redis, gunicorn with 2 workers
# via scripts/serve_prod.sh; the bare-framework ceiling (../shared/ceiling/run.sh) measured in the
# same run, before and after; then wrk on GET /api/v1/endorsements/policy (bench/policy.lua,
# against /hello) and on the online application with automatic approval (bench/apply.lua, a
# different person per request, against /write), with 100,000 persons holding a card pass
# (bench/endorsements_data.py; `load_demo` first for the regions).
# Knobs: BENCH_ENDORSEMENTS_PERSONS (100000), BENCH_ENDORSEMENTS_PORT (8141),
# BENCH_CONNECTIONS (64), BENCH_DURATION (20s),
# BENCH_WARMUP (5s), BENCH_THREADS (2), BENCH_ENDORSEMENTS_DATABASE_URL,
# BENCH_ENDORSEMENTS_REDIS_URL, CEILING_SCRIPT, WEB_CONCURRENCY (2).
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
PORT="${BENCH_ENDORSEMENTS_PORT:-8141}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-5s}"
WRK_THREADS="${BENCH_THREADS:-2}"
PERSONS="${BENCH_ENDORSEMENTS_PERSONS:-100000}"
DATABASE_URL_BENCH="${BENCH_ENDORSEMENTS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/exitentry_bench_endorsements}"
REDIS_URL_BENCH="${BENCH_ENDORSEMENTS_REDIS_URL:-redis://127.0.0.1:6379/11}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_find_ceiling
bench_ensure_wrk
bash scripts/ensure_fonts.sh
bench_production_env
bench_run_dir endorsements-

say "fresh database $(basename "$DATABASE_URL") (the migrations seed the policy)"
bench_fresh_db
say "$PERSONS persons with a card pass, an account and a token"
"$PY" bench/endorsements_data.py setup "$RUN_DIR" --persons "$PERSONS"
"$PY" bench/endorsements_data.py touch

bench_start_server "$PORT" 120

wrk_run() { # duration
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$1" --timeout 5s --latency \
    -H "X-Forwarded-Proto: https" -s bench/policy.lua "$BASE"
}
apply_run() { # duration first-line (each person applies once: the warm-up takes the last half)
  BENCH_THREADS="$WRK_THREADS" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$1" --timeout 5s --latency \
    -H "X-Forwarded-Proto: https" -s bench/apply.lua "$BASE" -- "$PWD/$RUN_DIR/apply_tokens.txt" "$2"
}
ceiling() { # name
  say "ceiling ($1)"
  bench_ceiling_warm
  CEILING_PORT=$((PORT + 1)) CEILING_JSON="$PWD/$RUN_DIR/$1.json" bash "$CEILING_SCRIPT" \
    "${DURATION%s}" "$CONNECTIONS" | tee "$RUN_DIR/$1.txt"
}

say "warm-up ($WARMUP)"
wrk_run "$WARMUP" >/dev/null
apply_run "$WARMUP" $((PERSONS / 2)) | grep -E "^Requests/sec|Non-2xx|BENCH_APPLY" || true
ceiling ceiling
cut -d' ' -f1-3 /proc/loadavg >"$RUN_DIR/loadavg-policy"
say "policy: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION"
wrk_run "$DURATION" | tee "$RUN_DIR/policy.txt"
cut -d' ' -f1-3 /proc/loadavg >"$RUN_DIR/loadavg-apply"
say "apply: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION"
apply_run "$DURATION" 0 | tee "$RUN_DIR/apply.txt"
ceiling ceiling-after

"$PY" - "$RUN_DIR" <<'PY'
import json, re, sys
from pathlib import Path
run = Path(sys.argv[1])
text = (run / "policy.txt").read_text()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p99 = re.search(r"99%\s+([\d.]+\w+)", text).group(1)
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
ceilings = [json.loads((run / f"{n}.json").read_text()) for n in ("ceiling", "ceiling-after")]
hello = [c["/hello"]["rps"] for c in ceilings]
write = [c["/write"]["rps"] for c in ceilings]
mean = sum(hello) / len(hello)
result = {"policy_rps": rps, "policy_p99": p99, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
          "hello_before": hello[0], "hello_after": hello[1], "ratio_to_hello_mean": round(rps / mean, 3),
          "loadavg_policy": (run / "loadavg-policy").read_text().strip()}
apply = json.loads(re.search(r"^BENCH_JSON (.*)$", (run / "apply.txt").read_text(), re.M).group(1))
not_approved = json.loads(re.search(r"^BENCH_APPLY (.*)$", (run / "apply.txt").read_text(), re.M).group(1))
result |= {
    "apply_rps": round(apply["rps"], 1), "apply_p99_ms": round(apply["latency_us"]["p99"] / 1000, 1),
    "apply_p50_ms": round(apply["latency_us"]["p50"] / 1000, 1), "apply_non_2xx": apply["non2xx"],
    "apply_non_2xx_by_status": apply["non2xx_by_status"], "apply_not_approved": not_approved["not_approved"],
    "apply_socket_errors": apply["socket_errors"],
    "write_before": write[0], "write_after": write[1],
    "apply_ratio_to_write_mean": round(apply["rps"] / (sum(write) / len(write)), 3),
    "loadavg_apply": (run / "loadavg-apply").read_text().strip(),
}
(run / "results.json").write_text(json.dumps(result, indent=2))
print(json.dumps(result, indent=2))
PY
