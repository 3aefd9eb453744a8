#!/usr/bin/env bash
# Clients nobody here wrote against `pier serve`: curl's -r (ranges), -z (If-Modified-Since),
# --compressed (precompressed sibling), and Python's urllib (redirect to the slash form,
# listing, 404). Usage: static_clients.sh <pier>
set -euo pipefail
pier=$1
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$tmp/site/docs"
printf 'abcdefghijklmnopqrstuvwxyz' >"$tmp/site/alpha.txt"
printf 'plain text\n' >"$tmp/site/docs/readme.txt"
printf 'console.log(1)\n' >"$tmp/site/app.js"
gzip -k -9 "$tmp/site/app.js"
touch -d '2020-01-01 00:00:00 UTC' "$tmp/site/alpha.txt"

"$pier" serve 0 -b 127.0.0.1 -q -d "$tmp/site" >"$tmp/out" 2>&1 &
for _ in $(seq 100); do grep -q 'Serving HTTP' "$tmp/out" && break; sleep 0.05; done
port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/out")
base="http://127.0.0.1:$port"

[[ $(curl -s -r 2-4 "$base/alpha.txt") == cde ]] || fail "curl -r 2-4"
[[ $(curl -s -r -3 "$base/alpha.txt") == xyz ]] || fail "curl -r -3"
code=$(curl -s -o /dev/null -w '%{http_code}' -z 'Jan 2 2020' "$base/alpha.txt")
[[ $code == 304 ]] || fail "curl -z newer date: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -z 'Dec 31 2019' "$base/alpha.txt")
[[ $code == 200 ]] || fail "curl -z older date: $code"
[[ $(curl -s --compressed "$base/app.js") == 'console.log(1)' ]] || fail "curl --compressed"
enc=$(curl -s -o /dev/null -D - --compressed "$base/app.js" | tr -d '\r' | sed -n 's/^content-encoding: //Ip')
[[ $enc == gzip ]] || fail "Content-Encoding for --compressed: '$enc'"

python3 - "$base" <<'PY' || fail "python urllib"
import json, sys, urllib.request, urllib.error
base = sys.argv[1]
with urllib.request.urlopen(base + "/docs") as r:          # follows the 301 to /docs/
    assert r.geturl().endswith("/docs/"), r.geturl()
    assert "readme.txt" in r.read().decode()
with urllib.request.urlopen(base + "/docs/readme.txt") as r:
    assert r.read() == b"plain text\n"
req = urllib.request.Request(base + "/docs/", headers={"Accept": "application/json"})
with urllib.request.urlopen(req) as r:
    names = [e["name"] for e in json.load(r)["entries"]]
    assert names == ["readme.txt"], names
try:
    urllib.request.urlopen(base + "/nope")
    raise SystemExit("404 expected")
except urllib.error.HTTPError as e:
    assert e.code == 404
PY
echo "static interop: ok"
