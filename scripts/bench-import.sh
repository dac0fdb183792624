#!/usr/bin/env bash
# Import benchmark: generates a realistic N-line JSON Lines feed of schema.org JobPostings
# (cmd/feedgen: HTML descriptions of 1-2 KB, skills in prose, lists and tables, pay on 60%),
# imports it with `careergraph import` into a fresh PostgreSQL database, and prints postings
# per second (extraction, sanitising, hashing, search documents and index upkeep included),
# the import's peak RSS and the load average. Then it imports the same feed again (every
# posting unchanged). The feed is written to a temporary file first, so that generating it
# is not timed.
#
#   BENCH_DATABASE=cgimport scripts/bench-import.sh 20000
#   scripts/bench-import.sh 1000000
#
# PGURL is the server (default postgres://postgres@127.0.0.1:5432); the database
# BENCH_DATABASE (default cgimport) is dropped and created.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
n=${1:-20000}
pg=${PGURL:-postgres://postgres@127.0.0.1:5432}
dbname=${BENCH_DATABASE:-cgimport}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/careergraph" .
go build -o "$tmp/feedgen" ./cmd/feedgen
"$tmp/feedgen" -n "$n" > "$tmp/feed.jsonl"
echo "feed: $n postings, $(du -h "$tmp/feed.jsonl" | cut -f1)"

psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $dbname" -c "CREATE DATABASE $dbname"
export DATABASE_URL="$pg/$dbname?sslmode=disable" LOG_LEVEL=warn
# Migrations and the seed clusters first, so that the timed run is the import alone.
"$tmp/careergraph" migrate >/dev/null
"$tmp/careergraph" import --source warmup /dev/null >/dev/null 2>&1 || true

run() {
  local label=$1
  local start end
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$tmp/rss" "$tmp/careergraph" import --source bench --full "$tmp/feed.jsonl" > "$tmp/report" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
  end=$(date +%s.%N)
  awk -v n="$n" -v s="$start" -v e="$end" -v rss="$(tail -1 "$tmp/rss")" -v l="$label" \
    'BEGIN { t = e - s; printf "%s: %d postings in %.1f s = %.0f postings/s, peak RSS %.0f MB\n", l, n, t, n / t, rss / 1024 }'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  head -3 "$tmp/report"
}
run "into an empty database"
run "again, unchanged"
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $dbname"
