#!/usr/bin/env bash
# Crossings (issue 12) on the production setup (`bash bench/crossings.sh`): a fresh PostgreSQL
# database with the demo halls, BENCH_X_PERSONS generated persons with their documents and
# BENCH_X_CROSSINGS crossings over 10 years (bench/crossings_data.py, COPY), 10,000 accounts
# with a bearer token (bench/documents_data.py setup), Redis, gunicorn with 2 workers via
# scripts/serve_prod.sh. Then, in the same run:
#   1. the ceiling (../shared/ceiling/run.sh: /hello, /db, /write) for the ratios;
#   2. "My entry/exit records": wrk on GET /api/v1/me/crossings, a random token per request,
#      at saturation, then paced to 0.3 of the /db ceiling (bench/crossings.lua);
#   3. ingestion: bench/crossings_ingest.py, BENCH_X_SENDERS ports each sending batches of
#      500 new events, then the same batches again (a replay must add 0 rows).
# Results in bench/results/crossings-<time>/ and bench/results/crossings-latest.json.
#
# Knobs: BENCH_X_PERSONS (100000), BENCH_X_CROSSINGS (1000000; the issue's 10 million takes
# about 40 minutes to generate on the shared 2-core machine), BENCH_X_SENDERS (4),
# BENCH_X_BATCHES (40 per sender), BENCH_CONNECTIONS (64), BENCH_DURATION (20s),
# BENCH_X_DATABASE_URL, BENCH_X_REDIS_URL, WEB_CONCURRENCY (2).
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
PERSONS="${BENCH_X_PERSONS:-100000}"
CROSSINGS="${BENCH_X_CROSSINGS:-1000000}"
SENDERS="${BENCH_X_SENDERS:-4}"
BATCHES="${BENCH_X_BATCHES:-40}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
DURATION="${BENCH_DURATION:-20s}"
DATABASE_URL_BENCH="${BENCH_X_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/exitentry_crossbench}"
REDIS_URL_BENCH="${BENCH_X_REDIS_URL:-redis://127.0.0.1:6379/12}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"

say() { printf '\n== %s\n' "$*"; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

export EXITENTRY_ENV=production
# A development CA signs certificates here (production refuses it otherwise).
export CERTIFICATES_EMBEDDED_SIGNER_IN_PRODUCTION=true
export DEBUG=false
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')"
PORT_CREDENTIAL_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(40))')"
export SECRET_KEY PORT_CREDENTIAL_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="$DATABASE_URL_BENCH"
export REDIS_URL="$REDIS_URL_BENCH"
export CELERY_BROKER_URL="$REDIS_URL_BENCH"
export LOG_LEVEL="${BENCH_LOG_LEVEL:-WARNING}"
unset SECURE_SSL_REDIRECT BIND PORT

RUN_DIR="$PWD/bench/results/crossings-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN_DIR"
SERVER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  "$PY" bench/helpers.py drop-db "$DATABASE_URL" || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "fresh database: demo halls, $PERSONS persons, $CROSSINGS crossings"
"$PY" bench/helpers.py recreate-db "$DATABASE_URL"
"$PY" manage.py shell -v 0 -c "from django.core.cache import cache; cache.clear()"
"$PY" manage.py migrate --noinput >/dev/null
"$PY" manage.py load_demo >/dev/null
"$PY" bench/crossings_data.py generate "$RUN_DIR" --persons "$PERSONS" --crossings "$CROSSINGS"
"$PY" bench/documents_data.py setup "$RUN_DIR" --accounts 10000
"$PY" manage.py shell -v 0 -c "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"

say "ceiling (../shared/ceiling/run.sh)"
CEILING_JSON="$RUN_DIR/ceiling.json" bash /work/shared/ceiling/run.sh 20 "$CONNECTIONS" | tee "$RUN_DIR/ceiling.txt"

PORT="$("$PY" bench/helpers.py free-port)"
BASE="http://127.0.0.1:$PORT"
say "starting scripts/serve_prod.sh on $BASE ($WEB_CONCURRENCY workers)"
BIND="127.0.0.1:$PORT" bash scripts/serve_prod.sh >"$RUN_DIR/server.log" 2>&1 &
SERVER_PID=$!
"$PY" bench/helpers.py wait-ready "$BASE/readyz" 90 || { tail -n 30 "$RUN_DIR/server.log"; exit 1; }

wrk_run() { # duration [rate]
  BENCH_RATE="${2:-}" BENCH_RATE_THREADS=2 wrk -t2 -c"$CONNECTIONS" -d"$1" --timeout 5s --latency \
    -H "X-Forwarded-Proto: https" -s bench/crossings.lua "$BASE" -- "$RUN_DIR/document_tokens.txt"
}
say "my crossings: warm-up, then wrk $DURATION"
wrk_run 5s >/dev/null
wrk_run "$DURATION" | tee "$RUN_DIR/my-crossings.txt"
PACED="$("$PY" -c "import json; print(int(0.3 * json.load(open('$RUN_DIR/ceiling.json'))['/db']['rps']))" 2>/dev/null || echo 0)"
if [ "$PACED" -gt 0 ]; then
  say "my crossings paced at $PACED requests/s (0.3 of /db)"
  wrk_run "$DURATION" "$PACED" | tee "$RUN_DIR/my-crossings-paced.txt"
fi

say "ingestion: $SENDERS ports x $BATCHES batches of 500, then the replay"
"$PY" bench/crossings_ingest.py "$BASE" "$RUN_DIR" --senders "$SENDERS" --batches "$BATCHES" --size 500
"$PY" bench/crossings_data.py sizes >"$RUN_DIR/sizes-after.json"

say "results"
"$PY" - "$RUN_DIR" <<'PYTHON'
import json, re, sys
from pathlib import Path
run = Path(sys.argv[1])
ceiling = json.loads((run / "ceiling.json").read_text())
def wrk(name):
    path = run / f"{name}.txt"
    if not path.exists():
        return None
    text = path.read_text()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text)[1])
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99[2]]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {"rps": rps, "p99_ms": float(p99[1]) * scale, "non_2xx": int(non2xx[1]) if non2xx else 0}
ingest = json.loads((run / "ingest.json").read_text())
data = json.loads((run / "data.json").read_text())
result = {
    "data": data,
    "ceiling": ceiling,
    "my_crossings": wrk("my-crossings"),
    "my_crossings_paced": wrk("my-crossings-paced"),
    "ingest": ingest,
}
mine = result["my_crossings"]
result["my_crossings_ratio_to_db"] = round(mine["rps"] / ceiling["/db"]["rps"], 3)
result["ingest_batches_per_s_ratio_to_write"] = round(
    ingest["new"]["events_per_s"] / 500 / ceiling["/write"]["rps"], 4
)
(run / "results.json").write_text(json.dumps(result, indent=2) + "\n")
print(json.dumps({k: v for k, v in result.items() if k != "data"}, indent=2))
PYTHON
cp "$RUN_DIR/results.json" bench/results/crossings-latest.json
