#!/usr/bin/env bash
# Usage: run.sh <interop_server> <client command...>
# Starts the server on a free loopback port, runs the client with PORT set, stops the server
# (SIGTERM: it must exit 0), and fails if either failed. Bounded: the client gets 60 s.
set -euo pipefail
server=$1
shift
out=$(mktemp)
"$server" >"$out" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do
  grep -q '^port ' "$out" && break
  sleep 0.05
done
PORT=$(sed -n 's/^port //p' "$out")
[[ -n $PORT ]] || { echo "server did not start" >&2; exit 1; }
export PORT
status=0
timeout 60 "$@" || status=$?
kill -TERM $pid
server_status=0
wait $pid || server_status=$?
if [[ $server_status -ne 0 ]]; then echo "server exited with $server_status" >&2; exit 1; fi
exit $status
