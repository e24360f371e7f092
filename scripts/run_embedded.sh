#!/usr/bin/env bash
# The embedded site of `make run`, as a visitor would meet it: DEBUG off (the site's own 404 and
# 500 pages; static files served by WhiteNoise), SQLite in var/, in-process tasks. It migrates
# and loads the demo data when needed (the first start), then serves at once; the slots of every
# hall are made in the background (manage.py run_embedded). `make dev` runs Django's debug
# server instead.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV_BIN="${VENV_BIN:-.venv/bin}"
# Always the virtualenv's Python: PYTHON in the environment names the one that made it
# (Makefile, .ci/run), which has none of the site's packages.
SITE_PYTHON="$VENV_BIN/python"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-false}"

mkdir -p var
echo "exitentry on http://$HOST:$PORT/  (admin: http://$HOST:$PORT/admin/; stop with Ctrl-C)"
exec "$SITE_PYTHON" manage.py run_embedded "$HOST:$PORT"
