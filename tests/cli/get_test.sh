#!/usr/bin/env bash
# `pier get` as a user runs it, against Python's http.server (a scripted handler) and against
# `pier serve`: output, -o/-O, -i/-I/-D, -d/--data-binary/--json, -L, -f, -w, -u, cookies,
# --compressed, connection reuse across URLs, and curl's exit codes.
set -euo pipefail
pier=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
scratch

mkdir -p "$tmp/site"
printf 'hello\n' >"$tmp/site/hello.txt"
head -c 300000 /dev/urandom >"$tmp/site/big.bin"

start_get_peer "$tmp/site"

# A plain GET, and the exact request pier sends.
[[ $("$pier" get "$py/file/hello.txt") == hello ]] || fail "GET body"
expect_exit 0 "$py/echo"
diff <(tr -d '\r' <"$tmp/stdout") - <<EOF2 || fail "request bytes: $(cat "$tmp/stdout")"
GET /echo HTTP/1.1
Host: ${py#http://}
User-Agent: pier/$("$pier" --version | cut -d' ' -f2)
Accept: */*

EOF2

# Several URLs in one call share one connection.
before=$("$pier" get -s "$py/connections")
expect_exit 0 "$py/file/hello.txt" "$py/file/hello.txt" "$py/connections"
[[ $(tail -c 1 "$tmp/stdout") == $((before + 1)) ]] || fail "three URLs did not share one connection: $(cat "$tmp/stdout")"

# -o writes the file; a failed transfer leaves nothing behind.
expect_exit 0 -o "$tmp/big.out" "$py/file/big.bin"
cmp -s "$tmp/big.out" "$tmp/site/big.bin" || fail "-o content"
[[ $(umask 027 && timeout 20 "$pier" get -s -o "$tmp/mode.out" "$py/file/hello.txt" && stat -c %a "$tmp/mode.out") == 640 ]] ||
  fail "-o file mode ignores the umask"
expect_exit 18 -o "$tmp/partial.out" "$py/truncated"
[[ ! -e $tmp/partial.out ]] || fail "-o left a partial file"
[[ -z $(ls "$tmp" | grep 'partial.out.pier-' || true) ]] || fail "-o left its temporary file"
# What a rename must not replace is written in place: a FIFO stays a FIFO (a device such as
# /dev/null likewise; making one needs root), a hard link stays shared, a symlink stays a link
# and its file is replaced, an existing file keeps its mode.
mkfifo "$tmp/fifo"
timeout 20 cat "$tmp/fifo" >"$tmp/fifo.read" &
expect_exit 0 -o "$tmp/fifo" "$py/file/hello.txt"
wait $! || true
[[ -p $tmp/fifo && $(cat "$tmp/fifo.read") == hello ]] || fail "-o replaced a FIFO"
printf 'old\n' >"$tmp/linked" && ln "$tmp/linked" "$tmp/linked2" && chmod 754 "$tmp/linked"
expect_exit 0 -o "$tmp/linked" "$py/file/hello.txt"
[[ $(cat "$tmp/linked2") == hello && $(stat -c %h "$tmp/linked") == 2 ]] || fail "-o broke a hard link"
printf 'old\n' >"$tmp/moded" && chmod 754 "$tmp/moded"
expect_exit 0 -o "$tmp/moded" "$py/file/hello.txt"
[[ $(stat -c %a "$tmp/moded") == 754 && $(cat "$tmp/moded") == hello ]] || fail "-o lost the mode"
ln -s moded "$tmp/symlinked"
expect_exit 0 -o "$tmp/symlinked" "$py/file/big.bin"
[[ -L $tmp/symlinked ]] && cmp -s "$tmp/moded" "$tmp/site/big.bin" || fail "-o replaced a symlink"
# A signal mid-transfer removes the temporary file (and ends the process as the signal does).
timeout 20 "$pier" get -s -o "$tmp/killed.out" "$py/stall" &
killed=$!
for _ in $(seq 100); do ls "$tmp" | grep -q 'killed.out.pier-' && break; sleep 0.05; done
kill -TERM $killed
status=0 && wait $killed || status=$?
[[ $status -eq 143 ]] || fail "SIGTERM: exit $status"
[[ -z $(ls "$tmp" | grep 'killed.out.pier-' || true) ]] || fail "SIGTERM left the temporary file"
# With stdout closed, the body must not go into whatever the next descriptor is (the socket).
status=0 && timeout 20 "$pier" get -s "$py/file/hello.txt" >&- || status=$?
[[ $status -eq 23 ]] || fail "closed stdout: exit $status"
(cd "$tmp" && timeout 20 "$pier" get -s -O "$py/file/hello.txt") || fail "-O"
[[ $(cat "$tmp/hello.txt") == hello ]] || fail "-O file name"
# One -O names one URL's file, as in curl; the next URL goes to stdout.
[[ $(cd "$tmp" && timeout 20 "$pier" get -s -O "$py/file/big.bin" "$py/file/hello.txt") == hello ]] ||
  fail "-O applied to a second URL"
cmp -s "$tmp/big.bin" "$tmp/site/big.bin" || fail "-O with two URLs"
# -I shows the head only, whatever the method; -I with a body is a usage error.
expect_exit 0 -I -X GET "$py/file/hello.txt"
grep -q '^hello' "$tmp/stdout" && fail "-I -X GET printed the body"
expect_exit 2 -I -d x "$py/echo"

# Heads: -I, -i, -D.
expect_exit 0 -I "$py/file/hello.txt"
grep -q '^HTTP/1.1 200 OK' "$tmp/stdout" || fail "-I status line"
grep -qi '^Content-Length: 6' "$tmp/stdout" || fail "-I fields"
grep -q hello "$tmp/stdout" && fail "-I printed a body"
expect_exit 0 -i "$py/file/hello.txt"
[[ $(head -1 "$tmp/stdout") == $'HTTP/1.1 200 OK\r' && $(tail -1 "$tmp/stdout") == hello ]] || fail "-i"
expect_exit 0 -D "$tmp/head.txt" "$py/file/hello.txt"
grep -q '^HTTP/1.1 200 OK' "$tmp/head.txt" || fail "-D"
[[ $(cat "$tmp/stdout") == hello ]] || fail "-D changed the output"
expect_exit 0 -L -D "$tmp/chain.txt" "$py/redirect/1"
[[ $(grep -c '^HTTP/1.1 ' "$tmp/chain.txt") -eq 2 ]] || fail "-D -L: $(cat "$tmp/chain.txt")"
expect_exit 0 -D "$tmp/two.txt" "$py/file/hello.txt" "$py/status/204"
[[ $(grep -c '^HTTP/1.1 ' "$tmp/two.txt") -eq 2 ]] || fail "-D with two URLs: $(cat "$tmp/two.txt")"
# The progress bar: only with a file for the body and a terminal for stderr (script(1) gives
# one), and never on stdout.
if command -v script >/dev/null; then
  timeout 20 script -qec "'$pier' get -o '$tmp/bar.out' '$py/file/big.bin'" /dev/null >"$tmp/tty" || fail "pier get under script"
  grep -q '100.0%' "$tmp/tty" || fail "no progress bar on a terminal: $(cat -v "$tmp/tty")"
  timeout 20 script -qec "'$pier' get '$py/file/hello.txt'" /dev/null >"$tmp/tty" || fail "pier get under script"
  grep -q '%' "$tmp/tty" && fail "progress bar while the body goes to the terminal"
  expect_exit 0 -o "$tmp/bar.out" "$py/file/big.bin"
  [[ ! -s $tmp/stderr ]] || fail "progress bar without a terminal"
fi

# Bodies.
expect_exit 0 -d a=1 -d b=2 "$py/echo"
grep -q '^POST /echo HTTP/1.1' "$tmp/stdout" || fail "-d method"
grep -q '^Content-Type: application/x-www-form-urlencoded' "$tmp/stdout" || fail "-d type"
[[ $(tail -1 "$tmp/stdout") == 'a=1&b=2' ]] || fail "-d body: $(tail -1 "$tmp/stdout")"
printf 'line1\nline2\n' >"$tmp/data.txt"
expect_exit 0 --data-binary "@$tmp/data.txt" -X PUT -H 'Content-Type: text/plain' "$py/echo"
grep -q '^PUT /echo' "$tmp/stdout" || fail "-X PUT"
grep -q '^Content-Length: 12' "$tmp/stdout" || fail "--data-binary length"
grep -q '^Content-Type: text/plain' "$tmp/stdout" || fail "-H overrides the type"
expect_exit 0 -d "@$tmp/data.txt" "$py/echo"
[[ $(tail -1 "$tmp/stdout") == line1line2 ]] || fail "-d @file keeps newlines"
expect_exit 0 --json '{"a":1}' "$py/echo"
grep -q '^Content-Type: application/json' "$tmp/stdout" || fail "--json type"
grep -q '^Accept: application/json' "$tmp/stdout" || fail "--json accept"
expect_exit 26 -d @/nonexistent/file "$py/echo"

# Request fields.
expect_exit 0 -A 'agent/1.0' -H 'X-Test: yes' -u 'user:pa ss' "$py/echo"
grep -q '^User-Agent: agent/1.0' "$tmp/stdout" || fail "-A"
grep -q '^X-Test: yes' "$tmp/stdout" || fail "-H"
grep -q "^Authorization: Basic $(printf 'user:pa ss' | base64)" "$tmp/stdout" || fail "-u"
expect_exit 0 -H 'User-Agent:' -H 'Accept-Encoding:' -H 'Accept:' "$py/echo"
diff <(tr -d '\r' <"$tmp/stdout") - <<EOF2 || fail "-H 'Name:' removes a built-in field: $(cat "$tmp/stdout")"
GET /echo HTTP/1.1
Host: ${py#http://}

EOF2
expect_exit 0 -H 'X-Empty;' "$py/echo"
grep -q '^X-Empty: *$' <(tr -d '\r' <"$tmp/stdout") || fail "-H 'Name;' sends the field empty"
# Dot-segments go before sending (RFC 3986 §5.2.4), as curl; --path-as-is keeps them.
expect_exit 0 "$py/raw/a/b/../../c/./d"
[[ $(cat "$tmp/stdout") == "GET /raw/c/d HTTP/1.1" ]] || fail "dot-segments: $(cat "$tmp/stdout")"
expect_exit 0 --path-as-is "$py/raw/a/../c"
[[ $(cat "$tmp/stdout") == "GET /raw/a/../c HTTP/1.1" ]] || fail "--path-as-is: $(cat "$tmp/stdout")"
expect_exit 0 -H 'Content-Type:' -d x=1 "$py/echo"
grep -q '^Content-Type' "$tmp/stdout" && fail "-H 'Content-Type:' kept the form type"
expect_exit 0 "http://bob:s%40cret@${py#http://}/echo"
grep -q "^Authorization: Basic $(printf 'bob:s@cret' | base64)" "$tmp/stdout" || fail "URL user-info"

# Redirects.
expect_exit 0 "$py/redirect/2"
[[ ! -s $tmp/stdout ]] || fail "302 without -L has a body"
expect_exit 0 -L -w '%{http_code} %{num_redirects} %{url_effective}' "$py/redirect/3"
[[ $(cat "$tmp/stdout") == "done200 3 $py/redirect/0" ]] || fail "-L: $(cat "$tmp/stdout")"
expect_exit 47 -L --max-redirs 2 "$py/redirect/3"
expect_exit 0 -L -d x=1 "$py/to?url=/echo&code=303"
grep -q '^GET /echo' "$tmp/stdout" || fail "303 keeps POST"
grep -q '^Content-Length' "$tmp/stdout" && fail "303 kept the body"
# On 301/302 only POST may become GET: a DELETE stays a DELETE.
expect_exit 0 -L -X DELETE "$py/to?url=/echo&code=301"
grep -q '^DELETE /echo' "$tmp/stdout" || fail "301 changed DELETE: $(head -1 "$tmp/stdout")"
expect_exit 0 -L -d x=1 "$py/to?url=/echo&code=307"
grep -q '^POST /echo' "$tmp/stdout" || fail "307 changed the method"
[[ $(tail -1 "$tmp/stdout") == x=1 ]] || fail "307 lost the body"
# Authorization stays with its origin: localhost is another origin than 127.0.0.1.
port=${py##*:}
expect_exit 0 -L -u a:b "$py/to?url=http://localhost:$port/echo"
grep -q '^Authorization' "$tmp/stdout" && fail "Authorization crossed origins"
# Cookies set by a redirect go with the next request once -b or -c turns the engine on; without
# them, as curl, none is stored or sent (tests/cli/cookie_files_test.sh has the rest).
expect_exit 0 -b '' -L "$py/to?url=/setcookie" "$py/echo"
grep -q '^Cookie: session=abc' "$tmp/stdout" || fail "cookie jar: $(cat "$tmp/stdout")"
expect_exit 0 -L "$py/to?url=/setcookie" "$py/echo"
grep -qi '^Cookie' "$tmp/stdout" && fail "cookie sent without -b or -c: $(cat "$tmp/stdout")"

# --compressed, -w.
expect_exit 0 --compressed "$py/gzip"
[[ $(cat "$tmp/stdout") == "compressed hello" ]] || fail "--compressed"
# size_download counts the bytes received, still coded (curl's meaning).
coded_size=$(timeout 20 "$pier" get -s "$py/gzip" | wc -c)
expect_exit 0 --compressed -w '%{size_download}' -o /dev/null "$py/gzip"
[[ $(cat "$tmp/stdout") == "$coded_size" ]] || fail "size_download: $(cat "$tmp/stdout") vs $coded_size"
expect_exit 0 -w '%{http_code}:%{size_download}\n' -o /dev/null "$py/file/big.bin"
[[ $(cat "$tmp/stdout") == "200:300000" ]] || fail "-w: $(cat "$tmp/stdout")"

# Exit codes.
expect_exit 22 -f "$py/status/404"
[[ ! -s $tmp/stdout ]] || fail "-f printed the body"
grep -q 'returned error: 404' "$tmp/stderr" || fail "-f message"
# Trailer fields follow the body with -i and the head in the -D file, as curl prints them.
expect_exit 0 -i -D "$tmp/trailers.head" "$py/trailers"
[[ $(tail -c 23 "$tmp/stdout") == $'helloX-T: trailer-val\r' ]] || fail "-i trailers: $(cat "$tmp/stdout")"
[[ $(tail -c 20 "$tmp/trailers.head") == $'\r\nX-T: trailer-val\r' ]] || fail "-D trailers"
expect_exit 22 -f -i "$py/status/404"
head -1 "$tmp/stdout" | grep -q '^HTTP/1.1 404' || fail "-f -i printed no head"
expect_exit 0 "$py/status/404"
[[ $(cat "$tmp/stdout") == "status body" ]] || fail "404 body without -f"
expect_exit 22 -s -f "$py/status/500"
[[ ! -s $tmp/stderr ]] || fail "-s printed an error"
expect_exit 22 -s -S -f "$py/status/500"
[[ -s $tmp/stderr ]] || fail "-sS printed nothing"
expect_exit 3 'http://bad host/'
expect_exit 1 'ftp://127.0.0.1/'
expect_exit 52 "$py/empty"
expect_exit 18 "$py/truncated"
expect_exit 56 "$py/reset"
expect_exit 6 "http://a..b/" # an empty label: refused by the resolver without a query
expect_exit 23 -o "$tmp/no/such/dir/file" "$py/file/hello.txt"
# A reader that goes away: exit 23, not death by SIGPIPE.
( set +o pipefail; timeout 20 "$pier" get -s "$py/file/big.bin" "$py/file/big.bin"; echo $? >"$tmp/pipe.status" ) | head -c 10 >/dev/null || true
[[ $(cat "$tmp/pipe.status") == 23 ]] || fail "closed stdout: exit $(cat "$tmp/pipe.status")"
expect_exit 28 --max-time 0.5 "$py/slow"
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$tmp/free"
expect_exit 7 "http://127.0.0.1:$(cat "$tmp/free")/"
expect_exit 2 --no-such-flag "$py/"
# --retry: a refused connection is retried only with --retry-connrefused (as curl); one retry
# after 1 s, then curl's exit code.
expect_exit 7 --retry 1 "http://127.0.0.1:$(cat "$tmp/free")/"
grep -q 'Will retry' "$tmp/stderr" && fail "--retry retried a refused connection"
expect_exit 7 --retry 1 --retry-connrefused "http://127.0.0.1:$(cat "$tmp/free")/"
[[ $(grep -c 'Will retry in 1 second' "$tmp/stderr") -eq 1 ]] || fail "--retry: $(cat "$tmp/stderr")"
[[ $(grep -c '^pier: (7)' "$tmp/stderr") -eq 2 ]] || fail "--retry attempts: $(cat "$tmp/stderr")"
# A 503 with Retry-After: 0 is retried at once, not after the 1 s back-off.
expect_exit 0 --retry 1 -w '%{http_code}' -o /dev/null "$py/status/503?retry_after=0"
grep -q 'Will retry in 0 seconds' "$tmp/stderr" || fail "Retry-After: $(cat "$tmp/stderr")"
# Retry-After as an HTTP-date: one in the past means now.
expect_exit 0 --retry 1 -o /dev/null "$py/status/503?retry_after=Thu,%2001%20Jan%201970%2000:00:00%20GMT"
grep -q 'Will retry in 0 seconds' "$tmp/stderr" || fail "Retry-After date: $(cat "$tmp/stderr")"
expect_exit 22 --retry 3 -f "$py/status/404"
grep -q 'Will retry' "$tmp/stderr" && fail "--retry retried a 404"
# Several URLs: the exit code is the last transfer's, as curl's.
expect_exit 0 "http://127.0.0.1:$(cat "$tmp/free")/" "$py/file/hello.txt"
expect_exit 7 "$py/file/hello.txt" "http://127.0.0.1:$(cat "$tmp/free")/"
"$pier" get --help | grep -q '52  empty reply' || fail "--help lists the exit codes"

# Against the stock `python3 -m http.server` (HTTP/1.0: a connection per request).
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$tmp/stock.port"
python3 -m http.server "$(cat "$tmp/stock.port")" -b 127.0.0.1 -d "$tmp/site" >/dev/null 2>&1 &
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$(cat "$tmp/stock.port")") 2>/dev/null && break; sleep 0.05; done
stock=http://127.0.0.1:$(cat "$tmp/stock.port")
expect_exit 0 -v "$stock/hello.txt" "$stock/hello.txt"
[[ $(cat "$tmp/stdout") == $'hello\nhello' ]] || fail "python -m http.server bodies"
[[ $(grep -c '^\* Connected' "$tmp/stderr") -eq 2 ]] || fail "reused an HTTP/1.0 connection"
expect_exit 0 -o "$tmp/big3.out" "$stock/big.bin"
cmp -s "$tmp/big3.out" "$tmp/site/big.bin" || fail "python -m http.server -o"

# Against pier serve.
"$pier" serve 0 -b 127.0.0.1 -q -d "$tmp/site" >"$tmp/serve.out" 2>&1 &
for _ in $(seq 100); do grep -q 'Serving HTTP' "$tmp/serve.out" && break; sleep 0.05; done
ps=http://127.0.0.1:$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/serve.out")
[[ $("$pier" get "$ps/hello.txt") == hello ]] || fail "pier serve GET"
expect_exit 0 -o "$tmp/big2.out" "$ps/big.bin" "$ps/hello.txt"
cmp -s "$tmp/big2.out" "$tmp/site/big.bin" || fail "pier serve -o"
[[ $(cat "$tmp/stdout") == hello ]] || fail "second URL after -o"
expect_exit 22 -f "$ps/missing"
expect_exit 0 -I "$ps/hello.txt"
grep -q '^HTTP/1.1 200 OK' "$tmp/stdout" || fail "pier serve -I"
echo "pier get: ok"
