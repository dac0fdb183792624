#!/usr/bin/env bash
# The role page under load, careergraph against PostGraphile v4 on the same database, in one
# run (issue 9):
#
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cgbench?sslmode=disable scripts/bench-postgraphile.sh
#
# It builds and starts careergraph on BENCH_DATABASE_URL (rate limit lifted: RATE_LIMIT_POINTS
# is a billion, since one client sends tens of thousands of requests a minute), installs
# PostGraphile v4 and the simplify inflector into a temporary npm prefix (or PG_PREFIX, kept
# between runs) and starts it on the same database with the issue's flags, installs bombardier
# v1.2.6 if it is not on PATH, checks that both answer the page without errors, then loads
# them alternately with the same settings (CONNECTIONS connections, DURATION a round, ROUNDS
# rounds each) and prints req/s and latency percentiles per round and the ratio of the
# medians. careergraph runs twice, on two ports: as configured by default (its response cache on:
# the load repeats one anonymous page, so nearly every request is a hit and the figure measures
# the cache) and with RESPONSE_CACHE_TTL=0 (every request runs the query: the engine against
# PostGraphile's); both ratios are printed. CAREERGRAPH_BIN runs a prebuilt binary instead of this tree (an older version, for a
# before/after in one session). Both servers are stopped on exit, whatever happens. Run scripts/bench.sh first to
# fill the database. Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to a PostgreSQL database filled by scripts/bench.sh}"
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
SLUG=${SLUG:-backend-developer}
CG_PORT=${CG_PORT:-18182}
PG_PORT=${PG_PORT:-18183}
NC_PORT=${NC_PORT:-18184}
work=$(mktemp -d)
cg_pid="" nc_pid="" pg_pid=""
cleanup() {
  for p in $cg_pid $nc_pid $pg_pid; do kill "$p" 2>/dev/null || true; done
  for p in $cg_pid $nc_pid $pg_pid; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

export PATH=$PATH:$(go env GOPATH)/bin
command -v bombardier >/dev/null || go install github.com/codesenberg/bombardier@v1.2.6
prefix=${PG_PREFIX:-$work/npm}
if [ ! -x "$prefix/node_modules/.bin/postgraphile" ]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" postgraphile@4 @graphile-contrib/pg-simplify-inflector@6 >/dev/null
fi

bin=${CAREERGRAPH_BIN:-}
if [ -z "$bin" ]; then bin="$work/careergraph"; go build -o "$bin" .; fi
DATABASE_URL="$BENCH_DATABASE_URL" PORT=$CG_PORT LOG_LEVEL=warn RATE_LIMIT_POINTS=1000000000 \
  DEBUG_ADDR=${DEBUG_ADDR:-} "$bin" &
cg_pid=$!
DATABASE_URL="$BENCH_DATABASE_URL" PORT=$NC_PORT LOG_LEVEL=warn RATE_LIMIT_POINTS=1000000000 RESPONSE_CACHE_TTL=0 \
  "$bin" &
nc_pid=$!
"$prefix/node_modules/.bin/postgraphile" -c "$BENCH_DATABASE_URL" --schema public --disable-query-log \
  --disable-graphiql --dynamic-json --append-plugins @graphile-contrib/pg-simplify-inflector \
  --host 127.0.0.1 --port "$PG_PORT" >"$work/postgraphile.log" 2>&1 &
pg_pid=$!

# careergraph is ready when /readyz says so (database and match index); PostGraphile when it
# answers a query.
for port in $CG_PORT $NC_PORT; do
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
done
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$PG_PORT/graphql" -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' >/dev/null 2>&1 && break
  sleep 0.1
done

# The issue's page, and the same fields asked of PostGraphile (slugs are unique by index, not
# by constraint, so the role is roles(condition:, first: 1)).
jq -nc --arg slug "$SLUG" '{query: "query RolePage($slug: String!) { role(slug: $slug) { title coreSkills { name } openings(first: 20, where: {status: LIVE}, orderBy: {field: POSTED_AT, direction: DESC}) { edges { node { title postedAt company { name } location { city } skills { name } } } } } }", variables: {slug: $slug}}' >"$work/cg.json"
jq -nc --arg slug "$SLUG" '{query: "query RolePage($slug: String!) { roles(condition: {slug: $slug}, first: 1) { nodes { title roleSkills(orderBy: RANK_ASC) { nodes { skill { name } } } openings(first: 20, condition: {status: \"LIVE\"}, orderBy: [POSTED_AT_DESC, ID_DESC]) { edges { node { title postedAt company { name } location { city } openingSkills { nodes { skill { name } } } } } } } } }", variables: {slug: $slug}}' >"$work/pg.json"

check() { # name url body jq-path-to-edges
  local out n
  out=$(curl -fs "$2" -H 'Content-Type: application/json' -d @"$3")
  if [ "$(jq '.errors // [] | length' <<<"$out")" != 0 ]; then echo "$1: errors: $out" >&2; exit 1; fi
  n=$(jq "$4 | length" <<<"$out")
  echo "$1: $n openings on the page"
  [ "$n" = 20 ] || { echo "$1: expected 20 openings: $out" >&2; exit 1; }
}
check careergraph "http://127.0.0.1:$CG_PORT/query" "$work/cg.json" '.data.role.openings.edges'
check careergraph-uncached "http://127.0.0.1:$NC_PORT/query" "$work/cg.json" '.data.role.openings.edges'
check postgraphile "http://127.0.0.1:$PG_PORT/graphql" "$work/pg.json" '.data.roles.nodes[0].openings.edges'
echo "load: $(uptime | sed 's/.*load average/load average/')"

load() { # name url body
  bombardier -c "$CONNECTIONS" -d "$DURATION" -m POST -H 'Content-Type: application/json' -f "$3" -l -p r -o json "$2" 2>/dev/null |
    jq -r --arg name "$1" '.result | [$name, (.rps.mean|floor), (.latency.percentiles["50"]/1000), (.latency.percentiles["95"]/1000), (.latency.percentiles["99"]/1000), .req2xx, (.req1xx + .req3xx + .req4xx + .req5xx + .others)] | @tsv'
}
echo
echo "| round | server | req/s | p50 ms | p95 ms | p99 ms | 2xx | other |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
: >"$work/results"
for r in $(seq 1 "$ROUNDS"); do
  for s in careergraph careergraph-uncached postgraphile; do
    case $s in
    careergraph) line=$(load $s "http://127.0.0.1:$CG_PORT/query" "$work/cg.json") ;;
    careergraph-uncached) line=$(load $s "http://127.0.0.1:$NC_PORT/query" "$work/cg.json") ;;
    *) line=$(load $s "http://127.0.0.1:$PG_PORT/graphql" "$work/pg.json") ;;
    esac
    echo "$line" >>"$work/results"
    awk -F'\t' -v r="$r" '{printf "| %d | %s | %d | %.1f | %.1f | %.1f | %d | %d |\n", r, $1, $2, $3, $4, $5, $6, $7}' <<<"$line"
  done
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
med() { awk -F'\t' -v s="$1" -v c="$2" '$1==s{print $c}' "$work/results" | median; }
pg=$(med postgraphile 2) pgp50=$(med postgraphile 3)
echo
for s in careergraph careergraph-uncached; do
  echo "median req/s: $s $(med $s 2) (p50 $(med $s 3) ms), postgraphile $pg (p50 $pgp50 ms); ratio $(awk -v a="$(med $s 2)" -v b="$pg" 'BEGIN{printf "%.2f", a/b}')x"
done
failed=$(awk -F'\t' '$7 > 0 {n += $7} END {print n + 0}' "$work/results")
if [ "$failed" -gt 0 ]; then
  echo "warning: $failed requests did not succeed (timeouts or errors; the machine is overloaded?): req/s counts them, so the ratio is not a clean figure"
fi
echo "careergraph peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$cg_pid/status), uncached: $(awk '/VmHWM/{print $2, $3}' /proc/$nc_pid/status)"
echo "load: $(uptime | sed 's/.*load average/load average/')"
