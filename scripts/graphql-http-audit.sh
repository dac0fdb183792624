#!/usr/bin/env bash
# GraphQL over HTTP conformance: runs the graphql-http package's server audits (the suite the
# reference server passes) against the real careergraph binary on a fresh SQLite database.
# Exits non-zero on any failing audit, warning or notice. Needs node (18+) and npm; the package is
# installed into a temporary prefix, never into the repository.
#
#   scripts/graphql-http-audit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
GRAPHQL_HTTP_VERSION=1.23.1 # pinned: a new release may add audits; bump it on purpose

tmp=$(mktemp -d)
source scripts/lib/serve.sh
trap 'stop_server; rm -rf "$tmp"' EXIT

npm install --prefix "$tmp" --no-audit --no-fund --silent "graphql-http@$GRAPHQL_HTTP_VERSION" >/dev/null
cp scripts/graphql-http-audit.mjs "$tmp/"
start_server
node "$tmp/graphql-http-audit.mjs" "$SERVER_URL/query"
