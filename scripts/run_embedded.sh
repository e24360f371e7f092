#!/usr/bin/env bash
# The embedded site of `make run`, as a visitor would meet it: DEBUG off (the site's own 404 and
# 500 pages; static files served by WhiteNoise), SQLite in var/, in-process tasks. It serves as
# soon as the database is migrated and the demo data loaded (first start only): the slots of
# every hall are made in the background, a batch of halls at a time, while the site serves (a
# hall's slots are also made on the first availability query), and again every 5 minutes with
# the other periodic work. `make dev` runs Django's debug server instead.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV_BIN="${VENV_BIN:-.venv/bin}"
PYTHON="${PYTHON:-$VENV_BIN/python}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-false}"

mkdir -p var
"$PYTHON" manage.py first_start

# The periodic work, at low priority, stopped with the server.
nice -n 10 "$PYTHON" manage.py appointments_tick --every 300 &
tick=$!
trap 'kill "$tick" 2>/dev/null || true' EXIT

echo "exitentry on http://$HOST:$PORT/  (admin: http://$HOST:$PORT/admin/; stop with Ctrl-C)"
"$PYTHON" manage.py runserver --noreload "$HOST:$PORT"
