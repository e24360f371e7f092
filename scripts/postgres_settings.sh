#!/usr/bin/env bash
# The memory settings a PostgreSQL server of exitentry needs (docs/deployment.md "PostgreSQL
# settings"), applied with ALTER SYSTEM as a superuser; then, with RESTART=1 on a Debian host
# (pg_ctlcluster), the restart that shared_buffers needs. Used on a database host and on the
# bench machine (bench/README.md), whose packaged server starts with 128 MB of shared_buffers:
# there the 10-million-crossings bench read its pages from the disk (the VM's page cache does
# not keep them), 1.33x slower than the 1-million one (docs/benchmarks.md "Crossings").
#
#   PGURL              the server, as a superuser (default postgres://postgres@127.0.0.1:5432/postgres)
#   MEMORY_MB          the host's memory given to PostgreSQL (default: all of /proc/meminfo's MemTotal,
#                      for a dedicated database host; give less on a shared one)
#   RESTART=1          restart the Debian cluster(s) with pg_ctlcluster if a setting needs it
#   DRY_RUN=1          print the statements only
#
# shared_buffers is a quarter of MEMORY_MB (at most 8 GB), effective_cache_size three quarters:
# PostgreSQL's usual starting point for a dedicated host.
set -euo pipefail

PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432/postgres}"
if [ -z "${MEMORY_MB:-}" ]; then
  MEMORY_MB=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))
fi
SHARED_MB=$((MEMORY_MB / 4))
[ "$SHARED_MB" -le 8192 ] || SHARED_MB=8192
CACHE_MB=$((MEMORY_MB * 3 / 4))

statements=(
  "ALTER SYSTEM SET shared_buffers = '${SHARED_MB}MB'"
  "ALTER SYSTEM SET effective_cache_size = '${CACHE_MB}MB'"
)
for statement in "${statements[@]}"; do
  echo "$statement"
  [ -n "${DRY_RUN:-}" ] || psql "$PGURL" -v ON_ERROR_STOP=1 -qAtc "$statement"
done
[ -z "${DRY_RUN:-}" ] || exit 0
psql "$PGURL" -qAtc "SELECT pg_reload_conf()" >/dev/null

pending="$(psql "$PGURL" -qAtc "SELECT string_agg(name, ', ') FROM pg_settings WHERE pending_restart")"
if [ -z "$pending" ]; then
  echo "in effect: shared_buffers $(psql "$PGURL" -qAtc 'SHOW shared_buffers')"
  exit 0
fi
if [ "${RESTART:-}" = 1 ] && command -v pg_ctlcluster >/dev/null; then
  for version in /etc/postgresql/*; do
    # --skip-systemctl-redirect: these hosts start the cluster without systemd.
    pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main restart
  done
  for _ in $(seq 1 30); do
    psql "$PGURL" -qAtc "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
  done
  echo "restarted: shared_buffers $(psql "$PGURL" -qAtc 'SHOW shared_buffers')"
else
  echo "restart PostgreSQL for these to take effect: $pending (or run again with RESTART=1)"
fi
