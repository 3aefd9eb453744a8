#!/usr/bin/env bash
# `pier serve --webdav` against two WebDAV clients nobody here wrote: litmus (the WebDAV
# conformance suite; its basic, copymove and props suites — class 1 — and http (100-continue)
# must pass every test, warnings allowed and listed) and cadaver (a command-line client, scripted through stdin:
# mkcol, put, ls, move, get, delete, each checked on disk or in its answer).
# Usage: webdav_litmus.sh <pier> <output dir>; writes the litmus summary to
# <output dir>/litmus.txt. Loopback only; bounded (under a minute).
set -euo pipefail
pier=$1
outdir=$2
mkdir -p "$outdir"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
scratch
command -v litmus >/dev/null || fail "litmus is not installed"
command -v cadaver >/dev/null || fail "cadaver is not installed"

mkdir -p "$tmp/root/dav" "$tmp/home"
"$pier" serve --webdav -b 127.0.0.1 0 -d "$tmp/root" -q >"$tmp/out" 2>&1 &
port=$(serving_port "$tmp/out")
[[ -n $port ]] || fail "pier did not start: $(cat "$tmp/out")"
url="http://127.0.0.1:$port/dav/"

# litmus. -k: every suite runs even when one fails, so the summary is complete. It writes
# debug.log and child.log where it runs: in the scratch directory.
suites="basic copymove props http" # http: Expect: 100-continue
status=0
(cd "$tmp" && TESTS=$suites timeout 40 litmus -k "$url") >"$tmp/litmus.log" 2>&1 || status=$?
{
  echo "# TESTS=\"$suites\" litmus -k $url"
  echo "# $(litmus --version 2>&1 | head -1), against pier serve --webdav"
  grep -E '^<- summary|^-> [0-9]+ warnings? (was|were) issued' "$tmp/litmus.log" || true
  echo "# warnings:"
  grep -E 'WARNING:' "$tmp/litmus.log" || echo "none"
  echo "# full output:"
  cat "$tmp/litmus.log"
} >"$outdir/litmus.txt"
for suite in $suites; do
  line=$(grep "^<- summary for \`$suite'" "$tmp/litmus.log" || true)
  if ! [[ $line =~ of\ ([0-9]+)\ tests\ run:\ ([0-9]+)\ passed,\ 0\ failed ]] ||
    [[ ${BASH_REMATCH[1]} != "${BASH_REMATCH[2]}" ]]; then
    fail "litmus $suite: ${line:-no summary} (see $outdir/litmus.txt)"
  fi
done
[[ $status == 0 ]] || fail "litmus exited $status (see $outdir/litmus.txt)"

# cadaver, one session. Its ~/.cadaverrc and ~/.netrc are the scratch home's: none.
printf 'hello, cadaver\n' >"$tmp/upload.txt"
HOME="$tmp/home" timeout 15 cadaver "$url" >"$tmp/cadaver.log" 2>&1 <<EOF || fail "cadaver exited $?: $(cat "$tmp/cadaver.log")"
mkcol box
cd box
put $tmp/upload.txt up.txt
ls
move up.txt moved.txt
ls
get moved.txt $tmp/got.txt
delete moved.txt
ls
quit
EOF
grep -q "Creating \`box': succeeded" "$tmp/cadaver.log" || fail "cadaver mkcol: $(cat "$tmp/cadaver.log")"
grep -q "Uploading .* to \`/dav/box/up.txt': .*succeeded" "$tmp/cadaver.log" || fail "cadaver put"
grep -qE '^ +up\.txt +15 ' "$tmp/cadaver.log" || fail "cadaver ls did not list up.txt (15 bytes)"
grep -q "Moving \`/dav/box/up.txt' to \`/dav/box/moved.txt': *succeeded" "$tmp/cadaver.log" ||
  fail "cadaver move"
grep -qE '^ +moved\.txt +15 ' "$tmp/cadaver.log" || fail "cadaver ls did not list moved.txt"
cmp -s "$tmp/upload.txt" "$tmp/got.txt" || fail "cadaver get: not the bytes put"
grep -q "Deleting \`moved.txt': succeeded" "$tmp/cadaver.log" || fail "cadaver delete"
grep -q "collection is empty" "$tmp/cadaver.log" || fail "cadaver ls after delete: not empty"
[[ -d $tmp/root/dav/box && -z $(ls -A "$tmp/root/dav/box") ]] || fail "box/ on disk is not empty"
echo "webdav_litmus: litmus $suites passed; cadaver session passed"
