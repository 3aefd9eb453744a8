#!/usr/bin/env bash
# `pier serve --upload/--delete/--auth/--rate-limit` against clients nobody here wrote, on
# loopback: curl (PUT from a file, from a pipe, into a directory, 100 MiB with Expect:
# 100-continue, DELETE, multipart forms, preconditions, a cross-site Origin), htpasswd files
# of every kind apache2-utils writes, wget and Python's urllib answering the Basic challenge,
# the failed-login lockout, --rate-limit, CGI under --auth, the start-up rules, and two faults:
# a file-size limit (ulimit -f, the disk-full path without root) and kill -9 mid-upload.
# Every check prints one line, ok or FAIL with what was seen; the script exits 1 if any failed.
# Usage: upload_peers.sh <pier> [scratch-dir]
set -uo pipefail
[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 <pier> [scratch-dir]" >&2; exit 2; }
pier=$(realpath "$1")
[[ -x $pier ]] || { echo "FAIL: $pier is not executable" >&2; exit 2; }
for tool in curl wget htpasswd python3 sha256sum cmp; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed (run scripts/install-deps)" >&2; exit 2; }
done
started=$SECONDS
# Python for urllib and JSON: the system's, when there is one (a pyenv shim costs seconds).
python=python3
[[ -x /usr/bin/python3 ]] && python=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
# Every server runs under `timeout`, which passes the signal on to pier.
scratch --wait "${2:-${TMPDIR:-/tmp}}/pier-upload-peers.XXXXXX"

# Its own check, not the harness's: this one compares a value with the one expected.
passed=0
failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
# check WHAT WANT GOT [DETAIL]: ok when GOT equals WANT.
check() {
  if [[ $3 == "$2" ]]; then ok "$1"; else bad "$1: expected '$2', got '$3'${4:+ ($4)}"; fi
}

# --- Servers: start NAME DIR [pier serve args...] sets port[NAME] and pid[NAME] (pier's own
# pid, the child of its `timeout`). PREFIX, when set, is run before pier (a ulimit).
declare -A port pid job
start() {
  local name=$1 dir=$2
  shift 2
  (
    ${PREFIX:-true}
    exec timeout -k 2 80 "$pier" serve 0 -b 127.0.0.1 -d "$dir" "$@"
  ) >"$tmp/$name.out" 2>"$tmp/$name.err" &
  job[$name]=$!
  for _ in $(seq 100); do
    grep -q '^Serving HTTP on' "$tmp/$name.out" 2>/dev/null && break
    kill -0 "${job[$name]}" 2>/dev/null || break
    sleep 0.05
  done
  port[$name]=$(sed -n 's/^Serving HTTP on 127\.0\.0\.1 port \([0-9]*\) .*/\1/p' "$tmp/$name.out")
  pid[$name]=$(pgrep -P "${job[$name]}" | head -1)
  if [[ -z ${port[$name]} || -z ${pid[$name]} ]]; then
    bad "server $name ($*) did not start: $(cat "$tmp/$name.out" "$tmp/$name.err" | head -5)"
    return 1
  fi
}
url() { echo "http://127.0.0.1:${port[$1]}$2"; }
# times N URL: curl arguments for N requests of URL on one connection, each body dropped.
times() { local _; for _ in $(seq "$1"); do printf '%s\n' -o /dev/null "$2"; done; }
# req OUT [curl args...]: the final status code on stdout, the head in OUT.head, body in OUT.
req() {
  local out=$1
  shift
  curl -sS --max-time 20 -D "$out.head" -o "$out" -w '%{http_code}' "$@" 2>"$out.err" || true
}
# field OUT NAME: a response field's value (the last response's), without CR.
field() { sed -n "s/^$2: *//Ip" "$1.head" | tr -d '\r' | tail -1; }
same() { cmp -s "$1" "$2" && echo same || echo "differs"; }
temporaries() { find "$1" -maxdepth 1 -name '.pier-upload-*' | wc -l; }

r=$tmp/r # scratch response files
# The test files.
printf 'first version\n' >"$tmp/one.txt"
printf 'second version, longer\n' >"$tmp/two.txt"
head -c 300000 /dev/urandom >"$tmp/piped.bin"
printf 'alpha\n' >"$tmp/a.txt"
head -c 5000 /dev/urandom >"$tmp/b.bin"
printf 'not evil\n' >"$tmp/evil.src"
printf 'hello through auth\n' >"$tmp/hello.txt"

# ============ 1. curl against --upload --delete (loopback, no auth) ============
site=$tmp/site
mkdir -p "$site/dir/sub" "$site/full/inner" "$site/empty"
echo keep >"$site/full/inner/f"
start rw "$site" --upload --delete && ok "--upload -b 127.0.0.1 without --auth starts"

code=$(req "$r" -T "$tmp/one.txt" "$(url rw /new.txt)")
check "PUT -T to a new name: 201" 201 "$code"
check "PUT -T to a new name: Location" /new.txt "$(field "$r" Location)"
check "PUT -T to a new name: stored file" same "$(same "$tmp/one.txt" "$site/new.txt")"
code=$(req "$r" -T "$tmp/two.txt" "$(url rw /new.txt)")
check "PUT -T again: 204" 204 "$code"
check "PUT -T again: replaced" same "$(same "$tmp/two.txt" "$site/new.txt")"

# shellcheck disable=SC2002 # from a pipe, not a file: curl cannot know the length
code=$(cat "$tmp/piped.bin" | req "$r" -v -T - "$(url rw /piped.bin)")
grep -qi '^> Transfer-Encoding: chunked' "$r.err" || bad "PUT -T - did not go chunked: $(grep '^>' "$r.err" | tr -d '\r' | tr '\n' '|')"
check "PUT -T - from a pipe (chunked): 201" 201 "$code"
check "PUT -T - from a pipe: stored file" same "$(same "$tmp/piped.bin" "$site/piped.bin")"

code=$(req "$r" -T "$tmp/a.txt" "$(url rw /dir/)")
check "PUT -T file http://.../dir/ (curl appends the name): 201" 201 "$code" "$(field "$r" Location)"
check "PUT -T into dir/: stored as dir/a.txt" same "$(same "$tmp/a.txt" "$site/dir/a.txt")"
rm -f "$site/dir/a.txt"

# 100 MiB with Expect: 100-continue; pier's peak resident set stays far below it.
dd if=/dev/urandom of="$tmp/big.bin" bs=1M count=100 status=none
code=$(req "$r" -T "$tmp/big.bin" -H 'Expect: 100-continue' --expect100-timeout 5 "$(url rw /big.bin)")
check "PUT 100 MiB with Expect: 100-continue: 201" 201 "$code" "$(cat "$r.err")"
want=$(sha256sum <"$tmp/big.bin")
got=$(sha256sum <"$site/big.bin" 2>/dev/null)
check "PUT 100 MiB: sha256 of the stored file" "$want" "$got"
curl -sS --max-time 10 -v -o /dev/null -T "$tmp/a.txt" -H 'Expect: 100-continue' \
  "$(url rw /expect.txt)" >"$r.v" 2>&1
if grep -q '^< HTTP/1.1 100' "$r.v"; then
  ok "Expect: 100-continue answered with 100 Continue"
else
  bad "Expect: 100-continue: no '100 Continue' seen by curl -v: $(grep '^<' "$r.v" | tr -d '\r' | tr '\n' '|')"
fi
peak_kib=$(awk '/^VmHWM/ {print $2}' "/proc/${pid[rw]}/status")
rm -f "$tmp/big.bin" "$site/big.bin"
# Not `ldd | grep -q`: under pipefail, grep leaving early can make ldd's SIGPIPE the answer.
if [[ $(ldd "$pier" 2>/dev/null) == *libasan* ]]; then
  ok "PUT 100 MiB: peak RSS ${peak_kib} KiB (an ASan build: not bounded)"
elif ((peak_kib < 64 * 1024)); then
  ok "PUT 100 MiB: pier's peak RSS ${peak_kib} KiB < 64 MiB"
else
  bad "PUT 100 MiB: pier's peak RSS ${peak_kib} KiB, not under 64 MiB"
fi

# DELETE.
check "DELETE of a file: 204" 204 "$(req "$r" -X DELETE "$(url rw /new.txt)")"
if [[ ! -e $site/new.txt ]]; then
  ok "DELETE of a file: gone"
else
  bad "DELETE of a file: still there"
fi
check "DELETE of a non-empty directory: 409" 409 "$(req "$r" -X DELETE "$(url rw /full/)")"
if [[ -f $site/full/inner/f ]]; then
  ok "DELETE of a non-empty directory: contents kept"
else
  bad "DELETE of a non-empty directory: contents gone"
fi
check "DELETE of an empty directory: 204" 204 "$(req "$r" -X DELETE "$(url rw /empty/)")"
if [[ ! -e $site/empty ]]; then
  ok "DELETE of an empty directory: gone"
else
  bad "DELETE of an empty directory: still there"
fi

# Multipart forms.
form() { req "$r" -F "files=@$tmp/a.txt" -F "files=@$tmp/b.bin" "$(url rw /dir/)"; }
names() {
  # name:size:location, the location decoded (pier may leave '(' and ')' as they are).
  "$python" -c 'import json,sys,urllib.parse as u; d=json.load(open(sys.argv[1])); print(" ".join("%s:%d:%s" % (f["name"], f["size"], u.unquote(f["location"])) for f in d["stored"]))' "$1" 2>&1
}
check "-F files=@a.txt -F files=@b.bin to /dir/: 201" 201 "$(form)"
check "form upload: JSON lists both" "a.txt:6:/dir/a.txt b.bin:5000:/dir/b.bin" "$(names "$r")"
check "form upload: files stored" "same same" "$(same "$tmp/a.txt" "$site/dir/a.txt") $(same "$tmp/b.bin" "$site/dir/b.bin")"
check "same form again: 201" 201 "$(form)"
check "same form again: numbered names" "a (1).txt:6:/dir/a (1).txt b (1).bin:5000:/dir/b (1).bin" "$(names "$r")" "$(cat "$r")"
check "same form again: files stored, originals kept" "same same same same" \
  "$(same "$tmp/a.txt" "$site/dir/a (1).txt") $(same "$tmp/b.bin" "$site/dir/b (1).bin") $(same "$tmp/a.txt" "$site/dir/a.txt") $(same "$tmp/b.bin" "$site/dir/b.bin")"
code=$(req "$r" -F "files=@$tmp/evil.src;filename=../../evil.txt" "$(url rw /dir/sub/)")
check "-F ';filename=../../evil.txt' to /dir/sub/: 201" 201 "$code" "$(cat "$r")"
check "filename=../../evil.txt: stored as dir/sub/evil.txt" same "$(same "$tmp/evil.src" "$site/dir/sub/evil.txt")"
outside=$(find "$tmp" -name 'evil.txt' ! -path "$site/dir/sub/evil.txt" | tr '\n' ' ')
check "filename=../../evil.txt: nothing outside dir/sub" "" "$outside"

# Preconditions, a missing directory, a cross-site Origin.
printf 'keep me\n' >"$site/kept.txt"
cp "$site/kept.txt" "$tmp/kept.orig"
check "PUT with If-None-Match: * over an existing file: 412" 412 \
  "$(req "$r" -H 'If-None-Match: *' -T "$tmp/two.txt" "$(url rw /kept.txt)")"
check "If-None-Match: * refused: file unchanged" same "$(same "$tmp/kept.orig" "$site/kept.txt")"
check "PUT into a missing directory: 409" 409 "$(req "$r" -T "$tmp/one.txt" "$(url rw /nodir/x.txt)")"
if [[ ! -e $site/nodir ]]; then
  ok "PUT into a missing directory: nothing created"
else
  bad "PUT into a missing directory: $site/nodir made"
fi
check "PUT with Origin: http://evil.example: 403" 403 \
  "$(req "$r" -H 'Origin: http://evil.example' -T "$tmp/one.txt" "$(url rw /cross.txt)")"
if [[ ! -e $site/cross.txt ]]; then
  ok "cross-site PUT: nothing stored"
else
  bad "cross-site PUT: cross.txt stored"
fi
check "PUT with a same-origin Origin: 201" 201 \
  "$(req "$r" -H "Origin: http://127.0.0.1:${port[rw]}" -T "$tmp/one.txt" "$(url rw /same-origin.txt)")"
check "no .pier-upload-* left in the tree" 0 "$(find "$site" -name '.pier-upload-*' | wc -l)"

# Without --delete: 405.
site2=$tmp/site2
mkdir -p "$site2"
printf 'stay\n' >"$site2/stay.txt"
start nodelete "$site2" --upload
check "DELETE without --delete: 405" 405 "$(req "$r" -X DELETE "$(url nodelete /stay.txt)")"
if [[ -f $site2/stay.txt ]]; then
  ok "DELETE without --delete: file kept"
else
  bad "DELETE without --delete: file gone"
fi

# ============ 2. Basic auth ============
auth_site=$tmp/auth
mkdir -p "$auth_site"
cp "$tmp/hello.txt" "$auth_site/hello.txt"
pw=$tmp/htpasswd
htpasswd -cbB "$pw" bee 'bcrypt pass' 2>/dev/null
htpasswd -bs "$pw" sha 'sha1-pass' 2>/dev/null
htpasswd -bm "$pw" apr 'apr1:pass' 2>/dev/null
# shellcheck disable=SC2016 # the literal prefixes of the hashes
check "htpasswd wrote bcrypt, {SHA} and apr1 lines" '$2y$ {SHA} $apr1$' \
  "$(cut -d: -f2 "$pw" | sed -E 's/^(\$2y\$|\{SHA\}|\$apr1\$).*/\1/' | tr '\n' ' ' | sed 's/ $//')"
start auth "$auth_site" --upload --auth-file "$pw" --auth 'plain:plain pass' --realm 'pier tests'
for cred in 'bee:bcrypt pass' 'sha:sha1-pass' 'apr:apr1:pass' 'plain:plain pass'; do
  code=$(req "$r" -u "$cred" "$(url auth /hello.txt)")
  check "curl -u ${cred%%:*} (${cred#*:}): 200 and the file" "200 same" "$code $(same "$tmp/hello.txt" "$r")"
done
code=$(req "$r" -u 'bee:wrong' "$(url auth /hello.txt)")
check "wrong password: 401" 401 "$code"
check "wrong password: WWW-Authenticate" 'Basic realm="pier tests", charset="UTF-8"' "$(field "$r" WWW-Authenticate)"
check "no credentials: 401" 401 "$(req "$r" "$(url auth /hello.txt)")"
check "unknown user: 401" 401 "$(req "$r" -u 'nobody:bcrypt pass' "$(url auth /hello.txt)")"
rm -f "$tmp/wget.out"
timeout 15 wget -q --no-config --tries=1 --timeout=5 --user=bee --password='bcrypt pass' \
  -O "$tmp/wget.out" "$(url auth /hello.txt)" 2>"$tmp/wget.err"
check "wget --user --password (challenge, then credentials): the file" "same" "$(same "$tmp/hello.txt" "$tmp/wget.out")" "$(cat "$tmp/wget.err")"
got=$(timeout 15 "$python" - "$(url auth /hello.txt)" 2>&1 <<'EOF'
import sys, urllib.request
mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
mgr.add_password(None, sys.argv[1], "apr", "apr1:pass")
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPBasicAuthHandler(mgr))
with opener.open(sys.argv[1], timeout=10) as r:
    sys.stdout.write("%d %s" % (r.status, r.read().decode()))
EOF
)
check "Python urllib HTTPBasicAuthHandler: 200 and the file" "200 hello through auth" "$got"
code=$(req "$r" -u 'plain:plain pass' -T "$tmp/one.txt" "$(url auth /by-plain.txt)")
check "PUT with credentials: 201" 201 "$code"
sleep 0.2 # the log line is written once the response is
line=$(grep -F '"GET /hello.txt' "$tmp/auth.err" | grep -F ' bee ' | head -1)
if [[ -n $line ]]; then
  ok "access log names the user: $line"
