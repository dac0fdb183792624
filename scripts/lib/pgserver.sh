# Sourced by the fault and soak scripts: the real binary and cmd/opsload on a PostgreSQL
# database of their own, recreated at the start and dropped at the end (KEEP_DB=1 keeps it).
#
#   PG=postgres://postgres@127.0.0.1:5432 DB=cgops PORT=18401
#   source scripts/lib/pgserver.sh
#   pg_setup                        # builds into $dir, recreates $DB, migrates; sets URL
#   start_pg_server VAR=value ...   # starts the server on $PORT with an admin, waits for /readyz
#
# The EXIT trap it sets stops $load_pid and $server_pid when set, drops $DB, removes $dir.

ADMIN_EMAIL=ops-admin@example.com
ADMIN_PASSWORD=ops-admin-password-123
dir=$(mktemp -d)
server_pid=""
load_pid=""

pg_cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ "${KEEP_DB:-0}" != 1 ]; then
    psql -q "$PG/postgres?sslmode=disable" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap pg_cleanup EXIT

pg_setup() {
  echo "building..."
  go build -o "$dir/careergraph" .
  go build -o "$dir/opsload" ./cmd/opsload
  psql -q "$PG/postgres?sslmode=disable" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
  URL="$PG/$DB?sslmode=disable"
  DATABASE_URL="$URL" "$dir/careergraph" migrate >/dev/null
}

start_pg_server() {
  env PORT="$PORT" DATABASE_URL="$URL" LOG_LEVEL=warn RATE_LIMIT_POINTS=1000000000 \
    CAREERGRAPH_ADMIN_EMAIL=$ADMIN_EMAIL CAREERGRAPH_ADMIN_PASSWORD=$ADMIN_PASSWORD "$@" \
    "$dir/careergraph" 2>"$dir/server.log" &
  server_pid=$!
  local deadline=$((SECONDS + 120))
  until curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz"; do
    if ! kill -0 "$server_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "server did not become ready:"; cat "$dir/server.log"; exit 1
    fi
    sleep 0.2
  done
}
