#!/usr/bin/env bash
# `pier get -b/-c/-j` against curl's own cookie files, both ways, with a scripted loopback
# server (get_peer.py): a jar written by `curl -c` is read by `pier get -b`, one written by
# `pier get -c` is read by `curl -b`, and both send the same Cookie field. Also: -b STRING,
# -b '', the engine off without -b/-c, -L with the domain, path, secure and expiry rules,
# --junk-session-cookies, the atomic write and the size limit.
set -euo pipefail
pier=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
scratch
command -v curl >/dev/null || { echo "curl not installed: skipped"; exit 0; }

start_get_peer "$tmp"

# The Cookie field each client sends to /echo with these arguments ("" when none).
pier_cookie() { timeout 20 "$pier" get -s "$@" | tr -d '\r' | sed -n 's/^Cookie: //p'; }
curl_cookie() { timeout 20 curl -s "$@" | tr -d '\r' | sed -n 's/^Cookie: //p'; }

# curl writes a jar; pier reads it. bb's longer path comes first, then creation order; ee's
# path does not match; dd is HttpOnly, cc persistent. (Equal name lengths: curl breaks path
# ties by name length, RFC 6265 §5.4 and pier by creation order.)
timeout 20 curl -s -o /dev/null -c "$tmp/curl.jar" "$py/setcookies"
grep -q $'^#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tdd\t4$' "$tmp/curl.jar" || fail "curl's jar: $(cat "$tmp/curl.jar")"
want='bb=2; aa=1; cc=3; dd=4'
[[ $(curl_cookie -b "$tmp/curl.jar" "$py/echo") == "$want" ]] || fail "curl reading its own jar"
got=$(pier_cookie -b "$tmp/curl.jar" "$py/echo")
[[ $got == "$want" ]] || fail "pier -b curl's jar: '$got'"

# pier writes a jar; curl reads it, and sends what pier sends.
timeout 20 "$pier" get -s -o /dev/null -c "$tmp/pier.jar" "$py/setcookies"
head -1 "$tmp/pier.jar" | grep -q '^# Netscape HTTP Cookie File$' || fail "pier's jar header"
grep -q $'^127.0.0.1\tFALSE\t/\tFALSE\t0\taa\t1$' "$tmp/pier.jar" || fail "session line: $(cat "$tmp/pier.jar")"
grep -q $'^127.0.0.1\tFALSE\t/echo\tFALSE\t0\tbb\t2$' "$tmp/pier.jar" || fail "path line"
grep -q $'^#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tdd\t4$' "$tmp/pier.jar" || fail "HttpOnly line"
expiry=$(awk -F'\t' '$6 == "cc" { print $5 }' "$tmp/pier.jar")
now=$(date +%s)
((expiry > now + 3500 && expiry <= now + 3601)) || fail "Max-Age=3600 written as $expiry (now $now)"
[[ $(stat -c %a "$tmp/pier.jar") == 600 ]] || fail "a new jar is not private"
got=$(curl_cookie -b "$tmp/pier.jar" "$py/echo")
[[ $got == "$want" ]] || fail "curl -b pier's jar: '$got'"
[[ $(pier_cookie -b "$tmp/pier.jar" "$py/echo") == "$want" ]] || fail "pier -b its own jar"
# The same jar rewritten in place: no temporary left beside it; "-" is stdout.
timeout 20 "$pier" get -s -o /dev/null -b "$tmp/pier.jar" -c "$tmp/pier.jar" "$py/echo"
[[ $(ls "$tmp" | grep -c 'pier.jar') -eq 1 ]] || fail "temporary left: $(ls "$tmp")"
[[ $(grep -c $'\t' "$tmp/pier.jar") -eq 5 ]] || fail "rewritten jar: $(cat "$tmp/pier.jar")"
timeout 20 "$pier" get -s -o /dev/null -c - "$py/setcookie" | grep -q $'\tsession\tabc$' || fail "-c -"