else
  bad "access log: no line with 'bee' for GET /hello.txt: $(head -3 "$tmp/auth.err" | tr '\n' '|')"
fi
line=$(grep -F '"PUT /by-plain.txt' "$tmp/auth.err" | head -1)
if [[ $line == *" plain "* ]]; then
  ok "access log names the user of a PUT"
else
  bad "access log of the PUT: '$line'"
fi

# Lockout: 10 failures allowed, then 429 (even for the right password) from that client.
start lock "$auth_site" --auth 'u:right'
mapfile -t many < <(times 11 "$(url lock /hello.txt)")
codes=$(curl -sS --max-time 20 -u 'u:wrong' -w '%{http_code} ' "${many[@]}" 2>/dev/null)
check "11 wrong passwords: ten 401, then 429" "$(printf '401 %.0s' $(seq 10))429 " "$codes"
code=$(req "$r" -u 'u:right' "$(url lock /hello.txt)")
retry=$(field "$r" Retry-After)
check "then the right password: 429" 429 "$code"
if [[ $retry =~ ^[0-9]+$ && $retry -ge 1 && $retry -le 60 ]]; then
  ok "lockout Retry-After: $retry"
else
  bad "lockout Retry-After: '$retry', not 1..60"
fi

# --auth-writes-only.
start wo "$auth_site" --upload --auth 'w:pw' --auth-writes-only
check "--auth-writes-only: GET without credentials 200" 200 "$(req "$r" "$(url wo /hello.txt)")"
check "--auth-writes-only: PUT without credentials 401" 401 "$(req "$r" -T "$tmp/one.txt" "$(url wo /wo.txt)")"
if [[ ! -e $auth_site/wo.txt ]]; then
  ok "--auth-writes-only: refused PUT stored nothing"
