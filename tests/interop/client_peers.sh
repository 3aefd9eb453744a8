#!/usr/bin/env bash
# pier's client against servers nobody here wrote, on loopback: nginx (plain, gzip, TLS with a
# CA this script makes), lighttpd, and `openssl s_server`. Checks bodies, connection reuse,
# chunked + gzip decoding, and that TLS verification passes for the right certificate and
# fails (exit 60) for the wrong host name or an unknown CA.
set -euo pipefail
pier=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
scratch

# s_server PORT CERT_NAME [more s_server args]: serves $root over TLS with $tmp/NAME.{pem,key}.
s_server() {
  local port=$1 name=$2
  shift 2
  (cd "$root" && exec openssl s_server -quiet -accept "127.0.0.1:$port" -WWW \
    -cert "$tmp/$name.pem" -key "$tmp/$name.key" "$@") >/dev/null 2>&1 &
  wait_port "$port"
}

root=$tmp/root
mkdir -p "$root"
printf 'small file\n' >"$root/small.txt"
head -c 2000000 /dev/urandom >"$root/big.bin"
python3 -c 'print("compressible line\n" * 20000, end="")' >"$root/text.txt"
chmod -R a+rX "$root"

# A CA, a certificate for localhost from it, and one from a CA nobody trusts.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pier test CA" \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$tmp/san.ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 2 -extfile "$tmp/san.ext" -out "$tmp/server.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -keyout "$tmp/rogue.key" -out "$tmp/rogue.pem" 2>/dev/null

# nginx: plain and TLS on ephemeral loopback ports.
plain=$(free_port)
tls=$(free_port)
start_nginx <<CONF
    types { text/plain txt; application/octet-stream bin; }
    gzip on;
    gzip_types text/plain;
    gzip_min_length 100;
    server { listen 127.0.0.1:$plain; root $root; }
    server {
        listen 127.0.0.1:$tls ssl;
        ssl_certificate $tmp/server.pem;
        ssl_certificate_key $tmp/server.key;
        root $root;
    }
CONF
wait_port "$plain"
wait_port "$tls"
ng=http://127.0.0.1:$plain

expect_exit 0 "$ng/small.txt"
[[ $(cat "$tmp/stdout") == "small file" ]] || fail "nginx small file"
expect_exit 0 -o "$tmp/big.out" "$ng/big.bin"
cmp -s "$tmp/big.out" "$root/big.bin" || fail "nginx big file"
# Several URLs: one connection (the second and third requests say they reuse it).
expect_exit 0 -v "$ng/small.txt" "$ng/small.txt" "$ng/small.txt"
[[ $(grep -c 'Re-using existing connection' "$tmp/stderr") -eq 2 ]] || fail "nginx keep-alive: $(cat "$tmp/stderr")"
[[ $(grep -c '^\* Connected' "$tmp/stderr") -eq 1 ]] || fail "nginx: more than one connection"
# gzip, chunked (nginx compresses on the fly without a length).
expect_exit 0 --compressed -D "$tmp/gz.head" "$ng/text.txt"
grep -qi '^Content-Encoding: gzip' "$tmp/gz.head" || fail "nginx did not gzip"
grep -qi '^Transfer-Encoding: chunked' "$tmp/gz.head" || fail "nginx did not chunk"
cmp -s "$tmp/stdout" "$root/text.txt" || fail "gzip + chunked decoding"
expect_exit 22 -f "$ng/missing"
expect_exit 0 -I "$ng/big.bin"
grep -qi '^Content-Length: 2000000' "$tmp/stdout" || fail "nginx HEAD"

# TLS: the right CA passes; an unknown CA and a wrong host name fail with 60; -k passes.
expect_exit 0 --cacert "$tmp/ca.pem" "https://localhost:$tls/small.txt"
[[ $(cat "$tmp/stdout") == "small file" ]] || fail "TLS body"
expect_exit 0 --cacert "$tmp/ca.pem" -o "$tmp/big.tls" "https://localhost:$tls/big.bin"
cmp -s "$tmp/big.tls" "$root/big.bin" || fail "TLS big file"
expect_exit 60 "https://localhost:$tls/small.txt"
expect_exit 60 --cacert "$tmp/ca.pem" "https://127.0.0.1:$tls/small.txt"
# A CA file that is missing or holds no certificate is curl's 77, not a verification failure.
expect_exit 77 --cacert "$tmp/no-such-ca.pem" "https://localhost:$tls/small.txt"
expect_exit 77 --cacert "$root/small.txt" "https://localhost:$tls/small.txt"
expect_exit 0 -k "https://127.0.0.1:$tls/small.txt"
expect_exit 0 -v --cacert "$tmp/ca.pem" "https://localhost:$tls/small.txt" "https://localhost:$tls/small.txt"
[[ $(grep -c 'Re-using existing connection' "$tmp/stderr") -eq 1 ]] || fail "TLS keep-alive"
# A plain-HTTP port spoken to in TLS: a handshake failure (35).
expect_exit 35 --cacert "$tmp/ca.pem" "https://localhost:$plain/small.txt"

