#!/usr/bin/env bash
# `pier serve --live-reload` and `--ws-exec` as a user runs them: the start-up lines, a program
# behind a WebSocket through `pier ws` (its lines, its exit status as the close code, the bound
# on programs at once), the script in pages, and usage errors (exit 2).
set -euo pipefail
pier=$1
tmp=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$tmp/site/docs" "$tmp/site/.git"
printf '<html><body><h1>hi</h1></body></html>\n' >"$tmp/site/index.html"

"$pier" serve 0 -b 127.0.0.1 -d "$tmp/site" --live-reload --ws-exec '/count=seq 1 3' \
  --ws-exec '/fail=false' --ws-exec '/head=head -n 5' --ws-exec '/cat=cat' --ws-exec-max 1 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q '^Live reload' "$tmp/out" && break; sleep 0.05; done
port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/out")
[[ -n $port ]] || fail "no start-up line: $(cat "$tmp/out" "$tmp/err")"
grep -qx 'WebSocket: /count runs seq 1 3 for each connection (at most 1 at once)' "$tmp/out" ||
  fail "--ws-exec start-up line: $(cat "$tmp/out")"
# The root and docs/; not .git.
grep -q '^Live reload: on, watching 2 directories; HTML pages get a script that listens on /.pier/live-reload' "$tmp/out" ||
  fail "--live-reload start-up line: $(cat "$tmp/out")"

# A program's lines are messages; its end is the connection's (--no-close: pier ws waits for it).
[[ $(timeout 10 "$pier" ws --no-close "ws://127.0.0.1:$port/count" </dev/null) == $'1\n2\n3' ]] ||
  fail "pier ws /count"
status=0
timeout 10 "$pier" ws --no-close "ws://127.0.0.1:$port/fail" </dev/null 2>"$tmp/ws_err" || status=$?
[[ $status -eq 56 ]] || fail "a failing program: pier ws exit status $status"
grep -q '1011: exit status 1' "$tmp/ws_err" || fail "a failing program: $(cat "$tmp/ws_err")"
# What is typed goes to the program, empty lines too (permessage-deflate is on).
[[ $(printf 'a\n\nb\n\nc\n' | timeout 10 "$pier" ws --no-close "ws://127.0.0.1:$port/head") == $'a\n\nb\n\nc' ]] ||
  fail "pier ws /head"

# --ws-exec-max 1: a second program at once is refused with 1008.
mkfifo "$tmp/hold"
timeout 20 "$pier" ws --no-close "ws://127.0.0.1:$port/cat" <"$tmp/hold" >"$tmp/first" 2>&1 &
holder=$!
exec 3>"$tmp/hold"
echo ready >&3
for _ in $(seq 100); do grep -q ready "$tmp/first" && break; sleep 0.05; done
grep -q ready "$tmp/first" || fail "the first /cat did not answer: $(cat "$tmp/first")"
status=0
timeout 10 "$pier" ws "ws://127.0.0.1:$port/cat" </dev/null 2>"$tmp/second" || status=$?
[[ $status -eq 56 ]] && grep -q 1008 "$tmp/second" ||
  fail "past --ws-exec-max: exit $status, $(cat "$tmp/second")"
exec 3>&-
kill $holder 2>/dev/null || true

# Pages carry the script; other files do not.
curl -s "http://127.0.0.1:$port/index.html" | grep -q '/.pier/live-reload' || fail "no script in the page"
kill -INT $pid
status=0; wait $pid || status=$?
[[ $status -eq 0 ]] || fail "Ctrl-C exit status $status"

# Usage errors: exit 2 with a message that names the mistake.
for spec in 'count=seq' '/count=' '/count' '=seq' '/count=   '; do
  status=0
  "$pier" serve 0 -b 127.0.0.1 -d "$tmp/site" --ws-exec "$spec" >/dev/null 2>"$tmp/bad" || status=$?
  [[ $status -eq 2 ]] || fail "--ws-exec '$spec': exit status $status"
  grep -q 'expected /PATH=PROGRAM' "$tmp/bad" || fail "--ws-exec '$spec': $(cat "$tmp/bad")"
done
status=0
"$pier" serve 0 -b 127.0.0.1 --live-reload -d "$tmp/nope" >/dev/null 2>"$tmp/bad" || status=$?
[[ $status -eq 2 ]] || fail "--live-reload on a missing directory: exit status $status"
grep -q "$tmp/nope" "$tmp/bad" || fail "--live-reload on a missing directory: $(cat "$tmp/bad")"
status=0
"$pier" serve 0 --ws-exec-max abc >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "--ws-exec-max abc: exit status $status"
echo "pier serve --live-reload, --ws-exec: ok"
