#!/usr/bin/env bash
# `pier serve` as a user runs it: start-up line, a file, Ctrl-C exits 0, a busy port exits 1
# with a clear message, usage errors exit 2.
set -euo pipefail
pier=$1
tmp=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$tmp/site"
echo "hi" >"$tmp/site/hello.txt"
touch "$tmp/site/.env"

"$pier" serve 0 -b 127.0.0.1 -d "$tmp/site" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q 'Serving HTTP' "$tmp/out" && break; sleep 0.05; done
grep -q '^Serving HTTP on 127.0.0.1 port [0-9]* (http://127.0.0.1:[0-9]*/) \.\.\.$' "$tmp/out" ||
  fail "start-up line: $(cat "$tmp/out")"
grep -q 'dot-files' "$tmp/out" || fail "no note about hidden dot-files"
port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/out")
[[ $(curl -s "http://127.0.0.1:$port/hello.txt") == hi ]] || fail "GET /hello.txt"
grep -q '"GET /hello.txt HTTP/1.1" 200 -' "$tmp/err" || fail "access log: $(cat "$tmp/err")"

# A second server on the same port: refused at once.
status=0
"$pier" serve "$port" -b 127.0.0.1 -d "$tmp/site" >/dev/null 2>"$tmp/busy" || status=$?
[[ $status -eq 1 ]] || fail "busy port exit status $status"
grep -q 'Address already in use' "$tmp/busy" || fail "busy port message: $(cat "$tmp/busy")"

kill -INT $pid
status=0; wait $pid || status=$?
[[ $status -eq 0 ]] || fail "Ctrl-C exit status $status"

# A positional directory, and usage errors.
status=0; "$pier" serve "$tmp/nope" >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "missing directory exit status $status"
status=0; "$pier" serve 70000 >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "bad port exit status $status"
status=0; "$pier" serve --no-such-flag >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "unknown flag exit status $status"
status=0; "$pier" serve 0 --header 'bad header' >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "bad --header exit status $status"

# An option that takes a value takes one: the port after --header or --index stays the port.
"$pier" serve --header 'X-Test: yes' --index hello.txt 0 -b 127.0.0.1 -d "$tmp/site" \
  >"$tmp/out2" 2>/dev/null &
pid=$!
for _ in $(seq 100); do grep -q 'Serving HTTP' "$tmp/out2" && break; sleep 0.05; done
port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/out2")
[[ -n $port ]] || fail "--header/--index before the port: $(cat "$tmp/out2")"
curl -s -D "$tmp/h" "http://127.0.0.1:$port/" >"$tmp/b"
grep -qi '^X-Test: yes' "$tmp/h" || fail "--header not sent: $(cat "$tmp/h")"
[[ $(cat "$tmp/b") == hi ]] || fail "--index hello.txt: $(cat "$tmp/b")"
kill -INT $pid
wait $pid || true
echo "pier serve: ok"
