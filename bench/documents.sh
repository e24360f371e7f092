#!/usr/bin/env bash
# "My documents" over the API (issue 3) on the production setup (`bash bench/documents.sh`, or
# `bash bench/run.sh documents`): a fresh PostgreSQL database with the demo halls and a registry
# of 10,000 generated persons with their documents, an account bound to each of 10,000 persons
# with a bearer token, Redis, gunicorn with 2 workers via scripts/serve_prod.sh; then wrk on
# GET /api/v1/me/documents with a random token per request, at saturation and paced to ~800/s.
# See bench/README.md. Everything it starts or creates is stopped or dropped on exit.
#
# Knobs (environment): BENCH_DOC_PERSONS (10000, load_demo_registry --persons),
# BENCH_DOC_ACCOUNTS (10000), BENCH_DOC_PACED_RPS (800; 0 skips the paced run),
# BENCH_CONNECTIONS (64), BENCH_DURATION (20s), BENCH_WARMUP (5s), BENCH_THREADS (2, wrk's),
# BENCH_LOG_LEVEL (WARNING), BENCH_DOC_DATABASE_URL, BENCH_DOC_REDIS_URL, WEB_CONCURRENCY (2),
# and gunicorn's knobs (exitentry/gunicorn_conf.py).
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
PERSONS="${BENCH_DOC_PERSONS:-10000}"
ACCOUNTS="${BENCH_DOC_ACCOUNTS:-10000}"
PACED_RPS="${BENCH_DOC_PACED_RPS:-800}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-5s}"
WRK_THREADS="${BENCH_THREADS:-2}"
# Not the other benches' database and Redis database: they can be set up side by side.
DATABASE_URL_BENCH="${BENCH_DOC_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/exitentry_docbench}"
REDIS_URL_BENCH="${BENCH_DOC_REDIS_URL:-redis://127.0.0.1:6379/13}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"

# shellcheck source=bench/lib.sh
source bench/lib.sh

# -- wrk --------------------------------------------------------------------------------------
bench_ensure_wrk

# -- production environment, nothing inherited that could change the result -----------------
bench_production_env

bench_run_dir documents-

# -- database and data -------------------------------------------------------------------------
say "fresh database $(basename "$DATABASE_URL"): demo halls, $PERSONS registry persons, $ACCOUNTS accounts"
bench_fresh_db
SECONDS=0
"$PY" manage.py load_demo_registry --persons "$PERSONS"
REGISTRY_SECONDS=$SECONDS
echo "load_demo_registry --persons $PERSONS: ${REGISTRY_SECONDS} s"
"$PY" bench/documents_data.py setup "$RUN_DIR" --accounts "$ACCOUNTS"
bench_vacuum

# -- server ------------------------------------------------------------------------------------
bench_start_server "" 90

read -r WORKER_CLASS WORKER_THREADS < <(BIND="127.0.0.1:$PORT" "$PY" -c \
  'import exitentry.gunicorn_conf as c; print(c.worker_class, c.threads)')
cat >"$RUN_DIR/meta.json" <<JSON
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "cpus": $(nproc),
  "registry_persons_generated": $PERSONS,
  "load_demo_registry_seconds": $REGISTRY_SECONDS,
  "workers": $WEB_CONCURRENCY,
  "worker_class": "$WORKER_CLASS",
  "threads": $WORKER_THREADS,
  "log_level": "$LOG_LEVEL",
  "connections": $CONNECTIONS,
  "wrk_threads": $WRK_THREADS,
  "duration": "$DURATION",
  "warmup": "$WARMUP",
  "paced_rps": $PACED_RPS,
  "loadavg_at_start": "$LOADAVG_START"
}
JSON

wrk_run() { # duration [rate: requests/s, on a schedule]
  BENCH_RATE="${2:-}" BENCH_RATE_THREADS="$WRK_THREADS" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$1" --timeout 5s --latency \
    -H "X-Forwarded-Proto: https" -s bench/documents.lua "$BASE" -- "$RUN_DIR/document_tokens.txt"
}

# CPU speed of the moment (bench/helpers.py cpu-loop).
calibrate() { "$PY" bench/helpers.py cpu-loop; }

# PostgreSQL's CPU (the postmaster and its backends) when it runs on this machine, else 0.
PG_PID="$(pgrep -o -x postgres || true)"
pg_cpu() {
  if [ -n "$PG_PID" ]; then "$PY" bench/helpers.py cpu "$PG_PID"; else echo 0; fi
}

TIMEFORMAT="%U %S"
measure() { # name [rate]
  local name=$1 rate=${2:-}
  # The production steady state for "last used": each token's last write 0-5 minutes ago.
  "$PY" bench/documents_data.py touch
  cut -d' ' -f1-3 /proc/loadavg >"$RUN_DIR/$name.loadavg"
  calibrate >"$RUN_DIR/$name.calibration"
  say "$name: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION${rate:+, paced at ${rate} requests/s}" \
    "(load average before: $(cat "$RUN_DIR/$name.loadavg"), CPU loop $(cat "$RUN_DIR/$name.calibration") s)"
  local server_before busy_before pg_before server_after busy_after pg_after wrk_user wrk_sys
  server_before="$("$PY" bench/helpers.py cpu "$SERVER_PID")"
  pg_before="$(pg_cpu)"
  busy_before="$("$PY" bench/helpers.py busy)"
  { time wrk_run "$DURATION" "$rate" >"$RUN_DIR/$name.txt"; } 2>"$RUN_DIR/$name.time"
  server_after="$("$PY" bench/helpers.py cpu "$SERVER_PID")"
  pg_after="$(pg_cpu)"
  busy_after="$("$PY" bench/helpers.py busy)"
  read -r wrk_user wrk_sys < <(tail -n 1 "$RUN_DIR/$name.time")
  # server, wrk, whole machine and PostgreSQL CPU seconds during the run
  echo "$server_before $server_after $wrk_user $wrk_sys $busy_before $busy_after $pg_before $pg_after" |
    awk '{ printf "%.2f %.2f %.2f %.2f\n", $2 - $1, $3 + $4, $6 - $5, $8 - $7 }' >"$RUN_DIR/$name.cpu"
  grep -v '^BENCH_JSON' "$RUN_DIR/$name.txt"
}

# -- warm-up, results discarded -------------------------------------------------------------------
say "warm-up ($WARMUP)"
wrk_run "$WARMUP" | grep -E "^Requests/sec|Non-2xx" || true

# -- measured runs: saturation (throughput), then paced to ~PACED_RPS (latency at that rate) ------
measure documents
if [ "$PACED_RPS" -gt 0 ]; then
  measure documents-paced "$PACED_RPS"
fi

# -- report --------------------------------------------------------------------------------------
say "results"
status=0
"$PY" bench/documents_data.py report "$RUN_DIR" || status=$?
cp "$RUN_DIR/results.json" "$RESULTS_DIR/documents-latest.json"
exit "$status"
