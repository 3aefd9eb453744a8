#!/usr/bin/env bash
# Usage: signals.sh <interop_server>
# SIGTERM with a request in flight: the request completes and the server exits 0. A second
# SIGTERM while the grace period runs: the server exits at once, 128+15.
set -euo pipefail
server=$1
tmp=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
start() {
  "$server" >"$tmp/out" &
  pid=$!
  for _ in $(seq 100); do grep -q '^port ' "$tmp/out" && break; sleep 0.05; done
  port=$(sed -n 's/^port //p' "$tmp/out")
}

start
curl -s "http://127.0.0.1:$port/sleep" >"$tmp/body" &
curl_pid=$!
sleep 0.5
kill -TERM $pid
status=0; wait $pid || status=$?
wait $curl_pid
[[ $status -eq 0 ]] || { echo "graceful stop exited $status" >&2; exit 1; }
[[ $(cat "$tmp/body") == slept ]] || { echo "in-flight request lost: '$(cat "$tmp/body")'" >&2; exit 1; }

start
curl -s "http://127.0.0.1:$port/sleep" >/dev/null &
sleep 0.5
kill -TERM $pid
sleep 0.2
kill -TERM $pid
status=0; wait $pid || status=$?
[[ $status -eq 143 ]] || { echo "second signal: expected exit 143, got $status" >&2; exit 1; }
echo "signals: ok"
