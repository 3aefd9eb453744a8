#!/usr/bin/env bash
# `pier get`'s request bodies as curl sends them: -T, -F, --data-urlencode, -G, the conflicts
# curl refuses, missing files, and Expect: 100-continue (waited for, withheld on a final answer,
# a 417 retried once). The exact bytes are checked against tests/cli/get_peer.py's echo, the
# same flags given to the real curl must send the same request (User-Agent and the boundary
# aside), and `pier serve --upload` and Python's http.server receive the uploads.
set -euo pipefail
pier=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
scratch
# same_as_curl ARGS...: pier get and curl, the same flags, the same request at the echo.
same_as_curl() {
  timeout 20 "$pier" get -s "$@" >"$tmp/pier.out" <"${stdin:-/dev/null}" || fail "pier get $*"
  timeout 20 curl -s "$@" >"$tmp/curl.out" <"${stdin:-/dev/null}" || fail "curl $*"
  python3 "$here/normalise_echo.py" "$tmp/pier.out" "$tmp/curl.out" >"$tmp/diff" ||
    fail "pier and curl differ for $*: $(cat "$tmp/diff")"
}
# body_of FILE: what the echo received after the head.
body_of() {
  local head
  head=$(grep -a -m1 -n '^$' "$1" | cut -d: -f1)
  tail -n +"$((head + 1))" "$1"
}

mkdir -p "$tmp/site" "$tmp/up"
cd "$tmp"
printf 'hello\nworld' >a.txt
printf '<p>hi</p>\n' >page.html
printf 'raw\x00bytes\r\n' >"we ird+&%.txt"
printf 'x' >unknown.zzq
printf 'quoted' >'q;n"a.txt'
head -c 1100000 /dev/urandom >big.bin

