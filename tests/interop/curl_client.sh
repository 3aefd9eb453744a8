#!/usr/bin/env bash
# curl against pier: keep-alive reuse, chunked upload, 100-continue, HEAD.
set -euo pipefail
base="http://127.0.0.1:$PORT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Keep-alive: two URLs, one connection.
curl -sS -v "$base/hello" "$base/hello" >"$tmp/out" 2>"$tmp/err"
[[ $(cat "$tmp/out") == $'hello\nhello' ]] || fail "keep-alive bodies: $(cat "$tmp/out")"
grep -qi 're-using existing connection' "$tmp/err" || fail "curl did not reuse the connection"

# Chunked upload of 1 MiB, echoed back intact.
head -c 1048576 /dev/urandom >"$tmp/blob"
curl -sS -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/blob" "$base/echo" >"$tmp/back"
cmp -s "$tmp/blob" "$tmp/back" || fail "chunked upload did not round-trip"

# 100-continue: curl waits for the interim response before sending the body.
curl -sS -v -H 'Expect: 100-continue' --data-binary @"$tmp/blob" "$base/echo" >"$tmp/back" 2>"$tmp/err"
grep -q '< HTTP/1.1 100 Continue' "$tmp/err" || fail "no 100 Continue seen by curl"
cmp -s "$tmp/blob" "$tmp/back" || fail "100-continue upload did not round-trip"

# HEAD: same length, no body; curl must not hang waiting for one.
curl -sS -I "$base/hello" >"$tmp/head"
grep -qi '^content-length: 6' "$tmp/head" || fail "HEAD length: $(cat "$tmp/head")"

# Errors come back as such.
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/nope")
[[ $code == 404 ]] || fail "404 expected, got $code"
echo "curl interop: ok"
