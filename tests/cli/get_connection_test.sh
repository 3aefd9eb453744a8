#!/usr/bin/env bash
# `pier get`'s connection flags against Python's http.server (a scripted handler) and nginx,
# side by side with curl where they must agree: --resolve (plain and HTTPS, where SNI and the
# certificate check keep the name), --unix-socket (plain and TLS), --cert/--key/--pass against
# nginx's ssl_verify_client, --http1.0 (the bytes sent, no connection kept), and the exit codes.
set -euo pipefail
pier=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
scratch
# curl_exit CODE ARGS...: the same for curl, into $tmp/curl.out.
curl_exit() {
  local want=$1 status=0
  shift
  timeout 20 curl -sS "$@" >"$tmp/curl.out" 2>"$tmp/curl.err" || status=$?
  [[ $status -eq $want ]] || fail "curl $* exited $status, not $want: $(cat "$tmp/curl.err")"
}
# The request as /echo shows it, the User-Agent line left out (it names the client).
without_agent() { tr -d '\r' <"$1" | grep -v '^User-Agent:'; }

mkdir -p "$tmp/site"
head -c 3000000 /dev/urandom >"$tmp/site/big.bin"
chmod -R a+rX "$tmp/site"
start_get_peer "$tmp/site"
port=$peer_port

# --resolve: a made-up name reaches the loopback server, which sees the name in Host; curl
# sends the same request.
expect_exit 6 "http://example.test:$port/echo"
expect_exit 0 --resolve "example.test:$port:127.0.0.1" "http://example.test:$port/echo"
curl_exit 0 --resolve "example.test:$port:127.0.0.1" "http://example.test:$port/echo"
diff <(without_agent "$tmp/stdout") <(without_agent "$tmp/curl.out") || fail "--resolve: not curl's request"
grep -q "^Host: example.test:$port" "$tmp/stdout" || fail "--resolve: Host $(cat "$tmp/stdout")"
# Addresses in turn, IPv6 in brackets ([::1] refuses: nothing listens there); '+' accepted;
# a name compared without regard to case; a redirect to the same name goes there too.
expect_exit 0 --resolve "+EXAMPLE.test:$port:[::1],127.0.0.1" -L \
  "http://example.TEST:$port/to?url=http://example.test:$port/echo"
grep -q "^GET /echo HTTP/1.1" "$tmp/stdout" || fail "--resolve across a redirect: $(cat "$tmp/stdout")"
# -Z too, on the event-loop client (no warning that the URLs run one after another); with
# IPv6 first, which refuses, and a name that has no entry left to a lookup that fails (6).
expect_exit 0 -Z --resolve "example.test:$port:[::1],127.0.0.1" \
  "http://example.test:$port/echo" "http://EXAMPLE.test:$port/echo"
[[ $(grep -c "^Host: example.test:$port" "$tmp/stdout") -eq 1 &&
  $(grep -c "^Host: EXAMPLE.test:$port" "$tmp/stdout") -eq 1 ]] || fail "-Z --resolve: $(cat "$tmp/stdout")"
[[ ! -s $tmp/stderr ]] || fail "-Z --resolve: $(cat "$tmp/stderr")"
expect_exit 6 -Z --resolve "example.test:$port:127.0.0.1" "http://example.test:$port/echo" \
  "http://other.test:$port/echo"
# What curl lets pass passes: an empty address after a comma, a removal of nothing.
expect_exit 0 --resolve "example.test:$port:127.0.0.1,," --resolve -nothing "http://example.test:$port/echo"
curl_exit 0 --resolve "example.test:$port:127.0.0.1,," --resolve -nothing "http://example.test:$port/echo"
# '-HOST:PORT' drops an earlier entry; another port is not covered.
expect_exit 6 --resolve "example.test:$port:127.0.0.1" --resolve "-example.test:$port" "http://example.test:$port/"
expect_exit 6 --resolve "example.test:1:127.0.0.1" "http://example.test:$port/"
# What does not parse is curl's 49, as curl says too.
for bad in example.test "example.test:$port" "example.test:x:127.0.0.1" "example.test:$port:" \
  "example.test:$port:not-an-ip" "example.test:99999:127.0.0.1" "[::1:$port:127.0.0.1"; do
  expect_exit 49 --resolve "$bad" "http://127.0.0.1:$port/"
  curl_exit 49 --resolve "$bad" "http://127.0.0.1:$port/"
done

