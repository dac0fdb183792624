# Sourced by scripts that need a running careergraph: builds the real binary, starts it on a
# fresh SQLite database in a temporary directory and a free local port, and polls /readyz until
# it answers. The caller's EXIT trap must call stop_server; the server never outlives the script.
#
#   source scripts/lib/serve.sh
#   trap stop_server EXIT
#   start_server            # sets SERVER_URL (http://127.0.0.1:PORT), SERVER_PID, SERVER_DIR
#
# Extra environment for the server can be passed as arguments: start_server LOG_LEVEL=debug.

SERVER_PID=""
SERVER_DIR=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
  if [ -n "$SERVER_DIR" ]; then rm -rf "$SERVER_DIR"; SERVER_DIR=""; fi
}

# free_port asks the kernel for an unused port (bind to 0) and prints it.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_server() {
  SERVER_DIR=$(mktemp -d)
  go build -o "$SERVER_DIR/careergraph" .
  local port
  port=$(free_port)
  SERVER_URL="http://127.0.0.1:$port"
  env PORT="$port" DATABASE_URL="file:$SERVER_DIR/careergraph.db" LOG_LEVEL=warn "$@" \
    "$SERVER_DIR/careergraph" 2>"$SERVER_DIR/server.log" &
  SERVER_PID=$!
  # Poll readiness; give up after 60 s (a cold start on a busy machine is a few seconds).
  local deadline=$((SECONDS + 60))
  until curl -fs -o /dev/null "$SERVER_URL/readyz"; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "the server exited before it was ready:" >&2
      cat "$SERVER_DIR/server.log" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "the server was not ready within 60 s:" >&2
      cat "$SERVER_DIR/server.log" >&2
      return 1
    fi
    sleep 0.1
  done
}
