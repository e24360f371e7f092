#!/usr/bin/env bash
# "My applications" and the progress lookup (issue 10) on the production setup
# (`bash bench/progress.sh`, or `bash bench/run.sh progress`): a fresh PostgreSQL database with the
# demo halls and 100,000 applications (bench/progress_data.py), 10,000 bound accounts with a
# bearer token, Redis, gunicorn with 2 workers via scripts/serve_prod.sh; the bare-framework
# ceiling (../shared/ceiling/run.sh) measured in the same run; then wrk on
# GET /api/v1/me/applications (a random token per request) and POST /api/v1/progress/lookup (a
# random application's number and ID number), each at saturation and paced at 0.3 of the /db
# ceiling. See bench/README.md. Everything it starts or creates is stopped or dropped on exit.
#
# Knobs (environment): BENCH_PROGRESS_APPLICATIONS (100000), BENCH_PROGRESS_ACCOUNTS (10000),
# BENCH_PROGRESS_SCENARIOS ("applications lookup"), BENCH_PROGRESS_PORT (8131; the ceiling's
# server on the next port), BENCH_PROGRESS_PACED_RATIO (0.3; 0 skips the paced runs),
# BENCH_CONNECTIONS (64), BENCH_DURATION (20s), BENCH_WARMUP (5s), BENCH_THREADS (2, wrk's),
# BENCH_LOG_LEVEL (WARNING), BENCH_PROGRESS_DATABASE_URL, BENCH_PROGRESS_REDIS_URL,
# CEILING_SCRIPT (the ceiling's run.sh), WEB_CONCURRENCY (2), and gunicorn's knobs.
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
APPLICATIONS="${BENCH_PROGRESS_APPLICATIONS:-100000}"
ACCOUNTS="${BENCH_PROGRESS_ACCOUNTS:-10000}"
SCENARIOS="${BENCH_PROGRESS_SCENARIOS:-applications lookup}"
PACED_RATIO="${BENCH_PROGRESS_PACED_RATIO:-0.3}"
PORT="${BENCH_PROGRESS_PORT:-8131}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-5s}"
WRK_THREADS="${BENCH_THREADS:-2}"
# Not the other benches' database and Redis database: they can be set up side by side.
DATABASE_URL_BENCH="${BENCH_PROGRESS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/exitentry_bench_progress}"
REDIS_URL_BENCH="${BENCH_PROGRESS_REDIS_URL:-redis://127.0.0.1:6379/12}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_find_ceiling

# -- wrk and the receipt font (check --deploy wants it) ---------------------------------------
bench_ensure_wrk
bash scripts/ensure_fonts.sh

# -- production environment, nothing inherited that could change the result -----------------
bench_production_env
# Every simulated client connects from 127.0.0.1: no per-address limit of the lookup (the
# production default, 30 a minute, would answer 429 to nearly all). The per-number limit
# (10 in 10 minutes) stays as in production: 100,000 numbers drawn at random stay under it.
export PROGRESS_LOOKUP_RATE_PER_ADDRESS="${PROGRESS_LOOKUP_RATE_PER_ADDRESS:-0/60}"

bench_run_dir progress-

# -- database and data -------------------------------------------------------------------------
if [ -n "${BENCH_REUSE_DB:-}" ]; then
  say "reusing database $(basename "$DATABASE_URL") and the data files in $BENCH_REUSE_DB"
  cp "$BENCH_REUSE_DB"/{application_tokens.txt,lookup_pairs.txt,data.json} "$RUN_DIR/"
  DATA_SECONDS=0
else
  say "fresh database $(basename "$DATABASE_URL"): demo halls, $APPLICATIONS applications, $ACCOUNTS accounts"
  bench_fresh_db
  SECONDS=0
  "$PY" bench/progress_data.py setup "$RUN_DIR" --applications "$APPLICATIONS" --accounts "$ACCOUNTS"
  DATA_SECONDS=$SECONDS
  bench_vacuum
fi

# -- server ------------------------------------------------------------------------------------
bench_start_server "$PORT" 120

