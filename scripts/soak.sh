#!/usr/bin/env bash
# Soak test (not in CI): the real binary on PostgreSQL under $CONNS readers (role page, search,
# match in turn) and $WRITERS writer(s) (createSkill) for $DURATION seconds, reporting every
# $INTERVAL seconds the load's requests, 5xx, GraphQL errors, p50/p99, and the server's RSS
# and goroutine count, then the drift from the first sample to the last.
#
#   scripts/soak.sh                      # 10 minutes, 64 connections
#   DURATION=60 scripts/soak.sh          # a short run
#
# Uses the database $SOAK_DB (default cgops, recreated and dropped; KEEP_DB=1 keeps it) on
# $PG (default postgres://postgres@127.0.0.1:5432), $OPENINGS generated openings (default
# 20000) besides the seed, and ports $PORT (default 18402) and $PORT+1 (the profiler, for the
# goroutine count).
set -euo pipefail
cd "$(dirname "$0")/.."

PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${SOAK_DB:-cgops}
PORT=${PORT:-18402}
DEBUG_PORT=$((PORT + 1))
DURATION=${DURATION:-600}
INTERVAL=${INTERVAL:-10}
CONNS=${CONNS:-64}
WRITERS=${WRITERS:-1}
OPENINGS=${OPENINGS:-20000}
source scripts/lib/pgserver.sh
pg_setup
if [ "$OPENINGS" -gt 0 ]; then
  echo "generating $OPENINGS openings..."
  DATABASE_URL="$URL" "$dir/careergraph" gen --openings "$OPENINGS" 2>&1 | tail -1
fi
start_pg_server DEBUG_ADDR=127.0.0.1:$DEBUG_PORT

"$dir/opsload" -url "http://127.0.0.1:$PORT" -conns "$CONNS" -writers "$WRITERS" \
  -email $ADMIN_EMAIL -password $ADMIN_PASSWORD -duration "${DURATION}s" -interval "${INTERVAL}s" \
  >"$dir/load.out" 2>"$dir/load.err" &
load_pid=$!

sample() {
  local rss gor
  rss=$(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$server_pid/status")
  gor=$(curl -fs "http://127.0.0.1:$DEBUG_PORT/debug/pprof/goroutine?debug=1" | sed -n '1s/.*total //p' || true)
  echo "$1 $rss $gor"
}
echo "   t  RSS_MiB  goroutines" >"$dir/samples"
start=$SECONDS
sample 0 >>"$dir/samples"
while kill -0 "$load_pid" 2>/dev/null; do
  sleep "$INTERVAL"
  kill -0 "$load_pid" 2>/dev/null || break
  sample $((SECONDS - start)) >>"$dir/samples"
done
wait "$load_pid" || true
load_pid=""
# After the load: what the server holds once it is idle again.
sleep 2
sample "idle" >>"$dir/samples"

echo "== load (per ${INTERVAL}s: readers' latency; writes not in p50/p99)"
cat "$dir/load.out"
echo "== server"
column -t "$dir/samples" 2>/dev/null || cat "$dir/samples"
first=$(sed -n 2p "$dir/samples")
last=$(tail -2 "$dir/samples" | head -1)
idle=$(tail -1 "$dir/samples")
echo "RSS MiB: first $(echo "$first" | cut -d' ' -f2), last under load $(echo "$last" | cut -d' ' -f2), peak $(awk 'NR > 1 && $2 + 0 > m { m = $2 } END { print m }' "$dir/samples"), idle after $(echo "$idle" | cut -d' ' -f2)"
echo "goroutines: first $(echo "$first" | cut -d' ' -f3), last under load $(echo "$last" | cut -d' ' -f3), idle after $(echo "$idle" | cut -d' ' -f3)"
errors=$(grep -c '"level":"ERROR"' "$dir/server.log" || true)
echo "server log: $errors ERROR line(s)"
grep '"level":"ERROR"' "$dir/server.log" | head -3 || true
total=$(grep '^total' "$dir/load.out" || true)
case "$total" in *" 5xx=0 "*) echo "5xx: 0 (goal 0)";; *) echo "5xx: not 0 -- see the totals above"; exit 1;; esac
