#!/usr/bin/env bash
# Crossings (issue 12) on the production setup (`bash bench/crossings.sh`): a fresh PostgreSQL
# database with the demo halls, BENCH_X_PERSONS generated persons with their documents and
# BENCH_X_CROSSINGS crossings over 10 years (bench/crossings_data.py, COPY), 10,000 accounts
# with a bearer token (bench/documents_data.py setup), Redis, gunicorn with 2 workers via
# scripts/serve_prod.sh. Then, in the same run:
#   1. the ceiling (../shared/ceiling/run.sh: /hello, /db, /write) for the ratios, again at
#      the end: the ratios are to the mean of the two;
#   2. "My entry/exit records": wrk on GET /api/v1/me/crossings, a random token per request,
#      at saturation, then paced to 0.3 of the /db ceiling (bench/crossings.lua);
#   3. ingestion: bench/crossings_ingest.py, BENCH_X_SENDERS ports each sending batches of
#      500 new events, then the same batches again (a replay must add 0 rows).
# Results in bench/results/crossings-<time>/ and bench/results/crossings-latest.json.
#
# Knobs: BENCH_X_PERSONS (100000), BENCH_X_CROSSINGS (1000000; the issue's 10 million took 4
# to 40 minutes to generate on the 2-core machines), BENCH_X_SENDERS (4), BENCH_X_BATCHES
# (100 per sender, ~10 s of sending; 40 sent for under 5 s, too short to be steady),
# BENCH_CONNECTIONS (64), BENCH_DURATION (20s), BENCH_X_WARMUP (30s, before the my-crossings
# runs), BENCH_X_DATABASE_URL, BENCH_X_REDIS_URL, WEB_CONCURRENCY (2), BENCH_X_SCENARIOS ("read ingest":
# "ingest" alone skips the accounts and the my-crossings runs; "read" alone skips ingestion),
# BENCH_X_SAMPLE (20000: the documents the ingestion draws its events from; 80,000 events over
# 20,000 documents make concurrent batches share persons, their months and endorsements, which
# real ports' batches rarely do).
# Reusing a database (10 million crossings take 13-20 minutes to generate): generate once with
# BENCH_KEEP_DB=1 (and BENCH_X_SETUP_ONLY=1 to stop after the data), then pass that run's folder
# as BENCH_REUSE_DB=bench/results/crossings-<time> with the same BENCH_X_DATABASE_URL: its data
# files (tokens, ports' secrets and credential key, documents sample) are copied, nothing is
# generated (migrations are applied), and the database is kept (a reused one is never dropped).
# Ingestion adds rows to a reused database: "read" alone leaves it as it was generated.
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
PERSONS="${BENCH_X_PERSONS:-100000}"
CROSSINGS="${BENCH_X_CROSSINGS:-1000000}"
SENDERS="${BENCH_X_SENDERS:-4}"
BATCHES="${BENCH_X_BATCHES:-100}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
DURATION="${BENCH_DURATION:-20s}"
DATABASE_URL_BENCH="${BENCH_X_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/exitentry_crossbench}"
REDIS_URL_BENCH="${BENCH_X_REDIS_URL:-redis://127.0.0.1:6379/12}"
SCENARIOS=" ${BENCH_X_SCENARIOS:-read ingest} "
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
scenario() { [[ "$SCENARIOS" == *" $1 "* ]]; }

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_find_ceiling
bench_ensure_wrk
bench_production_env

bench_run_dir crossings-
RUN_DIR="$PWD/$RUN_DIR"  # absolute: the ceiling's script writes its JSON from elsewhere

if [ -n "${BENCH_REUSE_DB:-}" ]; then
  say "reusing database $(basename "$DATABASE_URL") and the data files of $BENCH_REUSE_DB"
  export BENCH_KEEP_DB=1
  for file in ports.json documents.tsv data.json document_tokens.txt port_credential_key; do
    [ ! -f "$BENCH_REUSE_DB/$file" ] || cp "$BENCH_REUSE_DB/$file" "$RUN_DIR/"
  done
  PORT_CREDENTIAL_KEY="$(cat "$RUN_DIR/port_credential_key")"
  export PORT_CREDENTIAL_KEY
  "$PY" manage.py migrate --noinput >/dev/null  # this commit's schema on the data kept
else
  # Kept beside the data: the ports' credentials stored in the database are sealed with it.
  PORT_CREDENTIAL_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(40))')"
  export PORT_CREDENTIAL_KEY
  echo "$PORT_CREDENTIAL_KEY" >"$RUN_DIR/port_credential_key"
  say "fresh database $(basename "$DATABASE_URL"): demo halls, $PERSONS persons, $CROSSINGS crossings"
  bench_fresh_db
  "$PY" bench/crossings_data.py generate "$RUN_DIR" --persons "$PERSONS" --crossings "$CROSSINGS" \
    --sample "${BENCH_X_SAMPLE:-20000}"
  if scenario read; then
    "$PY" bench/documents_data.py setup "$RUN_DIR" --accounts 10000
  fi
  bench_vacuum
fi
if [ -n "${BENCH_X_SETUP_ONLY:-}" ]; then
  say "data ready in $(basename "$DATABASE_URL"); reuse with BENCH_REUSE_DB=${RUN_DIR#"$PWD/"}"
  exit 0
fi

say "ceiling ($CEILING_SCRIPT)"
bench_ceiling_warm
CEILING_JSON="$RUN_DIR/ceiling.json" bash "$CEILING_SCRIPT" 20 "$CONNECTIONS" | tee "$RUN_DIR/ceiling.txt"