wrk_run() { # scenario duration [rate: requests/s, on a schedule] [file for the cores used]
  local data_file=application_tokens.txt
  [ "$1" = lookup ] && data_file=lookup_pairs.txt
  # The cores each program used meanwhile (postgres, gunicorn, wrk, other), counted per process
  # (bench/helpers.py cpu-during), to the file given, or to one that is thrown away.
  BENCH_RATE="${3:-}" BENCH_RATE_THREADS="$WRK_THREADS" \
    "$PY" bench/helpers.py cpu-during "${4:-/dev/null}" -- \
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$2" --timeout 5s --latency \
    -H "X-Forwarded-Proto: https" -s "bench/$1.lua" "$BASE" -- "$RUN_DIR/$data_file"
}

# -- warm-up, results discarded -------------------------------------------------------------------
for scenario in $SCENARIOS; do
  say "warm-up $scenario ($WARMUP)"
  wrk_run "$scenario" "$WARMUP" | grep -E "^Requests/sec|Non-2xx" || true
done

# -- the ceiling of this machine now (the server above idles meanwhile), again after the runs ----
# Other work on a shared machine comes and goes within minutes: the report gives each figure as
# a ratio to the ceiling before, after, and their mean (the targets are judged on the mean).
ceiling() { # name
  say "ceiling ($1): $CEILING_SCRIPT (port $((PORT + 1)))"
  bench_ceiling_warm
  CEILING_PORT=$((PORT + 1)) CEILING_JSON="$PWD/$RUN_DIR/$1.json" bash "$CEILING_SCRIPT" \
    "${DURATION%s}" "$CONNECTIONS" | tee "$RUN_DIR/$1.txt"
}
ceiling ceiling
DB_RPS="$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["/db"]["rps"])' "$RUN_DIR/ceiling.json")"
PACED_RPS="$("$PY" -c 'import sys; print(round(float(sys.argv[1]) * float(sys.argv[2])))' "$DB_RPS" "$PACED_RATIO")"

read -r WORKER_CLASS WORKER_THREADS < <(BIND="127.0.0.1:$PORT" "$PY" -c \
  'import exitentry.gunicorn_conf as c; print(c.worker_class, c.threads)')
paced_json="{$(for s in $SCENARIOS; do printf '"%s": %s,' "$s" "$PACED_RPS"; done | sed 's/,$//')}"
cat >"$RUN_DIR/meta.json" <<JSON
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "cpus": $(nproc),
  "applications": $APPLICATIONS,
  "accounts": $ACCOUNTS,
  "data_seconds": $DATA_SECONDS,
  "workers": $WEB_CONCURRENCY,
  "worker_class": "$WORKER_CLASS",
  "threads": $WORKER_THREADS,
  "log_level": "$LOG_LEVEL",
  "connections": $CONNECTIONS,
  "wrk_threads": $WRK_THREADS,
  "duration": "$DURATION",
  "warmup": "$WARMUP",
  "paced_ratio": $PACED_RATIO,
  "paced_rps": $paced_json,
  "loadavg_at_start": "$LOADAVG_START"
}
JSON

calibrate() { "$PY" bench/helpers.py cpu-loop; }

measure() { # name scenario [rate]
  local name=$1 scenario=$2 rate=${3:-}
  "$PY" bench/progress_data.py touch
  cut -d' ' -f1-3 /proc/loadavg >"$RUN_DIR/$name.loadavg"
  calibrate >"$RUN_DIR/$name.calibration"
  say "$name: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION${rate:+, paced at ${rate} requests/s}" \
    "(load average before: $(cat "$RUN_DIR/$name.loadavg"), CPU loop $(cat "$RUN_DIR/$name.calibration") s)"
  wrk_run "$scenario" "$DURATION" "$rate" "$RUN_DIR/$name-cpu.json" >"$RUN_DIR/$name.txt"
  grep -v '^BENCH_JSON' "$RUN_DIR/$name.txt"
}

# -- measured runs: saturation, then paced at PACED_RATIO of the /db ceiling ------------------------
for scenario in $SCENARIOS; do
  measure "$scenario" "$scenario"
  if [ "$PACED_RPS" -gt 0 ]; then
    measure "$scenario-paced" "$scenario" "$PACED_RPS"
  fi
done

ceiling ceiling-after

# -- report --------------------------------------------------------------------------------------
say "results"
status=0
"$PY" bench/progress_data.py report "$RUN_DIR" || status=$?
cp "$RUN_DIR/results.json" "$RESULTS_DIR/progress-latest.json"
exit "$status"
