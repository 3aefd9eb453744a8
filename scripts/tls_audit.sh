#!/usr/bin/env bash
# testssl.sh (Debian's package) against `pier serve` over HTTPS on loopback: every check it
# has — protocols, ciphers, forward secrecy, server defaults, renegotiation, the known
# vulnerabilities. Fails on any finding rated HIGH or CRITICAL, on a protocol below TLS 1.2,
# or on renegotiation; writes a summary (every finding above INFO/OK) to the file given.
# `make audit` runs it: a full scan takes minutes, too long for `make test`.
# Usage: tls_audit.sh <pier> <summary.md>
set -euo pipefail
pier=$1
summary=$2
command -v testssl >/dev/null || { echo "tls_audit: testssl is missing (scripts/install-deps installs it)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A CA and a leaf for 127.0.0.1, as an operator would deploy: the chain verifies with the CA,
# the leaf is valid for a year and names where its revocation would be published (testssl
# rates a certificate without them HIGH; nothing fetches them: testssl does not phone out).
# What is audited is then pier's TLS, not the test certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj /CN=pier-audit-ca \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout "$tmp/leaf.key" -out "$tmp/leaf.csr" 2>/dev/null
printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' 'extendedKeyUsage=serverAuth' \
  'crlDistributionPoints=URI:http://127.0.0.1/pier-audit.crl' \
  'authorityInfoAccess=OCSP;URI:http://127.0.0.1/ocsp' >"$tmp/ext"
openssl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 365 -extfile "$tmp/ext" -out "$tmp/leaf.pem" 2>/dev/null
cat "$tmp/leaf.pem" "$tmp/ca.pem" >"$tmp/chain.pem"
mkdir -p "$tmp/site"
printf 'audit\n' >"$tmp/site/index.html"

timeout -k 5 900 "$pier" serve 0 -b 127.0.0.1 -q --tls-cert "$tmp/chain.pem" --tls-key "$tmp/leaf.key" \
  -d "$tmp/site" >"$tmp/out" 2>&1 &
for _ in $(seq 100); do grep -q 'Serving HTTPS' "$tmp/out" && break; sleep 0.05; done
port=$(sed -n 's/^Serving HTTPS on .* port \([0-9]*\) .*/\1/p' "$tmp/out")
[[ -n $port ]] || fail "pier did not start: $(cat "$tmp/out")"

# --add-ca: the test CA is trusted, so the chain's findings are about the chain, not the CA.
timeout 850 testssl --quiet --color 0 --warnings off --add-ca "$tmp/ca.pem" \
  --jsonfile "$tmp/result.json" "https://127.0.0.1:$port/" >"$tmp/testssl.log" 2>&1 ||
  true # testssl's exit status counts findings of any kind; the JSON below decides
[[ -s $tmp/result.json ]] || fail "testssl wrote no results: $(tail -20 "$tmp/testssl.log")"

python3 - "$tmp/result.json" "$summary" "$(testssl --version 2>/dev/null | grep -m1 -o 'testssl.sh [^ ]*' || echo testssl)" <<'PY'
import json, sys, datetime
results, out, version = sys.argv[1], sys.argv[2], sys.argv[3]
data = json.load(open(results))
findings = data if isinstance(data, list) else data.get("scanResult", data)
rank = {"CRITICAL": 5, "HIGH": 4, "MEDIUM": 3, "LOW": 2, "WARN": 1}
noted = [f for f in findings if f.get("severity") in rank]
bad = [f for f in findings if f.get("severity") in ("HIGH", "CRITICAL")]
by_id = {f.get("id"): f for f in findings}
def offered(i):
    f = by_id.get(i, {})
    return f.get("finding", "")
problems = [f"{f['id']}: {f['severity']}: {f.get('finding','')}" for f in bad]
for old in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
    if "not offered" not in offered(old):
        problems.append(f"{old}: {offered(old) or 'missing from the results'}")
for reneg in ("secure_renego", "secure_client_renego"):
    text = offered(reneg).lower()
    if reneg == "secure_client_renego" and "not vulnerable" not in text and "not supported" not in text:
        problems.append(f"{reneg}: {offered(reneg)}")
lines = [
    "# TLS audit: testssl.sh against pier serve",
    "",
    f"`make audit` ({version}, a full scan of `pier serve --tls-cert` on loopback with an EC",
    f"P-256 certificate from a test CA), run {datetime.date.today().isoformat()}.",
    "",
    "| protocol | |",
    "|---|---|",
]
for p in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3"):
    lines.append(f"| {p} | {offered(p)} |")
lines += ["", f"Findings rated above INFO/OK: {len(noted)}; HIGH or CRITICAL: {len(bad)}.", ""]
if noted:
    lines += ["| id | severity | finding |", "|---|---|---|"]
    for f in sorted(noted, key=lambda f: -rank[f["severity"]]):
        lines.append(f"| {f['id']} | {f['severity']} | {f.get('finding','').replace('|', '/')} |")
open(out, "w").write("\n".join(lines) + "\n")
if problems:
    print("tls_audit: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"tls_audit: ok ({len(findings)} checks, {len(noted)} above INFO, none HIGH or CRITICAL)")
PY