# HTTPS through a CONNECT proxy, from -x and from https_proxy; no_proxy bypasses it.
python3 "$(dirname "$0")/connect_proxy.py" "$tmp/proxy.log" >"$tmp/proxy.port" &
for _ in $(seq 100); do [[ -s $tmp/proxy.port ]] && break; sleep 0.05; done
proxy=127.0.0.1:$(cat "$tmp/proxy.port")
expect_exit 0 --cacert "$tmp/ca.pem" -x "http://u:p@$proxy" "https://localhost:$tls/small.txt" "https://localhost:$tls/small.txt"
[[ $(cat "$tmp/stdout") == $'small file\nsmall file' ]] || fail "https via -x: $(cat "$tmp/stdout")"
[[ $(grep -c "^CONNECT localhost:$tls HTTP/1.1" "$tmp/proxy.log") -eq 1 ]] || fail "one tunnel for two URLs: $(cat "$tmp/proxy.log")"
grep -q '^Proxy-Authorization: Basic dTpw' "$tmp/proxy.log" || fail "proxy credentials"
: >"$tmp/proxy.log"
https_proxy=http://$proxy expect_exit 0 --cacert "$tmp/ca.pem" "https://localhost:$tls/small.txt"
grep -q "^CONNECT localhost:$tls" "$tmp/proxy.log" || fail "https_proxy not used"
: >"$tmp/proxy.log"
https_proxy=http://$proxy no_proxy=localhost expect_exit 0 --cacert "$tmp/ca.pem" "https://localhost:$tls/small.txt"
[[ ! -s $tmp/proxy.log ]] || fail "no_proxy did not bypass the proxy"
# A wrong certificate behind the tunnel still fails verification.
https_proxy=http://$proxy expect_exit 60 "https://localhost:$tls/small.txt"

# openssl s_server with a certificate from a CA nobody trusts, then with ours.
rogue=$(free_port)
s_server "$rogue" rogue
expect_exit 60 --cacert "$tmp/ca.pem" "https://localhost:$rogue/small.txt"
expect_exit 0 -k "https://localhost:$rogue/small.txt"
[[ $(cat "$tmp/stdout") == "small file" ]] || fail "s_server -k body"
good=$(free_port)
s_server "$good" server
expect_exit 0 --cacert "$tmp/ca.pem" "https://localhost:$good/small.txt"
[[ $(cat "$tmp/stdout") == "small file" ]] || fail "s_server body"
# SNI: this s_server answers with our CA's certificate only to a client that names
# "localhost" in its hello, and with the rogue one otherwise.
sni=$(free_port)
s_server "$sni" rogue -servername localhost -cert2 "$tmp/server.pem" -key2 "$tmp/server.key"
expect_exit 0 --cacert "$tmp/ca.pem" "https://localhost:$sni/small.txt"
[[ $(cat "$tmp/stdout") == "small file" ]] || fail "SNI body"

# A certificate for an IP address (SAN IP:127.0.0.1): the URL's IP is checked, no SNI sent.
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$tmp/ip.key" -out "$tmp/ip.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$tmp/ip.ext"
openssl x509 -req -in "$tmp/ip.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 2 -extfile "$tmp/ip.ext" -out "$tmp/ip.pem" 2>/dev/null
ipport=$(free_port)
s_server "$ipport" ip
expect_exit 0 --cacert "$tmp/ca.pem" "https://127.0.0.1:$ipport/small.txt"
[[ $(cat "$tmp/stdout") == "small file" ]] || fail "IP certificate body"
expect_exit 60 --cacert "$tmp/ca.pem" "https://localhost:$ipport/small.txt"

# lighttpd.
lport=$(free_port)
cat >"$tmp/lighttpd.conf" <<CONF
server.document-root = "$root"
server.bind = "127.0.0.1"
server.port = $lport
server.errorlog = "$tmp/lighttpd.err"
mimetype.assign = (".txt" => "text/plain", ".bin" => "application/octet-stream")
CONF
lighttpd -D -f "$tmp/lighttpd.conf" >/dev/null 2>&1 &
wait_port "$lport"
lt=http://127.0.0.1:$lport
expect_exit 0 -v "$lt/small.txt" "$lt/small.txt"
[[ $(head -c 11 "$tmp/stdout") == "small file" ]] || fail "lighttpd body"
grep -q 'Re-using existing connection' "$tmp/stderr" || fail "lighttpd keep-alive"
expect_exit 0 -o "$tmp/big.lt" "$lt/big.bin"
cmp -s "$tmp/big.lt" "$root/big.bin" || fail "lighttpd big file"
expect_exit 22 -f "$lt/missing"
echo "client peers: ok"
