#!/usr/bin/env bash
# Headless Chromium against `pier serve`'s directory listing, with names chosen to break it:
# markup, entities, '%', quotes, '#', '?', non-ASCII, a space in a directory, and a dot-file
# that must stay hidden. cdp_listing.py does the browser side; this starts pier and cleans up.
# Chromium missing is a failure, not a skip: scripts/install-deps installs it.
# Usage: browser_listing.sh <pier> <build-dir>   (screenshots: <build-dir>/browser-listing*.png)
set -euo pipefail
pier=$1
build=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
chromium_scratch fail
mkdir -p "$tmp/site/sub dir"
rm -f "$build"/browser-listing*.png # so a stale one cannot pass the check at the end

names=('<img src=x onerror=alert(1)>.txt' 'a&b.txt' '100% done.txt' 'space name.txt'
       'quote"s.txt' '#hash.txt' '?q.txt' 'ünïcödé.txt' '日本語.txt')
for n in "${names[@]}"; do printf '%s' "$n" >"$tmp/site/$n"; done
printf 'inner.txt' >"$tmp/site/sub dir/inner.txt"
printf 'SECRET=1\n' >"$tmp/site/.env"

# Under timeout too: pier goes even if this script is killed before its trap can run.
timeout -k 5 110 "$pier" serve 0 -b 127.0.0.1 -q -d "$tmp/site" >"$tmp/out" 2>&1 &
port=$(serving_port "$tmp/out")
[[ -n $port ]] || fail "pier did not start: $(cat "$tmp/out")"

# In the background and waited for, so a TERM from ctest runs the trap at once instead of
# after the driver's own (60 s) deadline.
timeout -k 5 90 python3 "$here/cdp_listing.py" "$chromium" "$tmp/profile" \
  "http://127.0.0.1:$port" "$build/browser-listing" "sub dir/" "${names[@]}" &
status=0
wait $! || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- chromium log (tail)" >&2
  # Without the D-Bus noise: a container has no bus, and Chromium says so many times.
  grep -v dbus "$tmp/profile/chromium.log" | tail -n 20 >&2 || true
  fail "browser checks (exit $status)"
fi
[[ -s $build/browser-listing.png ]] || fail "no screenshot at $build/browser-listing.png"
