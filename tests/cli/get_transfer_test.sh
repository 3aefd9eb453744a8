#!/usr/bin/env bash
# `pier get`'s transfer flags as a user runs them, against the scripted peer (get_peer.py) and,
# where the two must agree, beside curl: -r, -C (resume), --create-dirs, -J, --fail-with-body,
# -e, -N, --limit-rate, --retry-all-errors/--retry-delay/--retry-max-time, -w's newer
# variables, --help and the curl flags pier get lacks.
set -euo pipefail
pier=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
scratch
# curl_exit ARGS...: curl's exit status for the same arguments (its output to $tmp/curl.*).
curl_exit() {
  local status=0
  timeout 20 curl -s "$@" >"$tmp/curl.out" 2>"$tmp/curl.err" || status=$?
  echo $status
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

mkdir -p "$tmp/site"
head -c 300000 /dev/urandom >"$tmp/site/big.bin"
head -c 204800 /dev/urandom >"$tmp/site/k200.bin"
start_get_peer "$tmp/site"
free_port=$(free_port)
have_curl=$(command -v curl >/dev/null && echo yes || echo no)

# -r sends Range as given; a lone number gets its dash, with curl's warning.
expect_exit 0 -r 0-99 "$py/echo"
grep -q '^Range: bytes=0-99' "$tmp/stdout" || fail "-r: $(cat "$tmp/stdout")"
expect_exit 0 -r 5 "$py/echo"
grep -q '^Range: bytes=5-' "$tmp/stdout" || fail "-r N: $(cat "$tmp/stdout")"
grep -q 'MUST include at least one dash' "$tmp/stderr" || fail "-r N warning"
expect_exit 0 -r 10-19 "$py/ranged/big.bin"
cmp -s "$tmp/stdout" <(tail -c +11 "$tmp/site/big.bin" | head -c 10) || fail "-r 10-19 body"

# -C -: a cut transfer keeps what it got (the user asked to resume), the next one appends the
# rest, and the result is the original.
expect_exit 18 -C - -o "$tmp/resumed" "$py/ranged/big.bin?cut=100000"
[[ $(stat -c %s "$tmp/resumed") -eq 100000 ]] || fail "-C - dropped the bytes of a cut transfer"
expect_exit 18 -v -C - -o "$tmp/resumed" "$py/ranged/big.bin?cut=50000"
grep -q '^> Range: bytes=100000-' "$tmp/stderr" || fail "-C - Range: $(grep '^>' "$tmp/stderr")"
expect_exit 0 -C - -o "$tmp/resumed" -w '%{http_code} %{size_download}' "$py/ranged/big.bin"
[[ $(cat "$tmp/stdout") == "206 150000" ]] || fail "-C - resume: $(cat "$tmp/stdout")"
[[ $(sha "$tmp/resumed") == $(sha "$tmp/site/big.bin") ]] || fail "-C - result differs"
# Complete already: the server answers 416, which is success, the file untouched.
expect_exit 0 -C - -o "$tmp/resumed" -w '%{http_code}' "$py/ranged/big.bin"
[[ $(cat "$tmp/stdout") == 416 && $(sha "$tmp/resumed") == $(sha "$tmp/site/big.bin") ]] ||
  fail "-C - on a complete file: $(cat "$tmp/stdout")"
# A server that ignores Range: exit 33, the file untouched; unless the whole body is exactly
# what the file holds.
head -c 1000 "$tmp/site/big.bin" >"$tmp/part"
expect_exit 33 -C - -o "$tmp/part" "$py/file/big.bin"
grep -q "doesn't seem to support byte ranges" "$tmp/stderr" || fail "-C 33 message"
cmp -s "$tmp/part" <(head -c 1000 "$tmp/site/big.bin") || fail "-C on 200 touched the file"
cp "$tmp/site/big.bin" "$tmp/whole"
expect_exit 0 -C - -o "$tmp/whole" "$py/file/big.bin"
cmp -s "$tmp/whole" "$tmp/site/big.bin" || fail "-C - on a whole file changed it"
# -C OFFSET to stdout; -C - without a file is a plain download (no Range), as in curl.
expect_exit 0 -C 100 "$py/ranged/big.bin"
cmp -s "$tmp/stdout" <(tail -c +101 "$tmp/site/big.bin") || fail "-C 100 to stdout"
expect_exit 0 -C - "$py/echo"
grep -q '^Range' "$tmp/stdout" && fail "-C - to stdout sent a Range"
expect_exit 2 -C - -O -J "$py/echo"
expect_exit 2 -C x "$py/echo"
if [[ $have_curl == yes ]]; then
  head -c 1000 "$tmp/site/big.bin" >"$tmp/part"
  for args in "-C - -o $tmp/part $py/file/big.bin" "-C - -o $tmp/resumed $py/ranged/big.bin" \
              "-C 5 $py/status/404" "-f -C - -o $tmp/resumed $py/ranged/big.bin" \
              "-C - -o $tmp/cut.c $py/ranged/big.bin?cut=10"; do
    # shellcheck disable=SC2086
    want=$(curl_exit $args)
    rm -f "$tmp/cut.c"
    # shellcheck disable=SC2086
    expect_exit "$want" $args
  done
fi

# --create-dirs makes the missing directories (0750 less the umask, as curl).
expect_exit 23 -o "$tmp/made/a/b.txt" "$py/status/200"
expect_exit 0 --create-dirs -o "$tmp/made/a/b.txt" "$py/status/200"
[[ $(cat "$tmp/made/a/b.txt") == "status body" ]] || fail "--create-dirs file"
[[ $(stat -c %a "$tmp/made/a") == 750 ]] || fail "--create-dirs mode $(stat -c %a "$tmp/made/a")"

# -J: the server's file name, reduced to a safe base name, never over an existing file.
disposition() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
mkdir -p "$tmp/j/d"
j_case() { # j_case CONTENT_DISPOSITION EXPECTED_FILE
  rm -rf "$tmp/j/d" && mkdir -p "$tmp/j/d"
  (cd "$tmp/j/d" && timeout 20 "$pier" get -s -O -J "$py/disposition?v=$(disposition "$1")") ||
    fail "-J '$1' failed"
  [[ $(ls -A "$tmp/j/d") == "$2" && $(cat "$tmp/j/d/$2") == disposition ]] ||
    fail "-J '$1' wrote: $(ls -A "$tmp/j/d")"
  [[ $(ls -A "$tmp/j") == d ]] || fail "-J '$1' wrote outside: $(ls -A "$tmp/j")"
}
j_case 'attachment; filename="../../etc/passwd"' passwd
j_case 'attachment; filename="..\..\win.ini"' win.ini
j_case 'attachment; filename=".bashrc"' bashrc
j_case "attachment; filename*=UTF-8''%E2%82%AC%20rates.txt; filename=\"rates.txt\"" '€ rates.txt'
j_case "attachment; filename*=UTF-8''a%00b" disposition
j_case "attachment; filename*=UTF-8''a%1b%5b2Jb" disposition
j_case 'attachment; filename="..."' disposition
j_case 'inline' disposition
rm -rf "$tmp/j/d" && mkdir "$tmp/j/d" && printf 'mine\n' >"$tmp/j/d/taken.txt"
status=0
(cd "$tmp/j/d" && timeout 20 "$pier" get -O -J "$py/disposition?v=$(disposition 'attachment; filename=taken.txt')") 2>"$tmp/stderr" || status=$?
[[ $status -eq 23 ]] || fail "-J over an existing file: exit $status"
grep -q 'Refusing to overwrite taken.txt' "$tmp/stderr" || fail "-J message: $(cat "$tmp/stderr")"
[[ $(cat "$tmp/j/d/taken.txt") == mine && $(ls -A "$tmp/j/d") == taken.txt ]] || fail "-J replaced a file"

# --fail-with-body: exit 22, the body written; with -f it is a usage error (as curl).
expect_exit 22 --fail-with-body "$py/status/404"
[[ $(cat "$tmp/stdout") == "status body" ]] || fail "--fail-with-body body"
expect_exit 22 --fail-with-body -o "$tmp/fwb" "$py/status/500"
[[ $(cat "$tmp/fwb") == "status body" ]] || fail "--fail-with-body -o"
expect_exit 2 -f --fail-with-body "$py/status/404"
if [[ $have_curl == yes ]]; then
  [[ $(curl_exit --fail-with-body "$py/status/404") == 22 && $(curl_exit -f --fail-with-body "$py/status/404") == 2 ]] ||
    fail "curl disagrees on --fail-with-body"
fi

# -e: the Referer of every request; ";auto" makes -L send the URL each redirect came from.
referers() { grep -i '^Referer' "$1" | tr -d '\r' || true; }
expect_exit 0 -L -e http://ref.example/ "$py/to?url=/echo"
[[ $(referers "$tmp/stdout") == "Referer: http://ref.example/" ]] || fail "-e -L"
expect_exit 0 -L -e 'http://ref.example/;auto' "$py/to?url=/to%3Furl%3D/echo"
[[ $(referers "$tmp/stdout") == "Referer: $py/to?url=/echo" ]] || fail "-e ;auto: $(referers "$tmp/stdout")"
expect_exit 0 -e ';auto' "$py/echo"
[[ -z $(referers "$tmp/stdout") ]] || fail "-e ;auto sent a Referer on the first request"
expect_exit 0 -L -e ';auto' "http://u:p@${py#http://}/to?url=/echo#frag"
[[ $(referers "$tmp/stdout") == "Referer: $py/to?url=/echo" ]] || fail "-e ;auto leaked user-info: $(referers "$tmp/stdout")"
if [[ $have_curl == yes ]]; then
  for e in 'http://ref.example/;auto' ';auto' 'http://ref.example/'; do
    curl -s -L -e "$e" "$py/to?url=/to%3Furl%3D/echo" >"$tmp/curl.out"
    expect_exit 0 -L -e "$e" "$py/to?url=/to%3Furl%3D/echo"
    [[ $(referers "$tmp/stdout") == $(referers "$tmp/curl.out") ]] || fail "-e '$e' differs from curl"
  done
fi

# -N: what arrives is written at once, not when a buffer fills (/stall sends ten bytes of a
# hundred, then waits). Without it the ten bytes wait in the buffer.
for n in yes no; do
  flag=() && [[ $n == yes ]] && flag=(-N)
  timeout 20 "$pier" get -s "${flag[@]}" "$py/stall" >"$tmp/nobuf" &
  pid=$!
  for _ in $(seq 30); do [[ -s $tmp/nobuf ]] && break; sleep 0.05; done
  [[ $n == no ]] && sleep 0.5
  size=$(stat -c %s "$tmp/nobuf")
  kill $pid && wait $pid 2>/dev/null || true
  if [[ $n == yes ]]; then [[ $size -eq 10 ]] || fail "-N wrote $size bytes"; fi
  if [[ $n == no ]]; then [[ $size -eq 0 ]] || fail "without -N, $size bytes (the check above proves nothing)"; fi
done

# --limit-rate: 200 KiB at 100 KiB/s takes over 1.5 s (no upper bound: a busy machine is slow).
start=$(date +%s%N)
expect_exit 0 --limit-rate 100k -o "$tmp/limited" "$py/file/k200.bin"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[[ $elapsed_ms -ge 1500 ]] || fail "--limit-rate 100k: 200 KiB in $elapsed_ms ms"
cmp -s "$tmp/limited" "$tmp/site/k200.bin" || fail "--limit-rate body"
for bad in 1.5k 10x -5 1T; do
  expect_exit 2 --limit-rate "$bad" "$py/echo"
  if [[ $have_curl == yes ]]; then [[ $(curl_exit --limit-rate "$bad" "$py/echo") == 2 ]] || fail "curl takes --limit-rate $bad"; fi
done

# --retry-all-errors retries what --retry alone does not (a 404 with -f); --retry-delay fixes
# the wait; --retry-max-time stops retrying.
expect_exit 22 --retry 1 -f "$py/status/404"
grep -q 'Will retry' "$tmp/stderr" && fail "--retry retried a 404"
expect_exit 22 --retry 2 --retry-all-errors --retry-delay 1 -f "$py/status/404"
[[ $(grep -c 'Will retry in 1 second\.' "$tmp/stderr") -eq 2 ]] || fail "--retry-delay: $(cat "$tmp/stderr")"
[[ $(grep -c '^pier: (22)' "$tmp/stderr") -eq 3 ]] || fail "--retry-all-errors attempts: $(cat "$tmp/stderr")"
expect_exit 7 --retry 5 --retry-all-errors --retry-delay 1 --retry-max-time 2 "http://127.0.0.1:$free_port/"
[[ $(grep -c '^pier: (7)' "$tmp/stderr") -eq 2 ]] || fail "--retry-max-time attempts: $(cat "$tmp/stderr")"
expect_exit 2 --retry-delay -1 "$py/echo"

# -w: the newer variables, shaped as curl prints them.
expect_exit 0 -o /dev/null -w '%{time_connect} %{time_starttransfer} %{speed_download} %{remote_port} %{method} %{http_version} %{scheme} %{urlnum}' "$py/file/k200.bin"
[[ $(cat "$tmp/stdout") =~ ^[0-9]+\.[0-9]{6}\ [0-9]+\.[0-9]{6}\ [1-9][0-9]*\ [1-9][0-9]*\ GET\ 1\.1\ HTTP\ 0$ ]] ||
  fail "-w variables: $(cat "$tmp/stdout")"
if [[ $have_curl == yes ]]; then
  # Each of pier's %{json} keys is one of curl's, and agrees with it where both know the value.
  compare_json() { # compare_json ARGS...: pier's %{json} against curl's for the same arguments
    timeout 20 curl -s -o /dev/null -w '%{json}' "$@" >"$tmp/curl.json" || true
    timeout 20 "$pier" get -s -o /dev/null -w '%{json}' "$@" >"$tmp/pier.json" || true
    python3 - "$tmp/curl.json" "$tmp/pier.json" <<'PY' || fail "%{json} differs from curl's for $*"
import json, sys
curl, pier = (json.load(open(p)) for p in sys.argv[1:])
unknown = set(pier) - set(curl)
# Timings and the local port differ by nature; the peer's address must agree.
skip = {"time_appconnect", "time_connect", "time_pretransfer", "time_starttransfer",
        "time_total", "speed_download", "local_port", "errormsg"}
wrong = {k: (curl[k], pier[k]) for k in set(pier) & set(curl) - skip if curl[k] != pier[k]}
if unknown or wrong or list(pier) != sorted(pier):
    sys.exit(f"keys not curl's: {unknown}; differing: {wrong}; order: {list(pier)}")
PY
  }
  compare_json "$py/headers"
  compare_json -A probe -L -e 'x;auto' -d a=1 "$py/to?url=/echo&code=303"
  compare_json "http://127.0.0.1:$free_port/"
  # %{header_json}: one name a line, lower case, every value in order (the Date may tick).
  curl -s -o /dev/null -w '%{header_json}' "$py/setcookies" >"$tmp/curl.hj"
  expect_exit 0 -o /dev/null -w '%{header_json}' "$py/setcookies"
  diff <(grep -v '^"date"' "$tmp/curl.hj") <(grep -v '^"date"' "$tmp/stdout") || fail "%{header_json} differs from curl's"
fi
expect_exit 0 -o /dev/null -w '%{header_json}' "$py/headers"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["x-multi"] == ["one", "two \"quoted\" \\ back"], d' "$tmp/stdout" ||
  fail "%{header_json}: $(cat "$tmp/stdout")"

# --help lists the flags; an unknown flag says whether it is curl's.
"$pier" get --help >"$tmp/help"
for flag in --range --continue-at --create-dirs --remote-header-name --fail-with-body --referer \
            --no-buffer --limit-rate --retry-all-errors --retry-delay --retry-max-time; do
  grep -q -- "$flag" "$tmp/help" || fail "--help lacks $flag"
done
# No flag pier get has is in the table of curl's flags it lacks.
table=$here/../../src/cli/get_curl_options.cpp
for flag in $(grep -oE -- '--[a-z0-9.-]+' "$tmp/help" | sort -u); do
  grep -q "^    \"${flag#--}\",$" "$table" && fail "$flag is supported but listed as missing"
done
expect_exit 2 --alt-svc x "$py/echo"
grep -q -- '--alt-svc is a curl option pier get does not support yet' "$tmp/stderr" || fail "curl flag: $(cat "$tmp/stderr")"
expect_exit 2 -P x "$py/echo"
grep -q -- '-P is a curl option' "$tmp/stderr" || fail "curl short flag: $(cat "$tmp/stderr")"
expect_exit 2 --no-such-flag "$py/echo"
grep -q 'curl option' "$tmp/stderr" && fail "--no-such-flag called a curl option"
grep -q -- '--no-such-flag' "$tmp/stderr" || fail "unknown flag message: $(cat "$tmp/stderr")"
echo "pier get transfer flags: ok"
