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

say() { printf '\n== %s\n' "$*"; }

export EXITENTRY_ENV=production
# A development CA signs certificates here (production refuses it otherwise).
export CERTIFICATES_EMBEDDED_SIGNER_IN_PRODUCTION=true
export DEBUG=false
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="$DATABASE_URL_BENCH"
export REDIS_URL="$REDIS_URL_BENCH"
export CELERY_BROKER_URL="$REDIS_URL_BENCH"
export LOG_LEVEL="${BENCH_LOG_LEVEL:-WARNING}"
export NOTIFICATIONS_LEASE_SECONDS="${NOTIFICATIONS_LEASE_SECONDS:-5}"
export DJANGO_SETTINGS_MODULE=exitentry.settings

RUN_DIR="bench/results/relay-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN_DIR"
export BENCH_RELAY_DIR="$RUN_DIR" BENCH_RELAY_JSON="$RUN_DIR/relay.json"
BENCH_RELAY_SINK_PORT="$("$PY" bench/helpers.py free-port)"
export BENCH_RELAY_SINK_PORT

cleanup() { "$PY" bench/helpers.py drop-db "$DATABASE_URL_BENCH" >/dev/null 2>&1 || true; }
trap cleanup EXIT

say "database ($DATABASE_URL_BENCH)"
"$PY" bench/helpers.py recreate-db "$DATABASE_URL_BENCH"
"$PY" manage.py migrate --noinput >/dev/null

say "relay: ${BENCH_RELAY_MESSAGES:-20000} messages, 2 worker processes, one SIGKILLed mid-batch"
"$PY" bench/relay.py

# The shared ceiling: ../shared from the main checkout, or CEILING_SCRIPT.
CEILING_SCRIPT="${CEILING_SCRIPT:-}"
for candidate in ../shared/ceiling/run.sh ../../shared/ceiling/run.sh; do
  [ -n "$CEILING_SCRIPT" ] || { [ -f "$candidate" ] && CEILING_SCRIPT="$candidate"; } || true
done
if [ "${BENCH_CEILING:-1}" = 1 ] && [ -n "$CEILING_SCRIPT" ]; then
  say "ceiling (the same moment, $CEILING_SCRIPT)"
  CEILING_JSON="$PWD/$RUN_DIR/ceiling.json" bash "$CEILING_SCRIPT" 10 64
fi
say "results in $RUN_DIR"