# --http1.0: the request line says so, nothing else changes; curl sends the same bytes.
expect_exit 0 --http1.0 "http://127.0.0.1:$port/echo"
curl_exit 0 --http1.0 "http://127.0.0.1:$port/echo"
diff <(without_agent "$tmp/stdout") <(without_agent "$tmp/curl.out") || fail "--http1.0: not curl's request"
grep -q '^GET /echo HTTP/1.0' "$tmp/stdout" || fail "--http1.0 request line: $(cat "$tmp/stdout")"
# A body goes with its length and no Expect, whatever its size (HTTP/1.0 has no 100 Continue).
head -c 2000000 /dev/zero | tr '\0' 'a' >"$tmp/big.txt"
expect_exit 0 -0 --data-binary "@$tmp/big.txt" "http://127.0.0.1:$port/echo"
grep -q '^POST /echo HTTP/1.0' "$tmp/stdout" && grep -q '^Content-Length: 2000000' "$tmp/stdout" ||
  fail "--http1.0 POST: $(head -c 300 "$tmp/stdout")"
! grep -qi '^Expect:' "$tmp/stdout" || fail "--http1.0 sent Expect"
# No connection is kept: three URLs, three connections (curl's count too).
before=$(timeout 20 "$pier" get -s "http://127.0.0.1:$port/connections")
expect_exit 0 -0 -v "http://127.0.0.1:$port/echo" "http://127.0.0.1:$port/echo" "http://127.0.0.1:$port/connections"
! grep -q 'Re-using' "$tmp/stderr" || fail "--http1.0 tried to reuse a connection: $(cat "$tmp/stderr")"
[[ $(tail -n 1 "$tmp/stdout") -eq $((before + 3)) ]] || fail "--http1.0 kept a connection: $(tail -c 20 "$tmp/stdout")"

# Certificates: a CA, a server certificate for example.test, a client one for alice (its key
# plain and encrypted), and one from a CA nginx does not trust.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pier test CA" \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=example.test" \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:example.test\n' >"$tmp/san.ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 2 -extfile "$tmp/san.ext" -out "$tmp/server.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/O=pier tests/CN=alice" \
  -keyout "$tmp/alice.key" -out "$tmp/alice.csr" 2>/dev/null
openssl x509 -req -in "$tmp/alice.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 2 -out "$tmp/alice.pem" 2>/dev/null
openssl pkey -in "$tmp/alice.key" -aes256 -passout pass:s3cret -out "$tmp/alice.enc.key"
cat "$tmp/alice.pem" "$tmp/alice.key" >"$tmp/alice.both.pem"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mallory" \
  -keyout "$tmp/mallory.key" -out "$tmp/mallory.pem" 2>/dev/null

# nginx: HTTPS for example.test (answering with the name it was asked for, by SNI and by
# Host), the same with a client certificate required, and plain and TLS on unix sockets.
tls=$(free_port)
mtls=$(free_port)
start_nginx <<CONF
    ssl_certificate $tmp/server.pem;
    ssl_certificate_key $tmp/server.key;
    server {
        listen 127.0.0.1:$tls ssl;
        listen unix:$tmp/tls.sock ssl;
        location / { return 200 "sni=\$ssl_server_name host=\$host\n"; }
    }
    server {
        listen 127.0.0.1:$mtls ssl;
        ssl_verify_client on;
        ssl_client_certificate $tmp/ca.pem;
        location / { return 200 "client=\$ssl_client_s_dn\n"; }
    }
    server {
        listen unix:$tmp/plain.sock;
        location / { return 200 "\$request host=\$host\n"; }
        location /file/ { alias $tmp/site/; }
    }
CONF
wait_port "$tls"
wait_port "$mtls"

# HTTPS with --resolve: SNI and the certificate check use the name, not the address.
https_url=https://example.test:$tls/
expect_exit 6 --cacert "$tmp/ca.pem" "$https_url"
expect_exit 0 --cacert "$tmp/ca.pem" --resolve "example.test:$tls:127.0.0.1" "$https_url"
[[ $(cat "$tmp/stdout") == "sni=example.test host=example.test" ]] || fail "https --resolve: $(cat "$tmp/stdout")"
curl_exit 0 --cacert "$tmp/ca.pem" --resolve "example.test:$tls:127.0.0.1" "$https_url"
cmp -s "$tmp/stdout" "$tmp/curl.out" || fail "https --resolve: curl got $(cat "$tmp/curl.out")"
# Another name on the same address: the certificate does not match it (60), as for curl.
expect_exit 60 --cacert "$tmp/ca.pem" --resolve "other.test:$tls:127.0.0.1" "https://other.test:$tls/"
curl_exit 60 --cacert "$tmp/ca.pem" --resolve "other.test:$tls:127.0.0.1" "https://other.test:$tls/"

