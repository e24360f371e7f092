#!/usr/bin/env bash
# The notifications relay under load (`bash bench/relay.sh`, or `bash bench/run.sh relay`): a
# fresh PostgreSQL database with BENCH_RELAY_MESSAGES queued text messages, Redis, the HTTP SMS
# adapter sink and `celery -A exitentry worker -c 2` with production settings; one worker
# process is SIGKILLed mid-batch. Then the bare-framework ceiling of the same moment
# (../shared/ceiling/run.sh, skipped with BENCH_CEILING=0). See bench/README.md.
#
# Knobs (environment): BENCH_RELAY_MESSAGES (20000), BENCH_RELAY_USERS (2000),
# BENCH_RELAY_DATABASE_URL, BENCH_RELAY_REDIS_URL, NOTIFICATIONS_LEASE_SECONDS (5),
# NOTIFICATIONS_BATCH_SIZE (100), NOTIFICATIONS_SEND_THREADS (8), BENCH_CEILING (1).
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
DATABASE_URL_BENCH="${BENCH_RELAY_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/exitentry_relay}"
REDIS_URL_BENCH="${BENCH_RELAY_REDIS_URL:-redis://127.0.0.1:6379/12}"

# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_production_env
export NOTIFICATIONS_LEASE_SECONDS="${NOTIFICATIONS_LEASE_SECONDS:-5}"
export DJANGO_SETTINGS_MODULE=exitentry.settings

bench_run_dir relay-
export BENCH_RELAY_DIR="$RUN_DIR" BENCH_RELAY_JSON="$RUN_DIR/relay.json"
BENCH_RELAY_SINK_PORT="$("$PY" bench/helpers.py free-port)"
export BENCH_RELAY_SINK_PORT

say "database ($DATABASE_URL_BENCH)"
"$PY" bench/helpers.py recreate-db "$DATABASE_URL_BENCH"
"$PY" manage.py migrate --noinput >/dev/null

say "relay: ${BENCH_RELAY_MESSAGES:-20000} messages, 2 worker processes, one SIGKILLed mid-batch"
"$PY" bench/relay.py

if [ "${BENCH_CEILING:-1}" = 1 ]; then
  bench_find_ceiling
  say "ceiling (the same moment, $CEILING_SCRIPT)"
  bench_ceiling_warm
  CEILING_JSON="$PWD/$RUN_DIR/ceiling.json" bash "$CEILING_SCRIPT" 10 64
fi
say "results in $RUN_DIR"