else
  bad "--auth-writes-only: refused PUT stored wo.txt"
fi
check "--auth-writes-only: PUT with credentials 201" 201 "$(req "$r" -u w:pw -T "$tmp/one.txt" "$(url wo /wo.txt)")"

# ============ 3. Rate limit ============
start rate "$auth_site" --rate-limit 5/s --burst 5
mapfile -t many < <(times 20 "$(url rate /hello.txt)")
curl -sS --max-time 20 -D "$tmp/rate.head" -w '%{http_code} %{num_connects}\n' "${many[@]}" \
  >"$tmp/rate.codes" 2>/dev/null
codes=$(cut -d' ' -f1 "$tmp/rate.codes" | tr '\n' ' ')
connects=$(awk '{n += $2} END {print n}' "$tmp/rate.codes")
n200=$(grep -c '^200' "$tmp/rate.codes")
n429=$(grep -c '^429' "$tmp/rate.codes")
if [[ $codes == 200\ 200\ 200\ 200\ 200\ * && $n429 -ge 10 && $((n200 + n429)) -eq 20 ]]; then
  ok "--rate-limit 5/s --burst 5, 20 requests: $n200 × 200 then $n429 × 429 ($connects connection(s))"
else
  bad "--rate-limit 5/s --burst 5, 20 requests: $codes"