# --unix-socket: the request goes over the socket, Host from the URL; TLS on the socket for
# https://, verified against the URL's name. A missing socket is curl's 7.
expect_exit 0 --unix-socket "$tmp/plain.sock" "http://example.test/over/unix"
[[ $(cat "$tmp/stdout") == "GET /over/unix HTTP/1.1 host=example.test" ]] || fail "--unix-socket: $(cat "$tmp/stdout")"
curl_exit 0 --unix-socket "$tmp/plain.sock" "http://example.test/over/unix"
cmp -s "$tmp/stdout" "$tmp/curl.out" || fail "--unix-socket: curl got $(cat "$tmp/curl.out")"
expect_exit 0 --unix-socket "$tmp/plain.sock" -0 "http://example.test/a" "http://example.test/b"
[[ $(cat "$tmp/stdout") == $'GET /a HTTP/1.0 host=example.test\nGET /b HTTP/1.0 host=example.test' ]] ||
  fail "--unix-socket twice: $(cat "$tmp/stdout")"
# A large body over the socket, twice on one connection.
expect_exit 0 --unix-socket "$tmp/plain.sock" -v -o "$tmp/big1.out" -o "$tmp/big2.out" \
  "http://example.test/file/big.bin" "http://example.test/file/big.bin"
cmp -s "$tmp/big1.out" "$tmp/site/big.bin" && cmp -s "$tmp/big2.out" "$tmp/site/big.bin" || fail "--unix-socket: big file"
[[ $(grep -c 'Re-using existing connection' "$tmp/stderr") -eq 1 ]] || fail "--unix-socket: no reuse: $(cat "$tmp/stderr")"
expect_exit 0 --unix-socket "$tmp/tls.sock" --cacert "$tmp/ca.pem" "https://example.test/"
[[ $(cat "$tmp/stdout") == "sni=example.test host=example.test" ]] || fail "https over a unix socket: $(cat "$tmp/stdout")"
curl_exit 0 --unix-socket "$tmp/tls.sock" --cacert "$tmp/ca.pem" "https://example.test/"
cmp -s "$tmp/stdout" "$tmp/curl.out" || fail "https over a unix socket: curl got $(cat "$tmp/curl.out")"
expect_exit 60 --unix-socket "$tmp/tls.sock" --cacert "$tmp/ca.pem" "https://other.test/"
expect_exit 7 --unix-socket "$tmp/no-such.sock" "http://example.test/"
grep -q "no-such.sock" "$tmp/stderr" || fail "--unix-socket: the message does not name the socket: $(cat "$tmp/stderr")"
# -Z over the socket, plain and TLS, on the event-loop client; a missing socket is 7 there too.
expect_exit 0 -Z --unix-socket "$tmp/plain.sock" "http://example.test/a" "http://example.test/b"
sort "$tmp/stdout" | tr '\n' '|' | grep -qx 'GET /a HTTP/1.1 host=example.test|GET /b HTTP/1.1 host=example.test|' ||
  fail "-Z --unix-socket: $(cat "$tmp/stdout")"
[[ ! -s $tmp/stderr ]] || fail "-Z --unix-socket: $(cat "$tmp/stderr")"
expect_exit 0 -Z --unix-socket "$tmp/tls.sock" --cacert "$tmp/ca.pem" "https://example.test/"
[[ $(cat "$tmp/stdout") == "sni=example.test host=example.test" ]] || fail "-Z https over a unix socket: $(cat "$tmp/stdout")"
expect_exit 60 -Z --unix-socket "$tmp/tls.sock" --cacert "$tmp/ca.pem" "https://other.test/"
expect_exit 7 -Z --unix-socket "$tmp/no-such.sock" "http://example.test/"
grep -q "no-such.sock" "$tmp/stderr" || fail "-Z --unix-socket: the message does not name the socket: $(cat "$tmp/stderr")"
# A socket whose backlog is full is waited for, with and without -Z (not curl's 7 at once).
python3 "$here/unix_backlog.py" "$pier" "$tmp/backlog.sock" || fail "--unix-socket with a full backlog"
curl_exit 7 --unix-socket "$tmp/no-such.sock" "http://example.test/"

