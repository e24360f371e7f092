# What every benchmark script shares (sourced, not run): the production environment, wrk, the
# results folder, the server under test and the clean-up on exit. A script sets PY,
# DATABASE_URL_BENCH and REDIS_URL_BENCH, then sources this file.

say() { printf '\n== %s\n' "$*"; }

# wrk from Debian's packages when it is missing.
bench_ensure_wrk() {
  command -v wrk >/dev/null && return 0
  say "installing wrk (apt)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >/dev/null
}

# The production environment, nothing inherited that could change the result.
bench_production_env() {
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
  unset SECURE_SSL_REDIRECT BIND
}

# bench_run_dir PREFIX: RUN_DIR=bench/results/PREFIX<UTC time>, made; LOADAVG_START noted.
bench_run_dir() {
  RESULTS_DIR="bench/results"
  RUN_DIR="$RESULTS_DIR/$1$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$RUN_DIR"
  LOADAVG_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  # The server's memory settings decide whether a large database is read from memory or from
  # the disk (docs/deployment.md "PostgreSQL settings"): noted with every run, warned about.
  if [ -n "${DATABASE_URL:-}" ]; then
    "$PY" bench/helpers.py pg-settings "$DATABASE_URL" | tee "$RUN_DIR/postgres_settings.json"
  fi
}

# On exit (also on Ctrl-C): stop the server, drop the database unless BENCH_KEEP_DB is set.
SERVER_PID=""
bench_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -z "${BENCH_KEEP_DB:-}" ]; then
    "$PY" bench/helpers.py drop-db "$DATABASE_URL" || true
  fi
  exit "$status"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# bench_fresh_db [load_demo arguments]: an empty database, migrated, with the demo halls.
bench_fresh_db() {
  "$PY" bench/helpers.py recreate-db "$DATABASE_URL"
  "$PY" manage.py shell -v 0 -c "from django.core.cache import cache; cache.clear()"
  "$PY" manage.py migrate --noinput >/dev/null
  "$PY" manage.py load_demo "$@" >/dev/null
}

bench_vacuum() {
  "$PY" manage.py shell -v 0 -c "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
}

# bench_start_server [PORT] [SECONDS]: gunicorn via scripts/serve_prod.sh on PORT (a free one
# by default); sets PORT, BASE and SERVER_PID, and waits until /readyz answers.
bench_start_server() {
  PORT="${1:-$("$PY" bench/helpers.py free-port)}"
  BASE="http://127.0.0.1:$PORT"
  say "starting scripts/serve_prod.sh on $BASE ($WEB_CONCURRENCY workers), log in $RUN_DIR/server.log"
  BIND="127.0.0.1:$PORT" bash scripts/serve_prod.sh >"$RUN_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  if ! "$PY" bench/helpers.py wait-ready "$BASE/readyz" "${2:-90}"; then
    echo "server not ready; last lines of its log:" >&2
    tail -n 30 "$RUN_DIR/server.log" >&2
    exit 1
  fi
}

# The bare-framework ceiling's run.sh (../shared/ceiling/run.sh), or CEILING_SCRIPT.
bench_find_ceiling() {
  CEILING_SCRIPT="${CEILING_SCRIPT:-}"
  if [ -z "$CEILING_SCRIPT" ]; then
    for candidate in ../shared/ceiling/run.sh ../../shared/ceiling/run.sh; do
      if [ -f "$candidate" ]; then CEILING_SCRIPT="$candidate"; break; fi
    done
  fi
  [ -n "$CEILING_SCRIPT" ] || { echo "the ceiling's run.sh is not found: set CEILING_SCRIPT" >&2; exit 1; }
}

# Before each ceiling run: its /db table read into PostgreSQL's buffers (bench/helpers.py
# ceiling-warm). A bench's own databases push it out, and a cold /db measured half its rate.
bench_ceiling_warm() {
  "$PY" bench/helpers.py ceiling-warm || true
}
