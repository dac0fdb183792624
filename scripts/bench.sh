#!/usr/bin/env bash
# Benchmarks careergraph at scale on PostgreSQL, as the README's benchmark table was made:
#
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cgbench?sslmode=disable scripts/bench.sh [N]
#
# It fills the database with N openings (default 1,000,000; skipped when the database already
# has them), starts the server on it, runs cmd/bench against it, and prints the server's peak
# resident memory (VmHWM). The database named must be one you can throw away. The server runs
# with the rate limit lifted (RATE_LIMIT_POINTS), since one client sends hundreds of requests.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
: "${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to a throwaway PostgreSQL database}"
PORT=${BENCH_PORT:-18181}
bin=$(mktemp -d)/careergraph
go build -o "$bin" .
# PostgreSQL is migrated as a release step (MIGRATE_ON_START defaults to false there).
DATABASE_URL="$BENCH_DATABASE_URL" "$bin" migrate
have=$(psql "$BENCH_DATABASE_URL" -tAc "SELECT count(*) FROM openings WHERE external_id LIKE 'gen-1-%'" 2>/dev/null || echo 0)
if [ "${have:-0}" -lt "$N" ]; then
  DATABASE_URL="$BENCH_DATABASE_URL" "$bin" gen --openings "$N" --seed 1
  psql "$BENCH_DATABASE_URL" -qc "VACUUM ANALYZE"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(psql "$BENCH_DATABASE_URL" -tAc 'SELECT version()' | cut -d, -f1)"
echo "openings: $(psql "$BENCH_DATABASE_URL" -tAc "SELECT count(*) FROM openings"), live: $(psql "$BENCH_DATABASE_URL" -tAc "SELECT count(*) FROM openings WHERE status = 'LIVE'")"
DATABASE_URL="$BENCH_DATABASE_URL" PORT=$PORT LOG_LEVEL=warn RATE_LIMIT_POINTS=1000000000 "$bin" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
go run ./cmd/bench -url "http://127.0.0.1:$PORT/query" "${@:2}"
echo "server peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)"
