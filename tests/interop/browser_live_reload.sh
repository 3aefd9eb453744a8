#!/usr/bin/env bash
# Headless Chromium against `pier serve --live-reload`: a page reloads by itself after an edit,
# and after pier is restarted on the same port (its script reconnects). cdp_live_reload.py runs
# pier and the browser; this prepares the directories and cleans up whatever is left.
# Chromium missing is a failure, not a skip: scripts/install-deps installs it.
# Usage: browser_live_reload.sh <pier> <output-dir>
set -euo pipefail
pier=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"
chromium_scratch die
# The driver runs pier in a process group of its own as well.
kill_group_at_exit "$tmp/profile/pier.pid"
mkdir -p "$tmp/site" "$out"

# In the background and waited for, so a TERM from ctest runs the trap at once.
timeout -k 5 100 python3 "$here/cdp_live_reload.py" "$chromium" "$tmp/profile" "$pier" \
  "$tmp/site" "$tmp/pier.log" &
status=0
wait $! || status=$?
if [[ $status -ne 0 ]]; then
  echo "FAIL: browser checks (exit $status)"
  echo "--- pier log (tail)"
  tail -n 20 "$tmp/pier.log" 2>/dev/null || true
  echo "--- chromium log (tail)"
  grep -v dbus "$tmp/profile/chromium.log" | tail -n 20 || true
  exit 1
fi
# pier's access log: the page was fetched three times (load, reload, reload after the restart)
# and the socket opened as often, each answered 101.
pages=$(grep -c '"GET /index.html HTTP/1.1" 200 ' "$tmp/pier.log" || true)
sockets=$(grep -c '"GET /.pier/live-reload HTTP/1.1" 101 ' "$tmp/pier.log" || true)
echo "  pier's log: $pages page loads, $sockets live-reload sockets"
[[ $pages -ge 3 && $sockets -ge 3 ]] || die "pier's access log does not show 3 loads and 3 sockets"
echo "ok: live reload in Chromium"
