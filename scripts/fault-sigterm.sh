#!/usr/bin/env bash
# SIGTERM under a mixed read/write load, on the real binary and PostgreSQL.
#
# Builds careergraph and cmd/opsload, recreates the database $FAULT_DB (default cgops) on the
# PostgreSQL server $PG (default postgres://postgres@127.0.0.1:5432), migrates it, starts the
# server on $PORT (default 18401) and puts readers (role page, search, match) and writers
# (createSkill) on it, one connection per request. After $TERM_AFTER seconds it sends SIGTERM
# and checks:
#   - the server exits 0 within SHUTDOWN_TIMEOUT (in-flight requests finished, database closed);
#   - every write the server acknowledged is in the database;
#   - and it reports requests that got no answer after their connection was made ("broken"),
#     beside those refused once the listener closed. A few broken ones are connections the
#     kernel had queued but the server never accepted when the listener closed (one connection
#     per request makes this race visible; see README "Faults"). They are reported, not failed
#     on: requests the server had accepted are answered (TestSIGTERMDrainsInFlightRequests).
# Exit status 0 when the first two hold. Drops the database at the end (KEEP_DB=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."

PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${FAULT_DB:-cgops}
PORT=${PORT:-18401}
READERS=${READERS:-32}
WRITERS=${WRITERS:-8}
TERM_AFTER=${TERM_AFTER:-8}
source scripts/lib/pgserver.sh
pg_setup
start_pg_server SHUTDOWN_TIMEOUT=15s

"$dir/opsload" -url "http://127.0.0.1:$PORT" -conns "$READERS" -writers "$WRITERS" \
  -email $ADMIN_EMAIL -password $ADMIN_PASSWORD -duration $((TERM_AFTER + 6))s -interval 2s \
  -acked "$dir/acked" -keepalive=false >"$dir/load.out" 2>"$dir/load.err" &
load_pid=$!

sleep "$TERM_AFTER"
echo "SIGTERM to the server (pid $server_pid) under load"
t0=$(date +%s.%N)
kill -TERM "$server_pid"
set +e
wait "$server_pid"
server_rc=$?
set -e
server_pid=""
t1=$(date +%s.%N)
wait "$load_pid" || true
load_pid=""
cat "$dir/load.out" "$dir/load.err"

acked=$(wc -l <"$dir/acked" | tr -d ' ')
# Every acknowledged write, looked up by id and slug.
found=$(awk '{printf "(%s,'"'"'%s'"'"'),", $1, $2}' "$dir/acked" | sed 's/,$//' |
  { read -r values; [ -z "$values" ] && echo 0 || psql -tA "$URL" -c "SELECT count(*) FROM skills s JOIN (VALUES $values) AS a(id, slug) ON s.id = a.id AND s.slug = a.slug"; })
total=$(psql -tA "$URL" -c "SELECT count(*) FROM skills WHERE slug LIKE 'ops-%'")
broken=$(awk '/^total/ { for (i = 1; i <= NF; i++) if ($i ~ /^broken=/) { sub("broken=", "", $i); print $i } }' "$dir/load.out")

printf 'server exit status %s, %.2f s from SIGTERM to exit\n' "$server_rc" "$(echo "$t1 - $t0" | bc)"
echo "acknowledged writes: $acked; of them in the database: $found; ops- skills in the database: $total"
echo "requests unanswered after connecting (broken): $broken"
grep -v '"level":"WARN","msg":"not ready"' "$dir/server.log" | grep -E '"level":"(ERROR|WARN)"' | head -5 || true

ok=1
[ "$server_rc" = 0 ] || { echo "FAIL: the server exited $server_rc"; ok=0; }
[ "$acked" -gt 0 ] || { echo "FAIL: no write was acknowledged (load did not run?)"; ok=0; }
[ "$found" = "$acked" ] || { echo "FAIL: $((acked - found)) acknowledged write(s) missing"; ok=0; }
[ "${broken:-0}" = 0 ] || echo "note: $broken request(s) unanswered after connecting (queued, never accepted; see the header)"
[ $ok = 1 ] && echo "PASS"
[ $ok = 1 ]