fi
check "rate limit: 20 requests on one connection" 1 "$connects"
retry=$(awk 'BEGIN{IGNORECASE=1} /^HTTP\// {s=$2} s==429 && /^Retry-After:/ {print $2}' "$tmp/rate.head" | tr -d '\r' | sort -u | tr '\n' ' ')
check "rate limit: Retry-After of every 429" "1 " "$retry"

# ============ 4. CGI + uploads + auth ============
cgi_site=$tmp/cgi
mkdir -p "$cgi_site/cgi-bin"
cat >"$cgi_site/cgi-bin/who.sh" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\n\n'
printf 'REMOTE_USER=%s\nAUTH_TYPE=%s\n' "${REMOTE_USER-<unset>}" "${AUTH_TYPE-<unset>}"
EOF
chmod 755 "$cgi_site/cgi-bin/who.sh"
cp "$cgi_site/cgi-bin/who.sh" "$tmp/who.orig"
start cgi "$cgi_site" --cgi --upload --auth u:p
code=$(req "$r" -u u:p "$(url cgi /cgi-bin/who.sh)")
check "CGI under --auth: the script sees REMOTE_USER=u AUTH_TYPE=Basic" "200 REMOTE_USER=u AUTH_TYPE=Basic" "$code $(tr '\n' ' ' <"$r" | sed 's/ $//')"
printf '#!/bin/sh\necho pwned\n' >"$tmp/x"
for path in /cgi-bin/new.sh /cgi-bin%2Fnew.sh /htbin/new.sh; do
  code=$(req "$r" -u u:p -T "$tmp/x" "$(url cgi "$path")")
  if [[ $code == 403 || $code == 404 ]]; then
    ok "PUT $path under --cgi: $code"
  else
    bad "PUT $path under --cgi: $code, not 403/404"
  fi
