#!/usr/bin/env bash
# Benchmarks careergraph at scale on PostgreSQL, as the README's benchmark table was made:
#
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cgbench?sslmode=disable scripts/bench.sh [N]
#
# It fills the database with N openings (default 1,000,000; skipped when the database already
# has them), starts the server on it, runs cmd/bench against it, and prints the server's peak
# resident memory (VmHWM) and how long it took to become ready (its match index built), and how
# long a second replica took, starting from the image of the index the first stored. The
# database named must be one you can throw away. DEBUG_ADDR, if set, is passed on (pprof);
# CAREERGRAPH_BIN runs a prebuilt binary instead of this tree's. The server runs
# with the rate limit lifted (RATE_LIMIT_POINTS), since one client sends hundreds of requests,
# and without the response cache.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
: "${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to a throwaway PostgreSQL database}"
PORT=${BENCH_PORT:-18181}
bin=${CAREERGRAPH_BIN:-}
if [ -z "$bin" ]; then bin=$(mktemp -d)/careergraph; go build -o "$bin" .; fi
# PostgreSQL is migrated as a release step (MIGRATE_ON_START defaults to false there).
DATABASE_URL="$BENCH_DATABASE_URL" "$bin" migrate
have=$(psql "$BENCH_DATABASE_URL" -tAc "SELECT count(*) FROM openings WHERE external_id LIKE 'gen-1-%'" 2>/dev/null || echo 0)
if [ "${have:-0}" -lt "$N" ]; then
  DATABASE_URL="$BENCH_DATABASE_URL" "$bin" gen --openings "$N" --seed 1 # ANALYZEs what it loads
  # The visibility map, for index-only scans; autovacuum would set it in time.
  psql "$BENCH_DATABASE_URL" -qc "VACUUM"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(psql "$BENCH_DATABASE_URL" -tAc 'SELECT version()' | cut -d, -f1)"
echo "openings: $(psql "$BENCH_DATABASE_URL" -tAc "SELECT count(*) FROM openings"), live: $(psql "$BENCH_DATABASE_URL" -tAc "SELECT count(*) FROM openings WHERE status = 'LIVE'")"
# Readiness is measured twice: the first replica of a fleet finds no stored image of the match
# index and builds it from the tables; a replica that joins later reads the image the first one
# stored, and catches up (internal/matching/images.go).
psql "$BENCH_DATABASE_URL" -qc "DELETE FROM match_images"
start=$(date +%s.%N)
# The response cache is off (RESPONSE_CACHE_TTL=0): cmd/bench repeats each query 33 times, and
# these figures are the query engine's, not the cache's (scripts/bench-postgraphile.sh measures
# both).
DATABASE_URL="$BENCH_DATABASE_URL" PORT=$PORT LOG_LEVEL=warn RATE_LIMIT_POINTS=1000000000 RESPONSE_CACHE_TTL=0 \
  DEBUG_ADDR=${DEBUG_ADDR:-} "$bin" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
# /readyz answers 200 once the database answers and the match index is built.
for _ in $(seq 1 1200); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
echo "ready (migrated, match index built from the tables) $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.2f", e-s}') s after start"
for _ in $(seq 1 600); do [ "$(psql "$BENCH_DATABASE_URL" -tAc "SELECT count(*) FROM match_images")" -gt 0 ] && break; sleep 0.1; done
PORT2=$((PORT + 1))
start=$(date +%s.%N)
DATABASE_URL="$BENCH_DATABASE_URL" PORT=$PORT2 LOG_LEVEL=warn RATE_LIMIT_POINTS=1000000000 RESPONSE_CACHE_TTL=0 "$bin" &
pid2=$!
trap 'kill $pid $pid2 2>/dev/null || true' EXIT
for _ in $(seq 1 1200); do curl -fs "http://127.0.0.1:$PORT2/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
echo "a second replica ready (match index from the stored image) $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.2f", e-s}') s after start"
kill $pid2 2>/dev/null || true; wait $pid2 2>/dev/null || true
go run ./cmd/bench -url "http://127.0.0.1:$PORT/query" "${@:2}"
echo "server peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)"