start_get_peer "$tmp/site"
host=${py#http://}
version=$("$pier" --version | cut -d' ' -f2)

# ---- -T ------------------------------------------------------------------------------------
# A file: PUT, its length, its bytes; small, so no Expect.
expect_exit 0 -T a.txt "$py/echo"
diff <(tr -d '\r' <"$tmp/stdout"; echo) - <<EOF2 || fail "-T FILE request: $(cat "$tmp/stdout")"
PUT /echo HTTP/1.1
Host: $host
User-Agent: pier/$version
Accept: */*
Content-Length: 11

hello
world
EOF2
# stdin: chunked (and so Expect, its size unknown).
printf 'from stdin' >stdin.txt
stdin=stdin.txt expect_exit 0 -T - "$py/echo"
diff <(tr -d '\r' <"$tmp/stdout"; echo) - <<EOF2 || fail "-T - request: $(cat "$tmp/stdout")"
PUT /echo HTTP/1.1
Host: $host
User-Agent: pier/$version
Accept: */*
Transfer-Encoding: chunked
Expect: 100-continue

from stdin
EOF2
# Large: Content-Length, Expect, the bytes intact; -X keeps its method.
expect_exit 0 -T big.bin -X POST "$py/echo"
grep -q '^POST /echo' "$tmp/stdout" || fail "-T with -X POST"
grep -q '^Content-Length: 1100000' "$tmp/stdout" || fail "-T big length"
grep -q '^Expect: 100-continue' "$tmp/stdout" || fail "no Expect with 1.1 MB"
body_of "$tmp/stdout" | cmp -s - big.bin || fail "-T big body"
# A URL naming a directory (or nothing) gets the file's name, percent-encoded; one -T per URL.
expect_exit 0 -T "we ird+&%.txt" "$py/raw/dir/"
[[ $(cat "$tmp/stdout") == 'PUT /raw/dir/we%20ird%2B%26%25.txt HTTP/1.1' ]] || fail "-T name: $(cat "$tmp/stdout")"
expect_exit 0 -v -T a.txt "$py" "$py/?q=1"
[[ $(grep -c '^> PUT /a.txt HTTP/1.1' "$tmp/stderr") == 1 ]] || fail "-T on a URL without a path"
grep -q '^> GET /?q=1 HTTP/1.1' "$tmp/stderr" || fail "a second URL without a second -T"
expect_exit 0 -T a.txt -T page.html "$py/raw/one/" "$py/raw/two/x?y=1" "$py/raw/three/"
[[ $(cat "$tmp/stdout") == "PUT /raw/one/a.txt HTTP/1.1PUT /raw/two/x?y=1 HTTP/1.1GET /raw/three/ HTTP/1.1" ]] ||
  fail "one -T per URL: $(cat "$tmp/stdout")"
# As curl (Expect aside: curl 7 asks it for every upload, pier from 1 MiB on, as curl 8).
same_as_curl -H 'Expect:' -T a.txt "$py/echo"
same_as_curl -T big.bin "$py/echo"
stdin=stdin.txt same_as_curl -T - "$py/echo"
for url in "$py/raw/d/" "$py/raw/d/?x=1" "$py/raw/d/f"; do
  [[ $(timeout 20 "$pier" get -s -T a.txt "$url") == $(curl -s -T a.txt "$url") ]] || fail "-T URL $url differs from curl"
done
expect_exit 26 -T missing.txt "$py/echo"
grep -q 'missing.txt' "$tmp/stderr" || fail "-T missing: $(cat "$tmp/stderr")"

# ---- -F ------------------------------------------------------------------------------------
expect_exit 0 -F 'text=v a"l' -F 'f=@a.txt' -F $'na"me\r\n=1' -F 'c=<a.txt' "$py/echo"
boundary=$(sed -n 's/^Content-Type: multipart\/form-data; boundary=\(.*\)$/\1/p' "$tmp/stdout")
[[ ${#boundary} -ge 40 ]] || fail "-F boundary: '$boundary'"
python3 - "$tmp/stdout" "$boundary" <<'PY' || fail "-F body: $(cat "$tmp/stdout")"
import sys
data = open(sys.argv[1], "rb").read()
b = sys.argv[2].encode()
head, _, body = data.partition(b"\n\n")
expected = (b"--%s\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nv a\"l\r\n"
            b"--%s\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
            b"Content-Type: text/plain\r\n\r\nhello\nworld\r\n"
            b"--%s\r\nContent-Disposition: form-data; name=\"na%%22me%%0D%%0A\"\r\n\r\n1\r\n"
            b"--%s\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\nhello\nworld\r\n"
            b"--%s--\r\n") % (b, b, b, b, b)
assert body == expected, body
assert b"POST /echo HTTP/1.1" in head and (b"Content-Length: %d" % len(body)) in head, head
PY
# Two forms, two boundaries (a CSPRNG's).
b1=$boundary
expect_exit 0 -F a=1 "$py/echo"
[[ $(sed -n 's/^Content-Type: .*boundary=\(.*\)$/\1/p' "$tmp/stdout") != "$b1" ]] || fail "the same boundary twice"
# curl's syntax, compared with curl: types, file names (quoted, escaped), <file, literal
# --form-string, stdin, unknown parameters, a type with parameters.
same_as_curl -F 'a=x;y' -F 'b=x;type=text/foo' -F 'c="q;t"' -F 'f=x;filename=n.txt' -F 'g=' "$py/echo"
same_as_curl -F 'up=@a.txt;filename=other.bin' -F 'h=@page.html' -F 'u=@unknown.zzq' \
  -F 'z=@a.txt;type=text/plain;charset=utf-8' -F 't=@unknown.zzq;type=image/png' "$py/echo"
same_as_curl -F 'q=@"q;n\"a.txt"' -F 'n=@a.txt;filename="na\"m;e"' -F $'l=@page.html;filename=q"u\no' "$py/echo"
same_as_curl -F 'r=<we ird+&%.txt' --form-string 'lit2=<nor;type=x' "$py/echo"
same_as_curl --form-string 'lit=@not-a-file;type=x' -F 'e=@we ird+&%.txt' "$py/echo"
stdin=stdin.txt same_as_curl -F 'in=@-' "$py/echo"
stdin=stdin.txt same_as_curl -F 'in=<-' -F 'x=y' "$py/echo"
same_as_curl -F 'x=y' -X PUT "$py/echo"
same_as_curl -F 'x=y' -H 'Content-Type: multipart/form-data' "$py/echo"
expect_exit 26 -F 'a=@missing.bin' "$py/echo"
grep -q 'missing.bin' "$tmp/stderr" || fail "-F missing: $(cat "$tmp/stderr")"
expect_exit 26 -F 'a=<missing.bin' "$py/echo"
expect_exit 2 -F 'no-equals' "$py/echo"

# ---- -d's kin: --data-urlencode in curl's five forms, --data-raw, order kept ------------------
expect_exit 0 --data-urlencode 'a b=c&d' --data-urlencode '=x y' --data-urlencode 'n@a.txt' \
  --data-urlencode '@a.txt' --data-urlencode 'plain~*._-' --data-urlencode 'é/?' "$py/echo"
[[ $(body_of "$tmp/stdout") == 'a b=c%26d&x+y&n=hello%0Aworld&hello%0Aworld&plain~%2A._-&%C3%A9%2F%3F' ]] ||
  fail "--data-urlencode: $(body_of "$tmp/stdout")"
same_as_curl --data-urlencode 'a b=c&d' --data-urlencode '=x y' --data-urlencode 'n@a.txt' \
  --data-urlencode '@we ird+&%.txt' --data-urlencode 'plain~*._-' --data-urlencode 'a@b=c' "$py/echo"
same_as_curl -d x --data-urlencode 'y= ' --data-raw '@z' --data-binary '@a.txt' -d '@a.txt' --json '{"j":1}' -d w "$py/echo"
stdin=stdin.txt same_as_curl --data-urlencode 's@-' "$py/echo"
expect_exit 26 --data-urlencode 'n@missing.txt' "$py/echo"

# ---- -G ------------------------------------------------------------------------------------
expect_exit 0 -G -d a=1 --data-urlencode 'b=c d' "$py/raw/x?q=1"
[[ $(cat "$tmp/stdout") == 'GET /raw/x?q=1&a=1&b=c+d HTTP/1.1' ]] || fail "-G: $(cat "$tmp/stdout")"
expect_exit 0 -G -d a=1 "$py/raw/x#frag"
[[ $(cat "$tmp/stdout") == 'GET /raw/x?a=1 HTTP/1.1' ]] || fail "-G before a fragment: $(cat "$tmp/stdout")"
expect_exit 0 -v -G -I -d a=1 "$py/raw/x"
grep -q '^> HEAD /raw/x?a=1 HTTP/1.1' "$tmp/stderr" || fail "-G -I"
same_as_curl -G -d a=1 --data-urlencode 'b=c d' "$py/echo?q=1"
# -X still names the method (with no body: pier's Content-Length: 0, RFC 9110 §8.6, is not
# curl's, so only the request line is compared).
expect_exit 0 -G -d a=1 -X POST "$py/raw/x"
[[ $(cat "$tmp/stdout") == "$(curl -s -G -d a=1 -X POST "$py/raw/x")" ]] || fail "-G -X POST: $(cat "$tmp/stdout")"

# ---- conflicts curl refuses ------------------------------------------------------------------
for args in "-F a=1 -d b" "-T a.txt -d b" "-T a.txt -F a=1" "-I -F a=1" "-I -T a.txt" "-I -d b" \
  "-G -F a=1" "-G -T a.txt"; do
  # shellcheck disable=SC2086
  expect_exit 2 $args "$py/echo"
  grep -q 'exclude each other' "$tmp/stderr" || fail "$args: $(cat "$tmp/stderr")"
done

# ---- Expect: 100-continue --------------------------------------------------------------------
# The server refuses pier's own Expect: once more without it, the body whole.
expect_exit 0 -v -T big.bin "$py/417/echo"
[[ $(grep -c '^> PUT /417/echo' "$tmp/stderr") == 2 ]] || fail "417 not retried once"
grep -q '^Expect' "$tmp/stdout" && fail "the retry after 417 still had Expect"
body_of "$tmp/stdout" | cmp -s - big.bin || fail "the retry after 417 lost the body"
# ... but not the user's own.
expect_exit 0 -H 'Expect: 100-continue' -w '%{http_code}' -d x "$py/417/echo"
[[ $(cat "$tmp/stdout") == 417 ]] || fail "the user's Expect was retried: $(cat "$tmp/stdout")"
# -H 'Expect:' sends none, whatever the size.
expect_exit 0 -H 'Expect:' -T big.bin "$py/echo"
grep -qi '^Expect' "$tmp/stdout" && fail "-H 'Expect:' still sent Expect"
body_of "$tmp/stdout" | cmp -s - big.bin || fail "-H 'Expect:' body"
# No 100 from the server: the body goes after --expect100-timeout (waited for, not skipped).
start=$(date +%s%N)
expect_exit 0 --expect100-timeout 1.5 -T big.bin "$py/silent/echo"
elapsed=$((($(date +%s%N) - start) / 1000000))
[[ $elapsed -ge 1400 ]] || fail "the body did not wait for 100 Continue ($elapsed ms)"
body_of "$tmp/stdout" | cmp -s - big.bin || fail "body after the 100 timeout"
start=$(date +%s%N)
expect_exit 0 -H 'Expect: 100-continue' --expect100-timeout 1 -d small "$py/silent/echo"
elapsed=$((($(date +%s%N) - start) / 1000000))
[[ $elapsed -ge 900 && $(body_of "$tmp/stdout") == small ]] || fail "the user's Expect was not waited on ($elapsed ms)"
# A final answer instead of 100: the body is withheld, the answer shown.
for args in "-T big.bin" "-H Expect:100-continue -F f=@a.txt"; do
  # shellcheck disable=SC2086
  expect_exit 0 $args "$py/final/x"
  [[ $(cat "$tmp/stdout") == refused ]] || fail "final answer with $args: $(cat "$tmp/stdout")"
  [[ $(timeout 20 "$pier" get -s "$py/last_final") == withheld ]] || fail "the body was sent after a final answer ($args)"
done

# ---- redirects -------------------------------------------------------------------------------
# 307 sends the body again: a file opens anew, a form too; stdin cannot, exit 65 as curl.
expect_exit 0 -L -T big.bin "$py/to?url=/echo&code=307"
body_of "$tmp/stdout" | cmp -s - big.bin || fail "-T after 307"
expect_exit 0 -L -F f=@a.txt "$py/to?url=/echo&code=308"
grep -q '^Content-Disposition: form-data; name="f"; filename="a.txt"' "$tmp/stdout" || fail "-F after 308"
stdin=stdin.txt expect_exit 65 -L -T - "$py/to?url=/echo&code=307"
grep -q 'rewind' "$tmp/stderr" || fail "65 without a clear message: $(cat "$tmp/stderr")"
# 303 asks for a GET: no body, no type.
expect_exit 0 -L -F f=@a.txt "$py/to?url=/echo&code=303"
grep -q '^GET /echo' "$tmp/stdout" && ! grep -qi '^Content-Type' "$tmp/stdout" || fail "-F after 303"

# ---- real servers ----------------------------------------------------------------------------
"$pier" serve 0 -b 127.0.0.1 -q --upload -d "$tmp/up" >"$tmp/serve.out" 2>&1 &
for _ in $(seq 100); do grep -q 'Serving HTTP' "$tmp/serve.out" && break; sleep 0.05; done
ps=http://127.0.0.1:$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/serve.out")
expect_exit 0 -f -T big.bin "$ps/"
cmp -s "$tmp/up/big.bin" big.bin || fail "pier serve: -T FILE"
stdin=big.bin expect_exit 0 -f -T - "$ps/from-stdin.bin"
cmp -s "$tmp/up/from-stdin.bin" big.bin || fail "pier serve: -T -"
expect_exit 0 -f -F 'file=@page.html' -F 'file=@we ird+&%.txt' "$ps/"
cmp -s "$tmp/up/page.html" page.html && cmp -s "$tmp/up/we ird+&%.txt" "we ird+&%.txt" || fail "pier serve: -F file=@"
# Python's http.server: -G turns the data into a query it ignores for a file.
cp a.txt "$tmp/site/"
(cd "$tmp/site" && exec python3 -m http.server 0 --bind 127.0.0.1 >"$tmp/stock.out" 2>&1) &
for _ in $(seq 100); do grep -q 'port' "$tmp/stock.out" && break; sleep 0.05; done
stock=http://127.0.0.1:$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$tmp/stock.out")
expect_exit 0 -G --data-urlencode 'q=a b' "$stock/a.txt"
cmp -s "$tmp/stdout" a.txt || fail "python -m http.server with -G"
echo "get_bodies: all passed"