done
# A PUT to an existing script is a request for the script (CGI takes every method): it runs.
code=$(req "$r" -u u:p -T "$tmp/x" "$(url cgi /cgi-bin/who.sh)")
check "PUT /cgi-bin/who.sh (an existing script): the script answers it" "200 REMOTE_USER=u AUTH_TYPE=Basic" "$code $(tr '\n' ' ' <"$r" | sed 's/ $//')"
code=$(req "$r" -u u:p --path-as-is -T "$tmp/x" "$(url cgi /x/../cgi-bin/new2.sh)")
if [[ $code == 403 || $code == 404 ]]; then
  ok "PUT /x/../cgi-bin/new2.sh (--path-as-is): $code"
else
  bad "PUT /x/../cgi-bin/new2.sh: $code, not 403/404"
fi
code=$(req "$r" -u u:p -F "f=@$tmp/x;filename=new3.sh" "$(url cgi /cgi-bin/)")
if [[ $code != 2* ]]; then
  ok "form POST to /cgi-bin/: $code"
else
  bad "form POST to /cgi-bin/: $code"
fi
check "nothing stored in cgi-bin, who.sh unchanged" "who.sh same" \
  "$(find "$cgi_site/cgi-bin" -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ' | sed 's/ $//') $(same "$tmp/who.orig" "$cgi_site/cgi-bin/who.sh")"
