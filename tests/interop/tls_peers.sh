#!/usr/bin/env bash
# `pier serve`'s HTTPS against TLS peers nobody here wrote, with a CA and certificates this
# script makes with the openssl CLI: curl (verification, wrong host name, TLS 1.1, ALPN, SNI),
# openssl s_client (ALPN, SNI, versions, resumption across event loops, renegotiation),
# gnutls-cli (another TLS stack), Python's ssl, wget, plain HTTP on the TLS port,
# --tls-self-signed's fingerprint, the start-up errors, SIGHUP reloads (an open connection
# keeps working, a broken key is refused), --redirect-http and headless Chromium.
# Usage: tls_peers.sh <pier> <build-dir>   (the build dir is where Chromium's DOM is left)
set -euo pipefail
pier=$(realpath "$1")
build=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
for tool in openssl curl wget gnutls-cli python3; do
  command -v "$tool" >/dev/null || fail "$tool not installed (run scripts/install-deps)"
done
need_chromium fail

# Every background job is a `timeout`, which passes the signal on to its process group
# (pier; Chromium and its children).
scratch --wait
rm -f "$build"/tls-*.html # so a stale one cannot be mistaken for this run's

# --- 1. A CA, leaves it signed, a certificate from a CA nobody trusts, an encrypted key.
pki=$tmp/pki
mkdir -p "$pki"
ossl() { openssl "$@" 2>>"$pki/openssl.log" || fail "openssl $1: $(tail -3 "$pki/openssl.log")"; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=pier tls_peers test CA" -keyout "$pki/ca.key" -out "$pki/ca.pem"
# leaf NAME SERIAL SAN KEY-ARGS...: NAME.pem (CN = the SAN's first name) and NAME.key.
leaf() {
  local name=$1 serial=$2 san=$3
  shift 3
  local cn=${san%%,*}
  ossl req -new -newkey "$@" -nodes -subj "/CN=${cn#*:}" -keyout "$pki/$name.key" \
    -out "$pki/$name.csr"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    "$san" >"$pki/$name.ext"
  ossl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
    -set_serial "$serial" -days 2 -extfile "$pki/$name.ext" -out "$pki/$name.pem"
}
leaf localhost 0x51A1 'DNS:localhost,IP:127.0.0.1,IP:::1' rsa:2048
leaf other 0x0707 'DNS:other.test' ec -pkeyopt ec_paramgen_curve:P-256
leaf renewed 0x52B2 'DNS:localhost,IP:127.0.0.1,IP:::1' ec -pkeyopt ec_paramgen_curve:P-256
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=rogue.test" \
  -addext "subjectAltName=DNS:rogue.test" -keyout "$pki/rogue.key" -out "$pki/rogue.pem"
ossl pkey -in "$pki/localhost.key" -aes256 -passout 'pass:correct horse' -out "$pki/encrypted.key"
printf 'correct horse\n' >"$pki/password" # the newline is not part of it
printf 'battery staple\n' >"$pki/wrong-password"
cat "$pki/other.pem" "$pki/other.key" >"$pki/other-combined.pem"

site=$tmp/site
mkdir -p "$site/sub dir"
printf 'hello over TLS\n' >"$site/a.txt"
printf 'inner\n' >"$site/sub dir/inner.txt"
head -c 3000000 /dev/urandom >"$site/big.bin" # many records; kernel TLS's sendfile if there is one

# start NAME ARGS...: `pier serve 0 -q -d $site ARGS` in the background (under timeout, so it
# goes even if this script is killed before its trap runs); waits for the start-up line and
# sets $port, and $pid to pier's own pid (the timeout's child).
start() {
  local name=$1
  shift
  timeout -k 5 100 "$pier" serve 0 -q -d "$site" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  local t=$!
  for _ in $(seq 100); do grep -q '^Serving HTTPS' "$tmp/$name.out" && break; sleep 0.05; done
  port=$(sed -n 's/^Serving HTTPS on .* port \([0-9]*\) .*/\1/p' "$tmp/$name.out")
  [[ -n $port ]] || fail "$name: pier serve $* did not start: $(cat "$tmp/$name.out" "$tmp/$name.err")"
  pid=$(pgrep -P "$t") || fail "$name: no pier process under timeout $t"
}
# same_as_a FILE WHAT: fails unless FILE holds exactly site/a.txt.
same_as_a() { cmp -s "$1" "$site/a.txt" || fail "$2: body $(head -c 200 "$1" | od -c | head -3)"; }
# status_of CMD...: runs CMD, prints its exit status (never fails).
status_of() { local s=0; "$@" || s=$?; echo "$s"; }

# --- 2. curl against the main server: three certificates chosen by SNI, two event loops.
start main -b 127.0.0.1 --threads 2 \
  --tls-cert "$pki/localhost.pem" --tls-key "$pki/localhost.key" \
  --tls-cert "$pki/other.pem" --tls-key "$pki/other.key" \
  --tls-cert "$pki/rogue.pem" --tls-key "$pki/rogue.key"
main_port=$port
url=https://localhost:$main_port
cv() { timeout 10 curl -sS --cacert "$pki/ca.pem" "$@"; }

cv -o "$tmp/got" "$url/a.txt" || fail "curl --cacert $url/a.txt exited $?"
same_as_a "$tmp/got" "curl --cacert"
cv -o "$tmp/got" "$url/big.bin" || fail "curl big.bin exited $?"
cmp -s "$tmp/got" "$site/big.bin" || fail "curl: big.bin differs from the file"
cv -r 1000000-1099999 -o "$tmp/got" "$url/big.bin" || fail "curl -r big.bin exited $?"
cmp -s "$tmp/got" <(tail -c +1000001 "$site/big.bin" | head -c 100000) || fail "curl -r 1000000-1099999: wrong bytes"
cv -o "$tmp/got" "https://127.0.0.1:$main_port/a.txt" || fail "curl https://127.0.0.1 (IP SAN) exited $?"
s=$(status_of timeout 10 curl -s -o /dev/null "$url/a.txt" 2>/dev/null)
[[ $s -eq 60 ]] || fail "curl without --cacert (unknown CA) exited $s, not 60"
s=$(status_of cv -o /dev/null --resolve "wrong.test:$main_port:127.0.0.1" "https://wrong.test:$main_port/a.txt" 2>/dev/null)
[[ $s -eq 60 ]] || fail "curl to wrong.test (not in the certificate) exited $s, not 60"
cv -o "$tmp/got" --resolve "other.test:$main_port:127.0.0.1" "https://other.test:$main_port/a.txt" ||
  fail "curl to other.test (the SNI-chosen certificate) exited $?"
same_as_a "$tmp/got" "curl other.test"
s=$(status_of cv -o /dev/null --resolve "rogue.test:$main_port:127.0.0.1" "https://rogue.test:$main_port/a.txt" 2>/dev/null)
[[ $s -eq 60 ]] || fail "curl to rogue.test (certificate from an unknown CA) exited $s, not 60"
timeout 10 curl -sS --cacert "$pki/rogue.pem" -o "$tmp/got" \
  --resolve "rogue.test:$main_port:127.0.0.1" "https://rogue.test:$main_port/a.txt" ||
  fail "curl to rogue.test trusting its own certificate exited $?"
# TLS 1.1 offered for real (the client's own security level would refuse it before the server
# could): pier must refuse it.
s=$(status_of cv -o /dev/null --tlsv1.1 --tls-max 1.1 --ciphers 'DEFAULT@SECLEVEL=0' "$url/a.txt" 2>"$tmp/curl-err")
[[ $s -eq 35 ]] || fail "curl --tls-max 1.1 exited $s, not 35 (TLS handshake failed)"
grep -q 'alert protocol version' "$tmp/curl-err" ||
  fail "curl --tls-max 1.1: not refused by the server's protocol_version alert: $(cat "$tmp/curl-err")"
cv -v -o /dev/null "$url/a.txt" 2>"$tmp/curl-v" || fail "curl -v exited $?"
grep -Eqi 'ALPN.*server accepted.*http/1\.1' "$tmp/curl-v" ||
  fail "curl -v (offers h2 and http/1.1): ALPN http/1.1 not accepted: $(grep -i alpn "$tmp/curl-v")"

# --- 3. openssl s_client.
# sc ARGS...: s_client to the main server sending nothing; its output in $tmp/sc.
sc() {
  timeout 10 openssl s_client -connect "127.0.0.1:$main_port" "$@" </dev/null >"$tmp/sc" 2>&1
}
# subject ARGS...: the CN of the certificate the main server presents to s_client ARGS.
subject() {
  sc "$@" || fail "s_client $*: $(tail -5 "$tmp/sc")"
  openssl x509 -noout -subject -nameopt multiline <"$tmp/sc" | sed -n 's/^ *commonName *= //p'
}
sc -servername localhost -CAfile "$pki/ca.pem" -verify_return_error -alpn http/1.1 ||
  fail "s_client -alpn http/1.1: $(tail -5 "$tmp/sc")"
grep -q '^ALPN protocol: http/1.1$' "$tmp/sc" || fail "s_client -alpn http/1.1: $(grep -i alpn "$tmp/sc")"
grep -q 'Verify return code: 0 (ok)' "$tmp/sc" || fail "s_client: chain not verified: $(grep Verify "$tmp/sc")"
sc -servername localhost -alpn h2 && fail "s_client -alpn h2 alone: handshake succeeded: $(grep -i alpn "$tmp/sc")"
grep -qi 'no application protocol' "$tmp/sc" ||
  fail "s_client -alpn h2 alone: not refused with no_application_protocol: $(tail -5 "$tmp/sc")"
[[ $(subject -servername other.test) == other.test ]] || fail "SNI other.test: got $(subject -servername other.test)"
[[ $(subject -servername rogue.test) == rogue.test ]] || fail "SNI rogue.test: got $(subject -servername rogue.test)"
[[ $(subject -noservername) == localhost ]] || fail "no SNI: got $(subject -noservername), not the default"
[[ $(subject -servername unknown.test) == localhost ]] || fail "SNI unknown.test: got $(subject -servername unknown.test)"
sc -servername localhost -tls1_2 || fail "s_client -tls1_2: $(tail -5 "$tmp/sc")"
grep -q '^New, TLSv1.2, ' "$tmp/sc" || fail "s_client -tls1_2: $(grep -E '^(New|Reused)' "$tmp/sc")"
sc -servername localhost -tls1_3 || fail "s_client -tls1_3: $(tail -5 "$tmp/sc")"
grep -q '^New, TLSv1.3, ' "$tmp/sc" || fail "s_client -tls1_3: $(grep -E '^(New|Reused)' "$tmp/sc")"
sc -servername localhost -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' &&
  fail "s_client -tls1_1: handshake succeeded: $(grep -E '^(New|Reused)' "$tmp/sc")"
grep -qi 'alert protocol version' "$tmp/sc" ||
  fail "s_client -tls1_1: not refused with a protocol_version alert: $(tail -5 "$tmp/sc")"

# Resumption: one full handshake, then ten with its session; with two loops some of them land
# on the loop that did not make it. A request and -ign_eof keep s_client until the server
# closes, so TLS 1.3's tickets (sent after the handshake) are in before -sess_out writes.
request='GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
# resumed WHAT S_CLIENT-ARGS...
resumed() {
  local what=$1 i
  shift
  printf '%b' "$request" | timeout 10 openssl s_client -connect "127.0.0.1:$main_port" \
    -servername localhost "$@" -ign_eof -sess_out "$tmp/session" >"$tmp/sc" 2>&1 ||
    fail "$what: s_client -sess_out: $(tail -5 "$tmp/sc")"
  grep -q '^New, ' "$tmp/sc" || fail "$what: first handshake: $(grep -E '^(New|Reused)' "$tmp/sc")"
  grep -q 'hello over TLS' "$tmp/sc" || fail "$what: first connection: no body: $(tail -5 "$tmp/sc")"
  for i in $(seq 10); do
    printf '%b' "$request" | timeout 10 openssl s_client -connect "127.0.0.1:$main_port" \
      -servername localhost "$@" -ign_eof -sess_in "$tmp/session" >"$tmp/sc" 2>&1 ||
      fail "$what: s_client -sess_in (#$i): $(tail -5 "$tmp/sc")"
    grep -q '^Reused, ' "$tmp/sc" || fail "$what: connection #$i not resumed: $(grep -E '^(New|Reused)' "$tmp/sc")"
    grep -q 'hello over TLS' "$tmp/sc" || fail "$what: resumed connection #$i: no body"
  done
}
resumed "TLS 1.3 ticket" -tls1_3
resumed "TLS 1.2 ticket" -tls1_2
resumed "TLS 1.2 session ID" -tls1_2 -no_ticket

# A session belongs to its certificate (RFC 6066 §3): one made for other.test, offered with
# SNI localhost, gets a full handshake and localhost's certificate; offered for other.test
# again, it resumes.
for version in -tls1_3 -tls1_2; do
  printf '%b' "$request" | timeout 10 openssl s_client -connect "127.0.0.1:$main_port" \
    -servername other.test $version -ign_eof -sess_out "$tmp/other-session" >"$tmp/sc" 2>&1 ||
    fail "s_client other.test $version: $(tail -5 "$tmp/sc")"
  timeout 10 openssl s_client -connect "127.0.0.1:$main_port" -servername localhost $version \
    -sess_in "$tmp/other-session" </dev/null >"$tmp/sc" 2>&1 || true
  grep -q '^New, ' "$tmp/sc" ||
    fail "other.test's session resumed for localhost ($version): $(grep -E '^(New|Reused)' "$tmp/sc")"
  grep -q '^subject=CN = localhost' "$tmp/sc" || fail "localhost not shown its certificate ($version)"
  timeout 10 openssl s_client -connect "127.0.0.1:$main_port" -servername other.test $version \
    -sess_in "$tmp/other-session" </dev/null >"$tmp/sc" 2>&1 || true
  grep -q '^Reused, ' "$tmp/sc" || fail "other.test's session not resumed for other.test ($version)"
done

# Renegotiation (TLS 1.2; 1.3 has none): s_client's R line asks for it. pier answers with the
# no_renegotiation alert, which s_client reports as "no renegotiation" and ends on; had the
# handshake run again, s_client would print the certificate's verification (depth=0) again.
# (openssl s_server -client_renegotiation, which does renegotiate, fails these checks.)
{ printf 'R\n'; sleep 0.3; printf '%b' "$request"; sleep 0.3; } |
  timeout 10 openssl s_client -connect "127.0.0.1:$main_port" -servername localhost -tls1_2 \
    -CAfile "$pki/ca.pem" >"$tmp/sc" 2>&1 || true
after=$(sed -n '/^RENEGOTIATING/,$p' "$tmp/sc")
[[ -n $after ]] || fail "s_client R: did not ask to renegotiate: $(tail -5 "$tmp/sc")"
[[ $after == *'no renegotiation'* ]] || fail "s_client R: no no_renegotiation alert: $after"
[[ $after != *depth=* && $after != *'hello over TLS'* ]] || fail "s_client R: renegotiated: $after"

# --- 4. gnutls-cli: another TLS implementation. gn NAME ARGS...: gnutls-cli to the main server
# as localhost, trusting the test CA, the request on stdin; its output in $tmp/NAME.
gn() {
  local name=$1
  shift
  printf '%b' "$request" | timeout 10 gnutls-cli --x509cafile "$pki/ca.pem" -p "$main_port" "$@" \
    localhost >"$tmp/$name" 2>&1
}
gn gnutls || fail "gnutls-cli exited $?: $(tail -5 "$tmp/gnutls")"
grep -q '^- Status: The certificate is trusted' "$tmp/gnutls" || fail "gnutls-cli: $(grep Status "$tmp/gnutls")"
grep -q '^- Description: (TLS1.3-' "$tmp/gnutls" || fail "gnutls-cli: $(grep Description "$tmp/gnutls")"
grep -q 'hello over TLS' "$tmp/gnutls" || fail "gnutls-cli: no body: $(tail -5 "$tmp/gnutls")"
gn gnutls12 --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' --alpn http/1.1 --alpn h2 ||
  fail "gnutls-cli TLS 1.2: exited $?: $(tail -5 "$tmp/gnutls12")"
grep -q '^- Description: (TLS1.2-' "$tmp/gnutls12" || fail "gnutls-cli TLS 1.2: $(grep Description "$tmp/gnutls12")"
grep -q '^- Application protocol: http/1.1' "$tmp/gnutls12" ||
  fail "gnutls-cli --alpn http/1.1 --alpn h2: $(grep -i 'protocol' "$tmp/gnutls12")"
grep -q 'hello over TLS' "$tmp/gnutls12" || fail "gnutls-cli TLS 1.2: no body"
gn gnutls-sni --sni-hostname other.test --verify-hostname other.test ||
  fail "gnutls-cli SNI other.test: exited $?: $(tail -5 "$tmp/gnutls-sni")"
grep -q "subject \`CN=other.test'" "$tmp/gnutls-sni" || fail "gnutls-cli SNI other.test: $(grep subject "$tmp/gnutls-sni")"
gn gnutls-h2 --alpn h2 && fail "gnutls-cli --alpn h2 alone: handshake succeeded"
grep -q 'Received alert \[120\]' "$tmp/gnutls-h2" || fail "gnutls-cli --alpn h2 alone: $(tail -3 "$tmp/gnutls-h2")"
for version in TLS1.3 TLS1.2; do
  timeout 10 gnutls-cli --x509cafile "$pki/ca.pem" -p "$main_port" --resume \
    --priority "NORMAL:-VERS-ALL:+VERS-$version" localhost </dev/null >"$tmp/gnutls-r" 2>&1 ||
    fail "gnutls-cli --resume $version: exited $?: $(tail -5 "$tmp/gnutls-r")"
  grep -q '^\*\*\* This is a resumed session' "$tmp/gnutls-r" ||
    fail "gnutls-cli --resume $version: not resumed: $(grep -i resum "$tmp/gnutls-r")"
done
s=0
timeout 10 gnutls-cli -p "$main_port" localhost </dev/null >"$tmp/gnutls-noca" 2>&1 || s=$?
[[ $s -ne 0 ]] || fail "gnutls-cli without the test CA: exit 0"
grep -q 'certificate is NOT trusted' "$tmp/gnutls-noca" ||
  fail "gnutls-cli without the test CA: $(grep Status "$tmp/gnutls-noca")"

# --- 5. Python's ssl module (urllib, http.client, a bare socket).
timeout 30 python3 - "$main_port" "$pki/ca.pem" "$site" <<'PY' || fail "python ssl (above)"
import socket, ssl, sys, urllib.request
port, ca, site = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
with urllib.request.urlopen(f"https://localhost:{port}/a.txt", context=ctx, timeout=10) as r:
    assert r.read() == open(site + "/a.txt", "rb").read()
with urllib.request.urlopen(f"https://localhost:{port}/big.bin", context=ctx, timeout=10) as r:
    assert r.read() == open(site + "/big.bin", "rb").read(), "big.bin differs"


def handshake(context, name, alpn=None):
    if alpn:
        context.set_alpn_protocols(alpn)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with context.wrap_socket(s, server_hostname=name) as t:
            return t.selected_alpn_protocol(), t.version()


assert handshake(ssl.create_default_context(cafile=ca), "localhost",
                 ["h2", "http/1.1"]) == ("http/1.1", "TLSv1.3")
try:
    handshake(ssl.create_default_context(cafile=ca), "localhost", ["h2"])
    sys.exit("FAIL: a client offering only h2 was accepted")
except ssl.SSLError as e:
    assert "no application protocol" in str(e).lower(), e
try:
    handshake(ssl.create_default_context(cafile=ca), "wrong.test")
    sys.exit("FAIL: a certificate for wrong.test was accepted")
except ssl.SSLCertVerificationError as e:
    assert e.verify_code == 62, e  # X509_V_ERR_HOSTNAME_MISMATCH
try:
    handshake(ssl.create_default_context(), "localhost")  # the system store only
    sys.exit("FAIL: the test CA's certificate was accepted without the CA")
except ssl.SSLCertVerificationError as e:
    assert e.verify_code == 20, e  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
PY

# --- 6. wget.
timeout 10 wget -q --ca-certificate="$pki/ca.pem" -O "$tmp/got" "$url/a.txt" || fail "wget --ca-certificate exited $?"
same_as_a "$tmp/got" "wget"
s=$(status_of timeout 10 wget -q -O /dev/null "$url/a.txt" 2>/dev/null)
[[ $s -eq 5 ]] || fail "wget without the CA exited $s, not 5 (SSL verification failure)"

# --- 7. Plain HTTP on the TLS port: a readable 400.
code=$(timeout 10 curl -s -o "$tmp/got" -w '%{http_code}' "http://127.0.0.1:$main_port/") || true
[[ $code == 400 ]] || fail "plain HTTP to the HTTPS port: status $code"
grep -q 'speaks HTTPS' "$tmp/got" || fail "plain HTTP to the HTTPS port: body $(head -c 200 "$tmp/got")"

# --- 8. --tls-self-signed: the fingerprint printed is the certificate's.
start selfsigned -b 127.0.0.1 --tls-self-signed
grep -q '^Note: a self-signed certificate for localhost, 127.0.0.1, ::1' "$tmp/selfsigned.out" ||
  fail "--tls-self-signed: no note naming its names: $(cat "$tmp/selfsigned.out")"
printed=$(sed -n '/^Note: a self-signed certificate for/{n;s/^  //p;}' "$tmp/selfsigned.out")
[[ $printed =~ ^([0-9A-F]{2}:){31}[0-9A-F]{2}$ ]] || fail "--tls-self-signed: fingerprint line '$printed'"
timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost </dev/null 2>/dev/null |
  openssl x509 -out "$tmp/minted.pem" 2>/dev/null || fail "--tls-self-signed: no certificate from s_client"
served=$(openssl x509 -in "$tmp/minted.pem" -noout -fingerprint -sha256 | sed 's/^.*=//')
[[ $printed == "$served" ]] || fail "--tls-self-signed: printed $printed, served $served"
timeout 10 curl -sS -k -o "$tmp/got" "https://localhost:$port/a.txt" || fail "--tls-self-signed: curl -k exited $?"
same_as_a "$tmp/got" "--tls-self-signed: curl -k"
# Trusted as itself, it is valid for the names it was minted for.
for host in localhost 127.0.0.1; do
  timeout 10 curl -sS --cacert "$tmp/minted.pem" -o /dev/null "https://$host:$port/a.txt" ||
    fail "--tls-self-signed: curl --cacert <its certificate> https://$host exited $?"
done

# --- 9. Start-up errors: at once, with the exit status and a message that says why.
# refused STATUS TEXT ARGS...: `pier serve ARGS` must exit STATUS, its stderr holding TEXT.
refused() {
  local want=$1 text=$2 s=0
  shift 2
  timeout 5 "$pier" serve 0 -b 127.0.0.1 -q -d "$site" "$@" >/dev/null 2>"$tmp/refused" || s=$?
  [[ $s -eq $want ]] || fail "pier serve $*: exit $s, not $want: $(cat "$tmp/refused")"
  grep -qF -- "$text" "$tmp/refused" || fail "pier serve $*: message lacks '$text': $(cat "$tmp/refused")"
}
refused 1 'wrong password' --tls-cert "$pki/localhost.pem" --tls-key "$pki/encrypted.key" \
  --tls-password-file "$pki/wrong-password"
refused 1 'is encrypted' --tls-cert "$pki/localhost.pem" --tls-key "$pki/encrypted.key"
refused 1 'does not match its certificate' --tls-cert "$pki/localhost.pem" --tls-key "$pki/rogue.key"
refused 1 "$pki/missing.pem" --tls-cert "$pki/missing.pem" --tls-key "$pki/localhost.key"
refused 1 "$pki/missing.key" --tls-cert "$pki/localhost.pem" --tls-key "$pki/missing.key"
refused 1 "$pki/missing-password" --tls-cert "$pki/localhost.pem" --tls-key "$pki/encrypted.key" \
  --tls-password-file "$pki/missing-password"
refused 1 "$site/a.txt" --tls-cert "$site/a.txt" --tls-key "$pki/localhost.key"
refused 2 'need --tls-cert' --tls-key "$pki/localhost.key"
start password -b 127.0.0.1 --tls-cert "$pki/localhost.pem" --tls-key "$pki/encrypted.key" \
  --tls-password-file "$pki/password"
cv -o "$tmp/got" "https://localhost:$port/a.txt" || fail "encrypted key + right password: curl exited $?"
same_as_a "$tmp/got" "encrypted key + right password"
kill -HUP "$pid" # the password is still known when the key is read again
for _ in $(seq 100); do grep -q 'SIGHUP' "$tmp/password.err" && break; sleep 0.05; done
grep -q 'pier: SIGHUP: certificates reloaded' "$tmp/password.err" ||
  fail "SIGHUP with an encrypted key: $(cat "$tmp/password.err")"
start combined -b 127.0.0.1 --tls-cert "$pki/other-combined.pem" # the key in the same file
cv -o "$tmp/got" --resolve "other.test:$port:127.0.0.1" "https://other.test:$port/a.txt" ||
  fail "certificate and key in one file: curl exited $?"

# --- 10. SIGHUP: new certificate files for new connections, an open connection unharmed,
# and a broken key refused with the last good certificate still served.
mkdir "$tmp/live"
cp "$pki/localhost.pem" "$tmp/live/cert.pem"
cp "$pki/localhost.key" "$tmp/live/key.pem"
start reload -b 127.0.0.1 --threads 2 --tls-cert "$tmp/live/cert.pem" --tls-key "$tmp/live/key.pem"
reload_port=$port reload_pid=$pid
serial() {
  timeout 10 openssl s_client -connect "127.0.0.1:$reload_port" -servername localhost </dev/null 2>/dev/null |
    openssl x509 -noout -serial 2>/dev/null | sed 's/^serial=//'
}
# wait_log TEXT: waits (5 s at most) for TEXT in the reloading server's stderr.
wait_log() {
  for _ in $(seq 100); do grep -qF "$1" "$tmp/reload.err" && return 0; sleep 0.05; done
  fail "SIGHUP: no '$1' on stderr: $(cat "$tmp/reload.err")"
}
[[ $(serial) == 51A1 ]] || fail "before SIGHUP: serial $(serial), not 51A1"
printf '%b' "$request" | timeout 10 openssl s_client -connect "127.0.0.1:$reload_port" \
  -servername localhost -ign_eof -sess_out "$tmp/old-session" >"$tmp/sc" 2>&1 ||
  fail "before SIGHUP: s_client -sess_out: $(tail -5 "$tmp/sc")"
# A connection made before the reload, used again after it (http.client keeps it alive).
timeout 30 python3 - "$reload_port" "$pki/ca.pem" "$tmp/ready" "$tmp/go" <<'PY' &
import http.client, os, ssl, sys, time
port, ca, ready, go = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10,
                                   context=ssl.create_default_context(cafile=ca))
