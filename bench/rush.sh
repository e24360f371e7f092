#!/usr/bin/env bash
# The appointments rush on the production setup (`bash bench/rush.sh`, or `bash bench/run.sh
# rush`): a fresh PostgreSQL database with the demo halls, 2,000 citizens with bearer tokens and
# 10 times holding 300 seats, Redis, gunicorn with 2 workers via scripts/serve_prod.sh; then the
# race (bench/rush.py, ROUNDS times from the same state) and the availability queries (wrk).
# See bench/README.md. Everything it starts or creates is stopped or dropped on exit.
#
# Knobs (environment): BENCH_RUSH_ROUNDS (3), BENCH_RUSH_CITIZENS (2000), BENCH_RUSH_SLOTS (10),
# BENCH_RUSH_SEATS (300), BENCH_RUSH_ATTEMPTS (3, per citizen), BENCH_CONNECTIONS (64),
# BENCH_DURATION (20s, availability), BENCH_WARMUP (5s), BENCH_THREADS (2, wrk's),
# BENCH_LOG_LEVEL (WARNING), BENCH_RUSH_DATABASE_URL, BENCH_RUSH_REDIS_URL, WEB_CONCURRENCY (2),
# APPOINTMENT_RATE_PER_ADDRESS (default here 0 = no limit: every citizen comes from 127.0.0.1),
# APPOINTMENT_RATE_PER_ACCOUNT (the production default, 10/60), and gunicorn's knobs
# (exitentry/gunicorn_conf.py).
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
ROUNDS="${BENCH_RUSH_ROUNDS:-3}"
CITIZENS="${BENCH_RUSH_CITIZENS:-2000}"
SLOTS="${BENCH_RUSH_SLOTS:-10}"
SEATS="${BENCH_RUSH_SEATS:-300}"
ATTEMPTS="${BENCH_RUSH_ATTEMPTS:-3}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-5s}"
WRK_THREADS="${BENCH_THREADS:-2}"
# Not the hall bench's database and Redis database: the two can be set up side by side.
DATABASE_URL_BENCH="${BENCH_RUSH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/exitentry_rush}"
REDIS_URL_BENCH="${BENCH_RUSH_REDIS_URL:-redis://127.0.0.1:6379/14}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"

# shellcheck source=bench/lib.sh
source bench/lib.sh

# -- wrk --------------------------------------------------------------------------------------
bench_ensure_wrk

# -- production environment, nothing inherited that could change the result -----------------
bench_production_env
# Every simulated citizen connects from 127.0.0.1: the per-address limit (production default
# 300/60) would answer 429 to nearly all of them. The per-account limit stays as in production.
export APPOINTMENT_RATE_PER_ADDRESS="${APPOINTMENT_RATE_PER_ADDRESS:-0}"

bench_run_dir rush-

# -- database and data -------------------------------------------------------------------------
say "fresh database $(basename "$DATABASE_URL"): demo halls, $CITIZENS citizens, $SEATS seats"
bench_fresh_db
"$PY" bench/rush_data.py setup "$RUN_DIR" --citizens "$CITIZENS" --slots "$SLOTS" --seats "$SEATS"

# -- server ------------------------------------------------------------------------------------
bench_start_server "" 90

LOAD1="$(cut -d' ' -f1 /proc/loadavg)"
if awk -v l="$LOAD1" 'BEGIN { exit !(l > 1.0) }'; then
  echo "warning: load average $LOAD1 before the runs: something else is using the CPUs that" \
    "the server and the load generators share, so the figures will be low (see 'other')" >&2
fi
read -r WORKER_CLASS WORKER_THREADS < <(BIND="127.0.0.1:$PORT" "$PY" -c \
  'import exitentry.gunicorn_conf as c; print(c.worker_class, c.threads)')