# Client certificates: nginx sees alice's subject, from a certificate and key apart or in one
# file, an encrypted key with --pass or FILE:PASSWORD; without one nginx answers 400.
mtls_url=https://example.test:$mtls/
at_mtls=(--cacert "$tmp/ca.pem" --resolve "example.test:$mtls:127.0.0.1")
expect_exit 0 "${at_mtls[@]}" --cert "$tmp/alice.pem" --key "$tmp/alice.key" "$mtls_url"
[[ $(cat "$tmp/stdout") == "client=CN=alice,O=pier tests" ]] || fail "--cert: nginx saw $(cat "$tmp/stdout")"
curl_exit 0 "${at_mtls[@]}" --cert "$tmp/alice.pem" --key "$tmp/alice.key" "$mtls_url"
cmp -s "$tmp/stdout" "$tmp/curl.out" || fail "--cert: curl got $(cat "$tmp/curl.out")"
expect_exit 0 "${at_mtls[@]}" -E "$tmp/alice.both.pem" --cert-type PEM --key-type pem "$mtls_url"
[[ $(cat "$tmp/stdout") == "client=CN=alice,O=pier tests" ]] || fail "--cert with its key: $(cat "$tmp/stdout")"
expect_exit 0 "${at_mtls[@]}" --cert "$tmp/alice.pem" --key "$tmp/alice.enc.key" --pass s3cret "$mtls_url"
[[ $(cat "$tmp/stdout") == "client=CN=alice,O=pier tests" ]] || fail "--pass: $(cat "$tmp/stdout")"
expect_exit 0 "${at_mtls[@]}" --cert "$tmp/alice.pem:s3cret" --key "$tmp/alice.enc.key" "$mtls_url"
[[ $(cat "$tmp/stdout") == "client=CN=alice,O=pier tests" ]] || fail "--cert FILE:PASSWORD: $(cat "$tmp/stdout")"
# A colon in the file name, escaped as curl wants it.
cp "$tmp/alice.both.pem" "$tmp/alice:both.pem"
expect_exit 0 "${at_mtls[@]}" --cert "$tmp/alice\\:both.pem" "$mtls_url"
[[ $(cat "$tmp/stdout") == "client=CN=alice,O=pier tests" ]] || fail "--cert with '\\:': $(cat "$tmp/stdout")"
expect_exit 0 "${at_mtls[@]}" -w '%{http_code}' "$mtls_url"
[[ $(cat "$tmp/stdout") == *"400 No required SSL certificate was sent"*400 ]] || fail "no certificate: $(cat "$tmp/stdout")"
expect_exit 22 "${at_mtls[@]}" -f "$mtls_url"
# A certificate from a CA nginx does not trust: 400 as well, whatever pier makes of it.
expect_exit 0 "${at_mtls[@]}" --cert "$tmp/mallory.pem" --key "$tmp/mallory.key" -w '%{http_code}' "$mtls_url"
[[ $(cat "$tmp/stdout") == *400 ]] || fail "untrusted certificate: $(cat "$tmp/stdout")"
# What cannot be loaded is curl's 58: a missing file, a wrong or missing password (no prompt:
# stdin is closed), a key that is not the certificate's, a type pier does not read.
expect_exit 58 "${at_mtls[@]}" --cert "$tmp/missing.pem" "$mtls_url"
curl_exit 58 "${at_mtls[@]}" --cert "$tmp/missing.pem" "$mtls_url"
expect_exit 58 "${at_mtls[@]}" --cert "$tmp/alice.pem" --key "$tmp/alice.enc.key" --pass wrong "$mtls_url"
curl_exit 58 "${at_mtls[@]}" --cert "$tmp/alice.pem" --key "$tmp/alice.enc.key" --pass wrong "$mtls_url"
expect_exit 58 "${at_mtls[@]}" --cert "$tmp/alice.pem" --key "$tmp/alice.enc.key" "$mtls_url" </dev/null
expect_exit 58 "${at_mtls[@]}" --cert "$tmp/alice.pem" --key "$tmp/mallory.key" "$mtls_url"
curl_exit 58 "${at_mtls[@]}" --cert "$tmp/alice.pem" --key "$tmp/mallory.key" "$mtls_url"
expect_exit 58 "${at_mtls[@]}" --cert "$tmp/alice.pem" --key "$tmp/alice.key" --key-type DER "$mtls_url"
grep -q "client key" "$tmp/stderr" || grep -q "key-type" "$tmp/stderr" || fail "58 without a clear message: $(cat "$tmp/stderr")"

echo "get_connection: all passed"
