#!/usr/bin/env bash
# Clients nobody here wrote against `pier serve`: curl's -r (ranges), -z (If-Modified-Since),
# --compressed (precompressed sibling), Python's urllib (redirect to the slash form, listing,
# 404), and wget: -O, -c (resume with Range), -r -np (a mirror through the listing pages),
# --spider (exit 8 on a 404). Usage: static_clients.sh <pier>
set -euo pipefail
pier=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
scratch
mkdir -p "$tmp/site/docs"
printf 'abcdefghijklmnopqrstuvwxyz' >"$tmp/site/alpha.txt"
printf 'plain text\n' >"$tmp/site/docs/readme.txt"
printf 'console.log(1)\n' >"$tmp/site/app.js"
gzip -k -9 "$tmp/site/app.js"
touch -d '2020-01-01 00:00:00 UTC' "$tmp/site/alpha.txt"
# A tree for wget -r: spaces and non-ASCII in names, nesting, and dot-files it must not get.
mkdir -p "$tmp/site/tree/sub/deeper" "$tmp/site/tree/.git"
printf 'a' >"$tmp/site/tree/a.txt"
printf 'x y' >"$tmp/site/tree/x y.txt"
printf 'e' >"$tmp/site/tree/é.txt"
printf 'b' >"$tmp/site/tree/sub/b.txt"
head -c 5000 /dev/urandom >"$tmp/site/tree/sub/deeper/c.bin"
printf 'SECRET=1\n' >"$tmp/site/tree/.env"
printf '[core]\n' >"$tmp/site/tree/.git/config"
head -c 200000 /dev/urandom >"$tmp/site/big.bin"

"$pier" serve 0 -b 127.0.0.1 -q -d "$tmp/site" >"$tmp/out" 2>&1 &
port=$(serving_port "$tmp/out")
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

# wget. -q -O: one file, exact bytes.
wget -q -O "$tmp/w-alpha" "$base/alpha.txt" || fail "wget -O exited $?"
[[ $(cat "$tmp/w-alpha") == abcdefghijklmnopqrstuvwxyz ]] || fail "wget -O content: $(cat "$tmp/w-alpha")"

# -c: a partial download is resumed with a Range request (206), not fetched again (200).
mkdir "$tmp/resume"
head -c 70000 "$tmp/site/big.bin" >"$tmp/resume/big.bin"
(cd "$tmp/resume" && wget -c -S "$base/big.bin") >"$tmp/resume.log" 2>&1 || fail "wget -c exited: $(tail -3 "$tmp/resume.log")"
grep -q 'HTTP/1.1 206' "$tmp/resume.log" || fail "wget -c was not answered 206"
grep -q 'Content-Range: bytes 70000-199999/200000' "$tmp/resume.log" || fail "wget -c: no Content-Range for the rest"
cmp -s "$tmp/resume/big.bin" "$tmp/site/big.bin" || fail "wget -c: resumed file differs from the original"

# -r -np: a mirror through the listing pages. The listing copies (index.html, and the sort
# links' index.html?sort=...) are wget's own; every other file must be one of the tree's,
# byte for byte, and all of them: nothing from above the tree, no dot-file.
mkdir "$tmp/mirror"
(cd "$tmp/mirror" && wget -r -np -nH -nv "$base/tree/") >"$tmp/mirror.log" 2>&1 || fail "wget -r exited: $(tail -3 "$tmp/mirror.log")"
got=$(cd "$tmp/mirror" && find . -type f ! -name 'index.html' ! -name 'index.html[?]*' | sort)
want=$(cd "$tmp/site" && find ./tree -type f ! -path '*/.*' | sort)
[[ $got == "$want" ]] || fail "wget -r fetched"$'\n'"$got"$'\n'"expected"$'\n'"$want"
while read -r f; do
  cmp -s "$tmp/mirror/$f" "$tmp/site/$f" || fail "wget -r: $f differs"
done <<<"$want"
while read -r page; do
  grep -q 'Directory listing for /tree/' "$tmp/mirror/$page" || fail "wget -r: $page is not a listing"
done < <(cd "$tmp/mirror" && find . -name 'index.html*')
[[ -f $tmp/mirror/tree/sub/deeper/index.html ]] || fail "wget -r: no listing saved for tree/sub/deeper/"

# --spider on a missing file: wget's exit status 8 is "the server issued an error response".
status=0
wget -q --spider "$base/tree/nope.txt" || status=$?
[[ $status -eq 8 ]] || fail "wget --spider of a missing file exited $status, expected 8"
echo "static interop: ok"
