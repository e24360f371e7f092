#!/usr/bin/env bash
# Load test of the hall API on the production setup (`make bench`): a fresh PostgreSQL database
# with 3,000 halls, Redis, gunicorn with 2 workers via scripts/serve_prod.sh, then wrk.
# `bash bench/run.sh rush` runs the appointments rush instead (bench/rush.sh), `bash bench/run.sh
# documents` "My documents" with bearer tokens (bench/documents.sh), `bash bench/run.sh progress`
# "My applications" and the progress lookup (bench/progress.sh).
# See bench/README.md. Everything it starts or creates is stopped or dropped on exit.
#
# Knobs (environment): BENCH_DURATION (20s), BENCH_WARMUP (5s), BENCH_CONNECTIONS (64),
# BENCH_THREADS (2, wrk's), BENCH_HALLS (3000), BENCH_SCENARIOS ("near filtered detail"),
# BENCH_LOG_LEVEL (WARNING), BENCH_PACED_RPS (1000; 0 skips the paced runs), BENCH_DATABASE_URL,
# BENCH_REDIS_URL, WEB_CONCURRENCY (2), and
# GUNICORN_WORKER_CLASS / GUNICORN_THREADS / GUNICORN_KEEPALIVE (exitentry/gunicorn_conf.py).
set -euo pipefail

cd "$(dirname "$0")/.."
# `bash bench/run.sh rush`: the appointments rush instead (bench/rush.sh, its own database).
if [ "${1:-}" = "rush" ]; then
  exec bash bench/rush.sh
fi
# `bash bench/run.sh relay`: the notifications relay with a SIGKILL (bench/relay.sh, issue 10).
if [ "${1:-}" = "relay" ]; then
  exec bash bench/relay.sh
fi
# `bash bench/run.sh documents`: "My documents" with bearer tokens (bench/documents.sh, issue 3).
if [ "${1:-}" = "documents" ]; then
  exec bash bench/documents.sh
fi
# `bash bench/run.sh progress`: "My applications" and the progress lookup (bench/progress.sh,
# issue 10), with the bare-framework ceiling measured in the same run.
if [ "${1:-}" = "progress" ]; then
  exec bash bench/progress.sh
fi
# `bash bench/run.sh endorsements`: the endorsement policy and the online application with
# automatic approval (bench/endorsements.sh, issue 11), against the ceiling of the same run.
if [ "${1:-}" = "endorsements" ]; then
  exec bash bench/endorsements.sh
fi
PY="${PYTHON:-.venv/bin/python}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-5s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
WRK_THREADS="${BENCH_THREADS:-2}"
HALLS="${BENCH_HALLS:-3000}"
SCENARIOS="${BENCH_SCENARIOS:-near filtered detail}"
DATABASE_URL_BENCH="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/exitentry_bench}"
REDIS_URL_BENCH="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"

# shellcheck source=bench/lib.sh
source bench/lib.sh

# -- wrk --------------------------------------------------------------------------------------
bench_ensure_wrk

# -- production environment, nothing inherited that could change the result -----------------
bench_production_env

bench_run_dir ""

# -- database and data -------------------------------------------------------------------------
say "fresh database $(basename "$DATABASE_URL"), $HALLS halls"
bench_fresh_db --halls "$HALLS"
"$PY" manage.py shell -v 0 -c \
  "from guide.models import Hall; print('\n'.join(Hall.objects.filter(is_active=True).order_by('code').values_list('code', flat=True)))" \
  >"$RUN_DIR/hall_codes.txt"

# -- server ------------------------------------------------------------------------------------
bench_start_server "" 90

LOAD1="$(cut -d' ' -f1 /proc/loadavg)"
if awk -v l="$LOAD1" 'BEGIN { exit !(l > 1.0) }'; then
  echo "warning: load average $LOAD1 before the runs: something else is using the CPUs that" \
    "the server and wrk share, so the figures will be low (see 'other' in the table)" >&2
