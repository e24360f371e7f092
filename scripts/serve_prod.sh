#!/usr/bin/env bash
# The production server: migrate, collect static files, run Django's deployment checks, then
# gunicorn (exitentry/gunicorn_conf.py) in the foreground. Uses the environment as given, which
# must be production's (EXITENTRY_ENV=production, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
# REDIS_URL; see docs/configuration.md). WEB_CONCURRENCY (default 2) and BIND or PORT choose the
# workers and the address. `make serve-prod` runs it.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV_BIN="${VENV_BIN:-.venv/bin}"
PYTHON="${PYTHON:-$VENV_BIN/python}"

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
"$PYTHON" manage.py check --deploy

exec "$VENV_BIN/gunicorn" exitentry.wsgi -c exitentry/gunicorn_conf.py
