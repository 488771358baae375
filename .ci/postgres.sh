#!/usr/bin/env bash
# Install Debian's PostgreSQL if needed and start a throwaway cluster on a local port.
# Prints the connection URL on stdout (last line); logs go to stderr.
#   export PROVENANCE_TEST_POSTGRES_URL="$(bash .ci/postgres.sh)"
# Stop it with: su postgres -c "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl -D $PGDATA stop"
set -euo pipefail
PORT="${PROVENANCE_PG_PORT:-54329}"
PGDATA="${PROVENANCE_PG_DATA:-/tmp/provenance-pg-$PORT}"
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo "installing postgresql (Debian package)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
id postgres >/dev/null 2>&1 || useradd --system --create-home postgres
if [ -f "$PGDATA/postmaster.pid" ] && su postgres -c "$BIN/pg_ctl -D '$PGDATA' status" >/dev/null 2>&1; then
  echo "cluster already running in $PGDATA" >&2
else
  rm -rf "$PGDATA"
  mkdir -p "$PGDATA"
  chown postgres "$PGDATA"
  su postgres -c "$BIN/initdb -D '$PGDATA' -A trust -U postgres --no-sync" >&2
  su postgres -c "$BIN/pg_ctl -D '$PGDATA' -l '$PGDATA/server.log' -w -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100\" start" >&2
fi
su postgres -c "$BIN/psql -h 127.0.0.1 -p $PORT -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='provenance_test'\"" | grep -q 1 \
  || su postgres -c "$BIN/createdb -h 127.0.0.1 -p $PORT -U postgres provenance_test" >&2
echo "postgresql://postgres@127.0.0.1:$PORT/provenance_test"