bench_start_server "" 90

if scenario read; then
  wrk_run() { # name duration [rate]: the cores each program used go to $RUN_DIR/name-cpu.json
    BENCH_RATE="${3:-}" BENCH_RATE_THREADS=2 BENCH_SWEEP="${BENCH_SWEEP:-}" \
      "$PY" bench/helpers.py cpu-during "$RUN_DIR/$1-cpu.json" -- \
      wrk -t2 -c"$CONNECTIONS" -d"$2" --timeout 5s --latency \
      -H "X-Forwarded-Proto: https" -s bench/crossings.lua "$BASE" -- "$RUN_DIR/document_tokens.txt"
  }
  # The warm-up reads every token's person once (a sweep of the 10,000 tokens takes ~20 s at
  # ~500 requests/s): the runs then read a warm working set, at 10 million crossings as at 1
  # million, instead of the first seconds' reads from the disk (iowait 0.2 cores with 5 s).
  say "my crossings: warm-up ${BENCH_X_WARMUP:-30s} (every token in turn), then wrk $DURATION"
  BENCH_SWEEP=1 wrk_run warm-up "${BENCH_X_WARMUP:-30s}" >/dev/null
  wrk_run my-crossings "$DURATION" | tee "$RUN_DIR/my-crossings.txt"
  PACED="$("$PY" -c "import json; print(int(0.3 * json.load(open('$RUN_DIR/ceiling.json'))['/db']['rps']))" 2>/dev/null || echo 0)"
  if [ "$PACED" -gt 0 ]; then
    say "my crossings paced at $PACED requests/s (0.3 of /db)"
    wrk_run my-crossings-paced "$DURATION" "$PACED" | tee "$RUN_DIR/my-crossings-paced.txt"
  fi
fi

if scenario ingest; then
  say "ingestion: $SENDERS ports x $BATCHES batches of 500, then the replay"
  "$PY" bench/crossings_ingest.py "$BASE" "$RUN_DIR" --senders "$SENDERS" --batches "$BATCHES" --size 500
  "$PY" bench/crossings_data.py sizes >"$RUN_DIR/sizes-after.json"
fi

# Again after the runs: the machine's speed drifts within minutes (the /db ceiling went from
# 1,260 to 2,089 req/s between two runs 3 minutes apart on 2026-12-06); the ratios are to the
# mean of the two, and each is noted.
say "ceiling again, after the runs"
bench_ceiling_warm
CEILING_JSON="$RUN_DIR/ceiling-after.json" bash "$CEILING_SCRIPT" 20 "$CONNECTIONS" | tee "$RUN_DIR/ceiling-after.txt"

say "results"
LOADAVG_START="$LOADAVG_START" "$PY" - "$RUN_DIR" <<'PYTHON'
import json, os, re, sys
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
    out = {"rps": rps, "p99_ms": float(p99[1]) * scale, "non_2xx": int(non2xx[1]) if non2xx else 0}
    cpu_path = run / f"{name}-cpu.json"
    if cpu_path.exists():
        # The cores each program used during the run, and its CPU per request in ms.
        cpu = json.loads(cpu_path.read_text())
        out["cpu"] = cpu
        out["cpu_ms_per_request"] = {
            program: round(cores * 1000 / rps, 3)
            for program, cores in cpu["cores_by_program"].items()
        }
    return out
ingest_path = run / "ingest.json"
ingest = json.loads(ingest_path.read_text()) if ingest_path.exists() else None
data = json.loads((run / "data.json").read_text())
result = {
    "scenarios": os.environ.get("BENCH_X_SCENARIOS", "read ingest"),
    "reused_database_of": os.environ.get("BENCH_REUSE_DB"),
    "loadavg_at_start": os.environ["LOADAVG_START"],
    "loadavg_at_end": Path("/proc/loadavg").read_text().split()[:3],
    # The 10 M database's working set fits in a production-sized one, not in the packaged
    # 128 MB (scripts/postgres_settings.sh); bench/lib.sh noted the server's settings.
    "postgres_settings": json.loads((run / "postgres_settings.json").read_text()),
    "data": data,
    "ceiling": ceiling,
    "my_crossings": wrk("my-crossings"),
    "my_crossings_paced": wrk("my-crossings-paced"),
    "ingest": ingest,
}
after_path = run / "ceiling-after.json"
after = json.loads(after_path.read_text()) if after_path.exists() else ceiling
result["ceiling_after"] = after
def mean(route):
    return (ceiling[route]["rps"] + after[route]["rps"]) / 2
mine = result["my_crossings"]
if mine:
    result["my_crossings_ratio_to_db"] = round(mine["rps"] / mean("/db"), 3)
    result["my_crossings_ratio_to_db_before_after"] = [
        round(mine["rps"] / ceiling["/db"]["rps"], 3),
        round(mine["rps"] / after["/db"]["rps"], 3),
    ]
if ingest:
    batches = ingest["new"]["events_per_s"] / 500
    result["ingest_batches_per_s_ratio_to_write"] = round(batches / mean("/write"), 4)
    result["ingest_ratio_to_write_before_after"] = [
        round(batches / ceiling["/write"]["rps"], 4),
        round(batches / after["/write"]["rps"], 4),
    ]
(run / "results.json").write_text(json.dumps(result, indent=2) + "\n")
print(json.dumps({k: v for k, v in result.items() if k != "data"}, indent=2))
PYTHON
cp "$RUN_DIR/results.json" bench/results/crossings-latest.json
