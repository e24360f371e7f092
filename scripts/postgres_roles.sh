#!/usr/bin/env bash
# PostgreSQL roles for production: the application runs as a role that owns nothing and cannot
# UPDATE, DELETE or TRUNCATE the append-only tables; migrations run as the owner role.
#
#   OWNER_ROLE=exitentry_owner APP_ROLE=exitentry_app APP_PASSWORD=… \
#   PGHOST=db PGUSER=postgres PGDATABASE=exitentry bash scripts/postgres_roles.sh
#
# Run it once to create the roles (as a superuser or a role with CREATEROLE), and again after
# every `migrate` (new tables get their privileges; it is idempotent). Then:
#   - migrations and collectstatic: DATABASE_URL=postgres://exitentry_owner:…@db/exitentry
#   - gunicorn and Celery:          DATABASE_URL=postgres://exitentry_app:…@db/exitentry
#
# Append-only tables: every table listed in APPEND_ONLY_TABLES, and every table whose name
# ends in "event" or "events" (accounts_loginevent, documents_documentevent,
# appointments_appointmentevent, applications_applicationevent, …). To protect a new table
# whose name does not end so, add it to APPEND_ONLY_TABLES (space-separated).
set -euo pipefail

OWNER_ROLE="${OWNER_ROLE:-exitentry_owner}"
APP_ROLE="${APP_ROLE:-exitentry_app}"
APP_PASSWORD="${APP_PASSWORD:-}"
APPEND_ONLY_TABLES="${APPEND_ONLY_TABLES:-staff_accesslog}"
APPEND_ONLY_PATTERN="${APPEND_ONLY_PATTERN:-(event|events)$}"

export PGOPTIONS="${PGOPTIONS:-} -c exitentry.owner=$OWNER_ROLE -c exitentry.app=$APP_ROLE"
PGOPTIONS+=" -c exitentry.append_only=${APPEND_ONLY_TABLES// /\\ }"
PGOPTIONS+=" -c exitentry.pattern=$APPEND_ONLY_PATTERN"
psql -X -q -v ON_ERROR_STOP=1 -f "$(dirname "${BASH_SOURCE[0]}")/postgres_roles.sql"
if [ -n "$APP_PASSWORD" ]; then
  psql -X -q -v ON_ERROR_STOP=1 -v app="$APP_ROLE" -v password="$APP_PASSWORD" <<'SQL'
ALTER ROLE :"app" PASSWORD :'password';
SQL
fi
echo "roles: owner $OWNER_ROLE, application $APP_ROLE (append-only: $APPEND_ONLY_TABLES and /$APPEND_ONLY_PATTERN/)"