def get():
    conn.request("GET", "/a.txt")
    r = conn.getresponse()
    return r.status, r.read()
assert get() == (200, b"hello over TLS\n")
sock = conn.sock
open(ready, "w").close()
deadline = time.monotonic() + 20
while not os.path.exists(go):
    if time.monotonic() > deadline:
        sys.exit("FAIL: never told to go on")
    time.sleep(0.02)
status, body = get()
assert (status, body) == (200, b"hello over TLS\n"), (status, body)
assert conn.sock is sock, "http.client had to reconnect: the old connection was closed"
assert sock.getpeercert()["serialNumber"] == "51A1", sock.getpeercert()["serialNumber"]
PY
py=$!
for _ in $(seq 200); do [[ -e $tmp/ready ]] && break; sleep 0.05; done
[[ -e $tmp/ready ]] || fail "SIGHUP: the connection made before it did not get its first answer"
cp "$pki/renewed.pem" "$tmp/live/cert.pem"
cp "$pki/renewed.key" "$tmp/live/key.pem"
kill -HUP "$reload_pid"
wait_log 'pier: SIGHUP: certificates reloaded'
[[ $(serial) == 52B2 ]] || fail "after SIGHUP: serial $(serial), not the new 52B2"
# A session from before is not resumed: its client is shown the new certificate too.
timeout 10 openssl s_client -connect "127.0.0.1:$reload_port" -servername localhost \
  -sess_in "$tmp/old-session" </dev/null >"$tmp/sc" 2>&1 || fail "after SIGHUP: s_client -sess_in: $(tail -5 "$tmp/sc")"
