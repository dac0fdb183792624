#!/usr/bin/env bash
# Headless browser check of the playground: starts the real server on a fresh SQLite database,
# loads / in headless Chromium with every host but 127.0.0.1 unreachable (a dead proxy and a
# resolver that finds no name), and checks that GraphiQL rendered with the example tabs and
# that the console shows no Content-Security-Policy violation, no failed load and no error.
# Installs chromium with apt-get when it is missing. Slow (a browser start), so not part of CI.
#
#   scripts/playground-check.sh [screenshot.png]
#
# The screenshot (default: a temporary file, path printed) shows what the browser rendered.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "installing chromium (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  browser=$(command -v chromium)
fi

work=$(mktemp -d)
shot=${1:-$work/playground.png}
source scripts/lib/serve.sh
trap 'stop_server; rm -rf "$work/profile1" "$work/profile2"' EXIT
start_server LOG_LEVEL=info # the access log shows what the page asked for

# --proxy-server to a closed port sends every non-loopback request nowhere ("<-loopback>" is not
# in the bypass list, so loopback goes direct); --host-resolver-rules makes every other name
# unresolvable. --virtual-time-budget lets the page's scripts and fetches finish before the dump.
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
  --proxy-server=http://127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
  --enable-logging=stderr --log-level=0 --virtual-time-budget=15000 --window-size=1400,900)
# A fresh profile for each run: a first visit, nothing in localStorage.
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$work/profile1" --dump-dom "$SERVER_URL/" \
  >"$work/dom.html" 2>"$work/console.log"
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$work/profile2" --screenshot="$shot" "$SERVER_URL/" \
  >/dev/null 2>>"$work/console.log"

fail=0
if grep -q 'class="graphiql-container"' "$work/dom.html"; then
  echo "ok: GraphiQL rendered"
else
  echo "FAIL: no graphiql-container in the page's DOM" >&2
  fail=1
fi
for tab in RolePage Search Match Fit Market; do
  if ! grep -q ">$tab<" "$work/dom.html"; then
    echo "FAIL: no $tab tab" >&2
    fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "ok: the five example tabs are there"
if grep -q 'Bearer &lt;token&gt;' "$work/dom.html"; then
  echo "ok: the header editor shows the Authorization hint"
else
  echo "FAIL: no Authorization hint in the header editor" >&2
  fail=1
fi
# The page asked the API for the schema (GraphiQL's introspection query) and got it.
if grep '"path":"/query"' "$SERVER_DIR/server.log" | grep -q '"status":200,.*"outcome":"ok"'; then
  echo "ok: the page fetched the schema from /query"
else
  echo "FAIL: the page did not query /query successfully; server log:" >&2
  grep '"msg":"request"' "$SERVER_DIR/server.log" | cut -c1-300 >&2 || true
  fail=1
fi
# Every console message the page produced (Chromium logs them as INFO:CONSOLE).
if grep -E 'CONSOLE' "$work/console.log" >"$work/messages.log"; then
  echo "console messages:" >&2
  cut -c1-400 "$work/messages.log" >&2
  if grep -Eqi 'Content Security Policy|Refused to|Failed to load|ERR_|error' "$work/messages.log"; then
    echo "FAIL: the console shows CSP violations or errors" >&2
    fail=1
  fi
else
  echo "ok: the console is empty (no CSP violation, no failed load)"
fi
echo "screenshot: $shot"
exit "$fail"