if [[ ! -e $cgi_site/htbin ]]; then
  ok "nothing made at /htbin"
else
  bad "/htbin made"
fi

# ============ 5. Start-up rules ============
rc=0
timeout 5 "$pier" serve 0 --upload -d "$site2" >"$tmp/every.out" 2>"$tmp/every.err" || rc=$?
msg=$(cat "$tmp/every.err")
if [[ $rc -eq 2 && $msg == *--auth* ]]; then
  ok "--upload on every interface without --auth: exit 2, '$msg'"
else
  bad "--upload on every interface without --auth: exit $rc, '$msg' $(head -1 "$tmp/every.out")"
fi
printf 'bee:%s\nthis line is no user\nsha:{SHA}x\n' "$(sed -n 's/^bee://p' "$pw")" >"$tmp/bad.htpasswd"
rc=0
timeout 5 "$pier" serve 0 -b 127.0.0.1 -d "$site2" --auth-file "$tmp/bad.htpasswd" >/dev/null 2>"$tmp/bad.err" || rc=$?
msg=$(cat "$tmp/bad.err")
if [[ $rc -ne 0 && $rc -ne 124 && ($msg =~ :2[^0-9] || $msg =~ line\ 2[^0-9]) ]]; then
  ok "--auth-file with a bad line 2: exit $rc, '$msg'"
else
  bad "--auth-file with a bad line 2: exit $rc, '$msg'"
fi

# ============ 6. Faults ============
# A file-size limit of 1 MiB (ulimit -f counts KiB): writing past it is EFBIG, as a full disk.
full=$tmp/full
mkdir -p "$full"
head -c 100000 /dev/urandom >"$full/old.bin"
cp "$full/old.bin" "$tmp/old.orig"
head -c $((4 * 1024 * 1024)) /dev/urandom >"$tmp/four.bin"
PREFIX='ulimit -f 1024' start full "$full" --upload
code=$(req "$r" -T "$tmp/four.bin" "$(url full /old.bin)")
check "ulimit -f 1024: 4 MiB PUT over a file: 507" 507 "$code" "$(head -c 200 "$r")"
check "ulimit -f: the old file intact" same "$(same "$tmp/old.orig" "$full/old.bin")"
check "ulimit -f: no .pier-upload-* left" 0 "$(temporaries "$full")"
if kill -0 "${pid[full]}" 2>/dev/null; then
  ok "ulimit -f: server still up"