grep -q '^New, ' "$tmp/sc" || fail "after SIGHUP: a session from before was resumed: $(grep -E '^(New|Reused)' "$tmp/sc")"
[[ $(openssl x509 -noout -serial <"$tmp/sc") == serial=52B2 ]] ||
  fail "after SIGHUP: the old session's client saw $(openssl x509 -noout -serial <"$tmp/sc")"
touch "$tmp/go"
s=0
wait $py || s=$?
[[ $s -eq 0 ]] || fail "SIGHUP: a connection made before the reload failed after it (exit $s)"
printf -- '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' >"$tmp/live/key.pem"
kill -HUP "$reload_pid"
wait_log 'pier: SIGHUP: reload refused, the old certificates keep serving'
[[ $(serial) == 52B2 ]] || fail "after a refused SIGHUP: serial $(serial), not 52B2"
cv -o "$tmp/got" "https://localhost:$reload_port/a.txt" || fail "after a refused SIGHUP: curl exited $?"
same_as_a "$tmp/got" "after a refused SIGHUP"
kill -0 "$reload_pid" 2>/dev/null || fail "SIGHUP: pier is gone"

# --- 11. --redirect-http: a plain listener answering 308 to the https:// URL.
start redirect -b 127.0.0.1 --tls-cert "$pki/localhost.pem" --tls-key "$pki/localhost.key" \
  --redirect-http 0