# --junk-session-cookies: only cc has an expiry.
[[ $(curl_cookie -j -b "$tmp/curl.jar" "$py/echo") == 'cc=3' ]] || fail "curl -j"
got=$(pier_cookie -j -b "$tmp/curl.jar" "$py/echo")
[[ $got == 'cc=3' ]] || fail "--junk-session-cookies: '$got'"

# -b STRING is sent as is, after the jar's cookies, as curl does.
[[ $(pier_cookie -b 'x=1; y=2' "$py/echo") == 'x=1; y=2' ]] || fail "-b STRING"
want2=$(curl_cookie -b "$tmp/curl.jar" -b 'x=1; y=2' "$py/echo")
got=$(pier_cookie -b "$tmp/curl.jar" -b 'x=1; y=2' "$py/echo")
[[ $got == "$want2" && $got == "$want; x=1; y=2" ]] || fail "-b FILE -b STRING: '$got' (curl '$want2')"

# The engine: off without -b/-c (a cookie set by a redirect is not sent on), on with -b ''.
redirect="$py/to?url=/echo&cookie=r%3D1%3B%20Path%3D%2F"
[[ -z $(curl_cookie -L "$redirect") ]] || fail "curl sent a cookie without -b"
got=$(pier_cookie -L "$redirect")
[[ -z $got ]] || fail "cookie sent without -b or -c: '$got'"
[[ $(curl_cookie -L -b '' "$redirect") == 'r=1' ]] || fail "curl -b ''"
got=$(pier_cookie -L -b '' "$redirect")
[[ $got == 'r=1' ]] || fail "-b '' -L: '$got'"
# A -b file that does not exist starts the engine with nothing, as curl's.
got=$(pier_cookie -L -b "$tmp/no-such.jar" "$redirect")
[[ $got == 'r=1' ]] || fail "-b missing file: '$got'"

# With -L, the jar's rules: host-only cookies stay with their host (127.0.0.1 -> localhost),
# secure ones off plain HTTP, expired ones unsent.
printf '%s\n' '# Netscape HTTP Cookie File' \
  $'127.0.0.1\tFALSE\t/\tFALSE\t0\tip\tv' \
  $'localhost\tFALSE\t/\tFALSE\t0\tlh\tv' \
  $'localhost\tFALSE\t/\tFALSE\t1000\told\tv' \
  $'localhost\tFALSE\t/echo/deeper\tFALSE\t0\tdeep\tv' >"$tmp/hosts.jar"
printf '%s\r\n' $'localhost\tFALSE\t/\tTRUE\t0\tsec\tv' >>"$tmp/hosts.jar"
cross="$py/to?url=http://localhost:$peer_port/echo"
[[ $(curl_cookie -L -b "$tmp/hosts.jar" "$cross" | tr ';' '\n' | grep -c lh) -eq 1 ]] || fail "curl cross-host"
got=$(pier_cookie -L -b "$tmp/hosts.jar" "$cross")
[[ $got == 'lh=v' ]] || fail "-L across hosts: '$got'"
[[ $(pier_cookie -b "$tmp/hosts.jar" "$py/echo") == 'ip=v' ]] || fail "host-only cookie"

# Hostile files: over 10 MiB is refused with a message; binary junk is skipped, not fatal.
head -c $((10 * 1024 * 1024 + 1)) /dev/zero >"$tmp/huge.jar"
status=0 && timeout 20 "$pier" get -b "$tmp/huge.jar" "$py/echo" >/dev/null 2>"$tmp/stderr" || status=$?
[[ $status -eq 26 ]] && grep -q 'larger than 10 MiB' "$tmp/stderr" || fail "huge jar: $status $(cat "$tmp/stderr")"
head -c 100000 /dev/urandom >"$tmp/junk.jar"
timeout 20 "$pier" get -s -b "$tmp/junk.jar" -o /dev/null "$py/echo" || fail "junk jar"
echo "cookie files: ok"