else
  bad "ulimit -f: server died: $(tail -2 "$tmp/full.err")"
fi
check "ulimit -f: a small PUT still works" 201 "$(req "$r" -T "$tmp/one.txt" "$(url full /small.txt)")"

# kill -9 during a slow upload, then a restart on the same directory.
crash=$tmp/crash
mkdir -p "$crash"
printf 'old content\n' >"$crash/target.bin"
cp "$crash/target.bin" "$tmp/target.orig"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$tmp/ten.bin"
start crash "$crash" --upload
curl -sS --max-time 30 --limit-rate 200k -T "$tmp/ten.bin" -o /dev/null "$(url crash /target.bin)" 2>/dev/null &
slow=$!
sleep 1
# The upload goes to an unnamed file (O_TMPFILE): held open by the server, no name on disk.
check "during the slow upload: an unnamed temporary, nothing named" "1 0" \
  "$(find "/proc/${pid[crash]}/fd" -lname "$crash/#*" 2>/dev/null | wc -l) $(temporaries "$crash")"
kill -9 "${pid[crash]}"
wait "$slow" 2>/dev/null
wait "${job[crash]}" 2>/dev/null # its `timeout`, gone with it
check "kill -9 mid-upload: the target unchanged" same "$(same "$tmp/target.orig" "$crash/target.bin")"
left=$(temporaries "$crash")
echo "     (kill -9 left $left temporary file(s))"
start crash2 "$crash" --upload --hidden
restarted=$(date +%T.%N | cut -c1-12)
if [[ $left -gt 0 ]]; then
  # Never served nor listed, even with --hidden (while it is there).
  name=$(find "$crash" -maxdepth 1 -name '.pier-upload-*' -printf '%f\n' | head -1)
  if [[ -n $name ]]; then
    code=$(req "$r" "$(url crash2 "/$name")")
    if [[ $code == 403 || $code == 404 ]]; then
      ok "GET of a leftover temporary (--hidden): $code"
    else
      bad "GET /$name with --hidden: $code"
    fi
  fi
  code=$(req "$r" "$(url crash2 /)")
  if grep -q 'pier-upload' "$r"; then
    bad "the listing (--hidden) shows a .pier-upload-* temporary"
  else
    ok "the listing (--hidden) shows no .pier-upload-* ($code)"
  fi
fi
for _ in $(seq 50); do [[ $(temporaries "$crash") -eq 0 ]] && break; sleep 0.1; done
check "restart on the same directory: temporaries gone within 5 s" 0 "$(temporaries "$crash")" \
  "server restarted at $restarted; left: $(find "$crash" -maxdepth 1 -name '.pier-upload-*' -printf '%f (%s bytes, modified %TT) ')"
if [[ $(temporaries "$crash") -ne 0 ]]; then
  # Diagnosis only: does a start later than 2 s after the kill remove it?
  sleep 1
  start crash3 "$crash" --upload
  for _ in $(seq 20); do [[ $(temporaries "$crash") -eq 0 ]] && break; sleep 0.1; done
  echo "     (one more start, the temporary now older than 2 s: $(temporaries "$crash") left)"
fi
check "restart: a new PUT works" "204 same" \
  "$(req "$r" -T "$tmp/two.txt" "$(url crash2 /target.bin)") $(same "$tmp/two.txt" "$crash/target.bin")"

# ============ Summary ============
for name in "${!pid[@]}"; do
  [[ $name == crash ]] && continue
  kill -0 "${pid[$name]}" 2>/dev/null || bad "server $name is gone: $(tail -2 "$tmp/$name.err")"
done
echo "upload_peers: $passed ok, $failed failed, $((SECONDS - started)) s"
[[ $failed -eq 0 ]]
