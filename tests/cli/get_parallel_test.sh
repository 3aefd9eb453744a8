#!/usr/bin/env bash
# `pier get -Z`: the URLs at once on the event-loop client. Against `pier serve` (200 files,
# the same bytes as `curl -Z` writes) and the scripted server (the transfers overlap: as many
# connections as --parallel-max; -f, -w and the exit code per URL as without -Z; a flag the
# event-loop client lacks runs the URLs one after another, with a warning).
set -euo pipefail
pier=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
scratch

start_get_peer "$tmp"

mkdir -p "$tmp/root" "$tmp/pier" "$tmp/curl"
for i in $(seq 1 200); do head -c $((i * 37)) /dev/urandom >"$tmp/root/f$i.bin"; done
"$pier" serve 0 -b 127.0.0.1 -d "$tmp/root" -q >"$tmp/serve.out" 2>&1 &
port=$(serving_port "$tmp/serve.out")
[[ -n $port ]] || fail "pier serve did not start: $(cat "$tmp/serve.out")"

pier_args=() curl_args=()
for i in $(seq 1 200); do
  pier_args+=(-o "$tmp/pier/f$i.bin" "http://127.0.0.1:$port/f$i.bin")
  curl_args+=(-o "$tmp/curl/f$i.bin" "http://127.0.0.1:$port/f$i.bin")
done
timeout 60 "$pier" get -Z -s "${pier_args[@]}" || fail "-Z of 200 files: exit $?"
diff -r "$tmp/root" "$tmp/pier" >/dev/null || fail "-Z files differ from the served ones"
if command -v curl >/dev/null; then
  timeout 60 curl -Z -s "${curl_args[@]}"
  diff -r "$tmp/curl" "$tmp/pier" >/dev/null || fail "-Z files differ from curl -Z's"
fi

# They overlap: 8 naps on a fresh server count 4 connections with --parallel-max 4, and the
# run needs no more than one new connection per slot; one after another (no -Z) takes one.
before=$(timeout 10 "$pier" get -s "$py/connections")
urls=()
for i in $(seq 1 8); do urls+=("$py/nap/n$i"); done
out=$(timeout 30 "$pier" get -Z --parallel-max 4 -s "${urls[@]}")
[[ $(tr -cd 'n' <<<"$out" | wc -c) == 8 ]] || fail "-Z answers: $out"
after=$(timeout 10 "$pier" get -s "$py/connections")
((after - before - 1 == 4)) || fail "-Z --parallel-max 4 used $((after - before - 1)) connections"

# Per URL as without -Z: -f's 22 and no file, -w per transfer, the last URL's exit code.
rm -f "$tmp/f.out"
set +e
timeout 20 "$pier" get -Z -s -f -o "$tmp/f.out" "$py/status/404" >/dev/null
code=$?
set -e
[[ $code == 22 ]] || fail "-Z -f 404: exit $code"
[[ ! -e $tmp/f.out ]] || fail "-Z -f left an output file"
set +e
w=$(timeout 20 "$pier" get -Z -s -o /dev/null -o /dev/null -w '%{urlnum}:%{http_code} ' "$py/status/201" "$py/status/503")
code=$?
set -e
[[ $code == 0 ]] || fail "-Z exit code $code for the last URL's 503 without -f"
[[ " $w" == *" 0:201 "* && " $w" == *" 1:503 "* ]] || fail "-Z -w: '$w'"

# A flag the event-loop client lacks: the same transfers, one after another, with a warning.
timeout 20 "$pier" get -Z -o "$tmp/c.out" -C - "$py/nap/x" 2>"$tmp/err" >/dev/null || fail "-Z -C"
grep -q 'run one after another' "$tmp/err" || fail "no warning for -Z with -C: $(cat "$tmp/err")"
[[ $(cat "$tmp/c.out") == x ]] || fail "-Z -C output"
echo "get -Z: ok"