plain=$(sed -n 's/^Redirecting HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/redirect.out")
[[ -n $plain ]] || fail "--redirect-http: no 'Redirecting HTTP' line: $(cat "$tmp/redirect.out")"
timeout 10 curl -sSi "http://127.0.0.1:$plain/a.txt?x=1" | tr -d '\r' >"$tmp/head" ||
  fail "--redirect-http: curl exited $?"
grep -q '^HTTP/1.1 308 ' "$tmp/head" || fail "--redirect-http: $(head -1 "$tmp/head")"
loc=$(sed -n 's/^location: //Ip' "$tmp/head")
[[ $loc == "https://127.0.0.1:$port/a.txt?x=1" ]] ||
  fail "--redirect-http: Location '$loc', expected https://127.0.0.1:$port/a.txt?x=1"
cv -L -o "$tmp/got" "http://127.0.0.1:$plain/a.txt" || fail "--redirect-http: curl -L exited $?"
same_as_a "$tmp/got" "--redirect-http: curl -L"
# IPv6 loopback, when this machine has one: brackets in Location, the leaf's IP:::1.
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
  start redirect6 -b ::1 --tls-cert "$pki/localhost.pem" --tls-key "$pki/localhost.key" \
    --redirect-http 0
  plain=$(sed -n 's/^Redirecting HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/redirect6.out")
  loc=$(timeout 10 curl -sS -o /dev/null -w '%{redirect_url}' "http://[::1]:$plain/a.txt")
  [[ $loc == "https://[::1]:$port/a.txt" ]] || fail "--redirect-http on ::1: Location $loc"
  cv -L -o "$tmp/got" "http://[::1]:$plain/a.txt" || fail "--redirect-http on ::1: curl -L exited $?"
  same_as_a "$tmp/got" "--redirect-http on ::1: curl -L"
else
  echo "note: no IPv6 loopback here, the ::1 checks are skipped"
fi

# --- 12. Headless Chromium renders the listing, the leaf trusted by its public key's hash; with
# another key's hash in that place it must refuse the page (so the first run proves the pin).
# chromium_dom NAME SPKI: --dump-dom of $url/ into $build/tls-NAME.html, log in $tmp/NAME.log.
chromium_dom() {
  local name=$1 spki=$2 s=0
  rm -rf "$tmp/profile"
  mkdir "$tmp/profile"
  # In the background and waited for, so a TERM from ctest runs the trap at once.
  timeout -k 5 40 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --ignore-certificate-errors-spki-list="$spki" \
    --dump-dom "$url/" >"$build/tls-$name.html" 2>"$tmp/$name.log" &
  wait $! || s=$?
  if [[ $s -ne 0 ]]; then
    grep -v dbus "$tmp/$name.log" | tail -n 20 >&2 || true
    fail "chromium --dump-dom $url/ ($name) exited $s"
  fi
}
spki_of() {
  openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -binary | base64
}
chromium_dom listing "$(spki_of "$pki/localhost.pem")"
for want in '<h1>Directory listing for /</h1>' '>a.txt</a>' '>big.bin</a>' '>sub dir/</a>'; do
  grep -qF "$want" "$build/tls-listing.html" ||
    fail "chromium: '$want' not in the DOM of $url/ (see $build/tls-listing.html)"
done
chromium_dom refused "$(spki_of "$pki/rogue.pem")"
! grep -qF 'Directory listing' "$build/tls-refused.html" ||
  fail "chromium showed the listing with another key's hash in --ignore-certificate-errors-spki-list"
grep -q 'ERR_CERT_AUTHORITY_INVALID' "$tmp/refused.log" ||
  fail "chromium with another key's hash: no ERR_CERT_AUTHORITY_INVALID: $(grep -v dbus "$tmp/refused.log" | tail -5)"

echo "tls peers: ok"