cat >"$RUN_DIR/meta.json" <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "cpus": $(nproc),
  "workers": $WEB_CONCURRENCY,
  "worker_class": "$WORKER_CLASS",
  "threads": $WORKER_THREADS,
  "log_level": "$LOG_LEVEL",
  "connections": $CONNECTIONS,
  "citizens": $CITIZENS,
  "slots": $SLOTS,
  "seats": $SEATS,
  "attempts_per_citizen": $ATTEMPTS,
  "rounds": $ROUNDS,
  "rate_per_account": "${APPOINTMENT_RATE_PER_ACCOUNT:-10/60 (default)}",
  "rate_per_address": "$APPOINTMENT_RATE_PER_ADDRESS",
  "wrk_threads": $WRK_THREADS,
  "duration": "$DURATION",
  "loadavg_before": "$(cut -d' ' -f1-3 /proc/loadavg)"
}
EOF

TIMEFORMAT="%U %S"
# measure NAME COMMAND...: run it with the CPU used by the server, by it and by the machine
measure() {
  local name=$1
  shift
  local server_before busy_before server_after busy_after own_user own_sys
  server_before="$("$PY" bench/helpers.py cpu "$SERVER_PID")"
  busy_before="$("$PY" bench/helpers.py busy)"
  { time "$@" >"$RUN_DIR/$name.txt"; } 2>"$RUN_DIR/$name.time"
  server_after="$("$PY" bench/helpers.py cpu "$SERVER_PID")"
  busy_after="$("$PY" bench/helpers.py busy)"
  read -r own_user own_sys < <(tail -n 1 "$RUN_DIR/$name.time")
  echo "$server_before $server_after $own_user $own_sys $busy_before $busy_after" |
    awk '{ printf "%.2f %.2f %.2f\n", $2 - $1, $3 + $4, $6 - $5 }' >"$RUN_DIR/$name.cpu"
}

wrk_availability() { # duration
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$1" --timeout 5s --latency \
    -H "X-Forwarded-Proto: https" -s bench/availability.lua "$BASE" -- "$RUN_DIR/availability_halls.txt"
}

# -- warm-up: both paths once, on data apart from the race's ---------------------------------------
say "warm-up: availability ($WARMUP), then 200 other citizens booking 400 other seats"
wrk_availability "$WARMUP" | grep -E "^Requests/sec" || true
"$PY" bench/rush.py "$BASE" "$RUN_DIR/warmup_tokens.txt" "$RUN_DIR/warmup_slots.txt" \
  --connections "$CONNECTIONS" | sed 's/^RUSH_JSON /  /' | cut -c1-200

# -- the race, ROUNDS times from the same state -----------------------------------------------------
status=0
for round in $(seq 1 "$ROUNDS"); do
  "$PY" bench/rush_data.py reset "$RUN_DIR"
  say "race $round/$ROUNDS: $CITIZENS citizens, $CONNECTIONS connections, $SEATS seats in $SLOTS times"
  "$PY" bench/helpers.py cpu-loop >"$RUN_DIR/rush-$round.calibration"
  measure "rush-$round" "$PY" bench/rush.py "$BASE" "$RUN_DIR/rush_tokens.txt" \
    "$RUN_DIR/rush_slots.txt" --connections "$CONNECTIONS" --attempts "$ATTEMPTS" --seed "$round"
  sed 's/^RUSH_JSON /  /' "$RUN_DIR/rush-$round.txt"
  if ! "$PY" bench/rush_data.py check "$RUN_DIR" >"$RUN_DIR/check-$round.json"; then
    echo "OVERSOLD or inconsistent after race $round:" >&2
    status=1
  fi
  cut -c1-400 "$RUN_DIR/check-$round.json"
done

# -- availability ---------------------------------------------------------------------------------
say "availability: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION"
"$PY" bench/helpers.py cpu-loop >"$RUN_DIR/availability.calibration"
measure availability wrk_availability "$DURATION"
grep -v '^BENCH_JSON' "$RUN_DIR/availability.txt"

# -- report ---------------------------------------------------------------------------------------
say "results"
"$PY" bench/rush_report.py "$RUN_DIR" || status=$?
cp "$RUN_DIR/results.json" "$RESULTS_DIR/rush-latest.json"
exit "$status"
