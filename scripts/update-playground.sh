#!/usr/bin/env bash
# Re-fetches the playground's third-party assets (GraphiQL, React, ReactDOM production UMD
# builds) with npm at the versions pinned below, copies them with their licence files into
# internal/playground/assets/, and rewrites VERSIONS there. Bump a version here, run the script,
# run `go test ./internal/playground/` and scripts/playground-check.sh, and commit the result.
#
# GraphiQL stays on 3.x: its graphiql.min.js is a standalone UMD bundle (graphql and the
# editor included) that runs on the React 18 UMD globals; GraphiQL 4+ and React 19 ship no UMD
# builds.
set -euo pipefail
cd "$(dirname "$0")/.."
GRAPHIQL=3.9.0
REACT=18.3.1

out=internal/playground/assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)
for p in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT"; do
  mkdir -p "$tmp/$p" && tar -xzf "$tmp/$p.tgz" -C "$tmp/$p"
done

rm -rf "$out/vendor" "$out/licenses"
mkdir -p "$out/vendor" "$out/licenses"
cp "$tmp/graphiql-$GRAPHIQL/package/graphiql.min.js" "$out/vendor/graphiql.min.js"
cp "$tmp/graphiql-$GRAPHIQL/package/graphiql.min.css" "$out/vendor/graphiql.min.css"
cp "$tmp/react-$REACT/package/umd/react.production.min.js" "$out/vendor/react.production.min.js"
cp "$tmp/react-dom-$REACT/package/umd/react-dom.production.min.js" "$out/vendor/react-dom.production.min.js"
cp "$tmp/graphiql-$GRAPHIQL/package/LICENSE" "$out/licenses/graphiql.LICENSE"
cp "$tmp/react-$REACT/package/LICENSE" "$out/licenses/react.LICENSE"
cp "$tmp/react-dom-$REACT/package/LICENSE" "$out/licenses/react-dom.LICENSE"

{
  echo "# Third-party playground assets: written by scripts/update-playground.sh, do not edit."
  echo "# package version licence: files (sha256)"
  echo "graphiql $GRAPHIQL MIT:"
  (cd "$out" && sha256sum vendor/graphiql.min.js vendor/graphiql.min.css | sed 's/^/  /')
  echo "react $REACT MIT:"
  (cd "$out" && sha256sum vendor/react.production.min.js | sed 's/^/  /')
  echo "react-dom $REACT MIT:"
  (cd "$out" && sha256sum vendor/react-dom.production.min.js | sed 's/^/  /')
} >"$out/VERSIONS"
cat "$out/VERSIONS"