fi
read -r WORKER_CLASS WORKER_THREADS REUSE_PORT < <(BIND="127.0.0.1:$PORT" "$PY" -c \
  'import exitentry.gunicorn_conf as c; print(c.worker_class, c.threads, str(c.reuse_port).lower())')
cat >"$RUN_DIR/meta.json" <<EOF
{
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "cpus": $(nproc),
  "halls": $(wc -l <"$RUN_DIR/hall_codes.txt"),
  "workers": $WEB_CONCURRENCY,
  "worker_class": "$WORKER_CLASS",
  "threads": $WORKER_THREADS,
  "reuse_port": $REUSE_PORT,
  "log_level": "$LOG_LEVEL",
  "connections": $CONNECTIONS,
  "wrk_threads": $WRK_THREADS,
  "duration": "$DURATION",
  "warmup": "$WARMUP",
  "paced_rps": ${BENCH_PACED_RPS:-1000},
  "loadavg_before": "$(cut -d' ' -f1-3 /proc/loadavg)"
}
EOF

wrk_run() { # scenario duration [think_ms]
  BENCH_THINK_MS="${3:-}" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$2" --timeout 5s --latency \
    -H "X-Forwarded-Proto: https" -s "bench/$1.lua" "$BASE" -- "$RUN_DIR/hall_codes.txt"
}

# -- warm-up: every scenario once, results discarded ---------------------------------------------
for scenario in $SCENARIOS; do
  say "warm-up $scenario ($WARMUP)"
  wrk_run "$scenario" "$WARMUP" | grep -E "^Requests/sec" || true
done

# -- measured runs --------------------------------------------------------------------------------
# Each scenario at saturation (as many requests as 64 connections get through: throughput), then
# the scenarios with a target again paced to about PACED_RPS (latency at the target rate).
measure() { # name scenario [think_ms]
  local name=$1 scenario=$2 think=${3:-}
  say "$name: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION${think:+, think time ~${think} ms}"
  local server_before busy_before server_after busy_after wrk_user wrk_sys
  server_before="$("$PY" bench/helpers.py cpu "$SERVER_PID")"
  busy_before="$("$PY" bench/helpers.py busy)"
  { time wrk_run "$scenario" "$DURATION" "$think" >"$RUN_DIR/$name.txt"; } \
    2>"$RUN_DIR/$name.time"
  server_after="$("$PY" bench/helpers.py cpu "$SERVER_PID")"
  busy_after="$("$PY" bench/helpers.py busy)"
  read -r wrk_user wrk_sys < <(tail -n 1 "$RUN_DIR/$name.time")
  # server, wrk and whole-machine CPU seconds during the run
  echo "$server_before $server_after $wrk_user $wrk_sys $busy_before $busy_after" |
    awk '{ printf "%.2f %.2f %.2f\n", $2 - $1, $3 + $4, $6 - $5 }' >"$RUN_DIR/$name.cpu"
  grep -v '^BENCH_JSON' "$RUN_DIR/$name.txt"
}

TIMEFORMAT="%U %S"
PACED_RPS="${BENCH_PACED_RPS:-1000}"
for scenario in $SCENARIOS; do
  measure "$scenario" "$scenario"
done
if [ "$PACED_RPS" -gt 0 ]; then
  # mean think time so that CONNECTIONS connections offer PACED_RPS (less ~3 ms of latency)
  THINK_MS=$((CONNECTIONS * 1000 / PACED_RPS - 3))
  [ "$THINK_MS" -ge 1 ] || THINK_MS=1
  for scenario in $SCENARIOS; do
    case "$scenario" in near | filtered) measure "$scenario-paced" "$scenario" "$THINK_MS" ;; esac
  done
fi

# -- report --------------------------------------------------------------------------------------
say "results"
status=0
"$PY" bench/report.py "$RUN_DIR" || status=$?
cp "$RUN_DIR/results.json" "$RESULTS_DIR/latest.json"
exit "$status"
