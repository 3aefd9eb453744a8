#!/usr/bin/env bash
# Headless Chromium against `pier serve --upload`: the upload form with and without JavaScript,
# and another origin's page (same site, then another site) trying to write. cdp_upload.py does
# the browser side; this starts pier and the other origin's server, then checks the disk (each
# upload byte-identical, nothing else written) and pier's access log (every write from the
# other origin answered 403). Each check prints ok or FAIL; exit 1 if any failed.
# Chromium missing is a failure, not a skip: scripts/install-deps installs it.
# Usage: browser_upload.sh <pier> <output-dir>   (screenshot: <output-dir>/browser-upload.png)
set -euo pipefail
pier=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
chromium_scratch die
mkdir -p "$tmp/site/sub" "$tmp/files" "$tmp/attacker" "$out"
rm -f "$out/browser-upload.png" # so a stale one cannot pass the check at the end

printf 'hello from the upload test\n' >"$tmp/files/hello.txt"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$tmp/files/big.bin"
printf 'posted without JavaScript\n' >"$tmp/files/nojs.txt"

# Under timeout too: each server goes even if this script is killed before its trap can run.
# The access log (stderr) is kept: it is pier's own word on what it answered.
timeout -k 5 70 "$pier" serve --upload -b 127.0.0.1 0 -d "$tmp/site" >"$tmp/pier.out" 2>"$tmp/pier.log" &
port=$(serving_port "$tmp/pier.out")
[[ -n $port ]] || die "pier did not start: $(cat "$tmp/pier.out" "$tmp/pier.log")"

# The other origin: its page posts forms to pier and fetches pier, by itself, once loaded.
cat >"$tmp/attacker/attack.html" <<EOF
<!doctype html><meta charset="utf-8"><title>another origin</title>
<form id="text" method="post" enctype="multipart/form-data" action="http://127.0.0.1:$port/sub/">
<input name="note" value="evil"></form>
<form id="file" method="post" enctype="multipart/form-data" action="http://127.0.0.1:$port/sub/">
<input type="file" name="files"></form>
<script>
const pier = 'http://127.0.0.1:$port';
async function attempt(url, init) {
  try { const r = await fetch(url, init); return {type: r.type, status: r.status}; }
  catch (e) { return {error: String(e)}; }
}
async function fetches() {
  const data = new FormData();
  data.append('files', new File(['evil'], 'evil-fetch.txt', {type: 'text/plain'}));
  window.results = {
    putNoCors: await attempt(pier + '/evil.txt', {method: 'PUT', body: 'x', mode: 'no-cors'}),
    putCors: await attempt(pier + '/evil-cors.txt', {method: 'PUT', body: 'x'}),
    postFormData: await attempt(pier + '/sub/', {method: 'POST', body: data, mode: 'no-cors'}),
    postText: await attempt(pier + '/evil.txt', {method: 'POST', body: 'x', mode: 'no-cors'}),
  };
}
addEventListener('load', () => setTimeout(async () => {
  const what = location.search.slice(1);
  if (what === 'text') {
    document.getElementById('text').submit();
  } else if (what === 'file') {
    // A script cannot choose a file from the disk, but it can make one and put it on an input.
    const dt = new DataTransfer();
    dt.items.add(new File(['evil'], 'evil-form.txt', {type: 'text/plain'}));
    const form = document.getElementById('file');
    form.querySelector('input').files = dt.files;
    form.submit();
  } else if (what === 'fetch') {
    await fetches();
    window.done = true;
  }
}, 0));
</script>
EOF
timeout -k 5 70 python3 -u -m http.server 0 -b 127.0.0.1 -d "$tmp/attacker" >"$tmp/attacker.out" 2>"$tmp/attacker.log" &
attacker=$(serving_port "$tmp/attacker.out")
[[ -n $attacker ]] || die "the other origin's server did not start: $(cat "$tmp/attacker.out" "$tmp/attacker.log")"

# In the background and waited for, so a TERM from ctest runs the trap at once.
timeout -k 5 55 python3 "$here/cdp_upload.py" "$chromium" "$tmp/profile" \
  "http://127.0.0.1:$port" "$attacker" "$tmp/files" "$out/browser-upload.png" &
status=0
wait $! || status=$?
if [[ $status -ne 0 ]]; then
  failed=1
  echo "FAIL: browser checks (exit $status)"
  echo "--- chromium log (tail)"
  grep -v dbus "$tmp/profile/chromium.log" | tail -n 20 || true
fi

check "screenshot at $out/browser-upload.png" test -s "$out/browser-upload.png"
same() { cmp -s "$tmp/files/$1" "$tmp/site/sub/$1"; }
for f in hello.txt big.bin nojs.txt; do
  check "$f on disk byte-identical ($(sha256sum <"$tmp/files/$f" | cut -c1-16))" same "$f"
done
check "control.txt holds the same-origin PUT's body" test "$(cat "$tmp/site/control.txt" 2>/dev/null)" = control
# Exactly what was uploaded: nothing from the other origin, no temporary left behind.
want=$'control.txt\nsub\nsub/big.bin\nsub/hello.txt\nsub/nojs.txt'
have=$(cd "$tmp/site" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort)
check "nothing else on disk" test "$have" = "$want"
[[ $have == "$want" ]] || echo "  on disk: $(echo $have)"

# pier's access log: the writes it answered, as "METHOD PATH STATUS".
writes=$(sed -n 's/.*"\(POST\|PUT\|DELETE\) \([^ ]*\) HTTP\/1\.1" \([0-9]*\) .*/\1 \2 \3/p' "$tmp/pier.log")
count() { grep -cx "$1" <<<"$writes" || true; }
check "log: one POST /sub/ 201 (the script's upload)" test "$(count 'POST /sub/ 201')" = 1
check "log: one POST /sub/ 303 (the plain form)" test "$(count 'POST /sub/ 303')" = 1
check "log: one PUT /control.txt 201" test "$(count 'PUT /control.txt 201')" = 1
# Per other origin: the text form, the file form and the FormData fetch to /sub/; text to /evil.txt.
check "log: six POST /sub/ 403 (3 from each other origin)" test "$(count 'POST /sub/ 403')" = 6
check "log: two POST /evil.txt 403" test "$(count 'POST /evil.txt 403')" = 2
others=$(grep -vx -e 'POST /sub/ 201' -e 'POST /sub/ 303' -e 'PUT /control.txt 201' \
  -e 'POST /sub/ 403' -e 'POST /evil.txt 403' <<<"$writes" || true)
check "log: no other write answered ($others)" test -z "$others"
echo "  pier saw for the cross-origin PUTs: $(grep -o '"[A-Z]* /evil[^"]*" [0-9]*' "$tmp/pier.log" | grep -v POST | sort | uniq -c | tr -s ' \n' ' ')"

exit $failed
