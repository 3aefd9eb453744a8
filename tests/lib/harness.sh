# shellcheck shell=bash
# Shared by the shell tests in tests/cli and tests/interop (sourced, after `set -euo pipefail`
# or `set -uo pipefail`): the scratch directory and what is stopped when the script exits,
# loopback ports, servers waited for, and how a check reports. Only what several scripts had
# word for word is here; each script keeps its own checks.
# What is set here ($tmp, $failed, $py, ...) is read by the scripts that source it.
# shellcheck disable=SC2034

harness_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Every server these scripts talk to is on loopback: the environment's proxies would take the
# requests elsewhere.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

# fail MESSAGE: stops the script, the message on stderr.
fail() { echo "FAIL: $*" >&2; exit 1; }
# die MESSAGE: the same on stdout, for the scripts whose checks print ok/FAIL lines there.
die() { echo "FAIL: $*"; exit 1; }

# check WHAT COMMAND...: runs the command and prints "ok: WHAT" or "FAIL: WHAT"; a failure sets
# failed=1 and the checks go on (the script exits 1 at its end if $failed).
failed=0
check() {
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failed=1; fi
}

# --- The scratch directory and what goes with it at exit.
exit_pids=() exit_groups=() scratch_wait=0
# scratch [--wait] [TEMPLATE]: $tmp, a new directory (mktemp -d [TEMPLATE]), removed at exit
# after the script's background jobs are sent TERM. --wait: the jobs are waited for before
# the directory goes (they run under `timeout`, which passes the signal on to its server, so
# nothing is left writing into it), and INT or TERM (ctest's timeout) exits 1, which runs the
# same cleanup at once.
scratch() {
  if [[ ${1:-} == --wait ]]; then
    scratch_wait=1
    shift
  fi
  tmp=$(mktemp -d "$@") || exit 2
  trap scratch_cleanup EXIT
  if ((scratch_wait)); then trap 'exit 1' INT TERM; fi
}
# kill_at_exit PIDFILE: at exit, before the jobs, TERM to the pid the file holds by then: a
# daemon that left the script's jobs (nginx).
kill_at_exit() { exit_pids+=("$1"); }
# kill_group_at_exit PIDFILE: at exit, KILL to the process group the file names: what a driver
# started in a session of its own (Chromium) and stops itself, for when the driver was killed
# first.
kill_group_at_exit() { exit_groups+=("$1"); }
scratch_cleanup() {
  local f
  for f in ${exit_groups[@]+"${exit_groups[@]}"}; do
    if [[ -s $f ]]; then kill -9 -- -"$(cat "$f")" 2>/dev/null || true; fi
  done
  for f in ${exit_pids[@]+"${exit_pids[@]}"}; do
    if [[ -f $f ]]; then kill "$(cat "$f")" 2>/dev/null || true; fi
  done
  # shellcheck disable=SC2046 # one word per job
  kill $(jobs -p) 2>/dev/null || true
  if ((scratch_wait)); then wait 2>/dev/null || true; fi
  rm -rf "$tmp"
}

# need_chromium REPORT: $chromium, the browser's path. Missing is a failure, not a skip
# (scripts/install-deps installs it), said by REPORT: fail or die.
need_chromium() {
  chromium=$(command -v chromium || command -v chromium-browser || true)
  [[ -n $chromium ]] || "$1" "chromium not installed (run scripts/install-deps)"
}
# chromium_scratch REPORT: need_chromium, then `scratch --wait` with $tmp/profile for a
# cdp_*.py driver, which leaves the browser's process group in profile/chromium.pid.
chromium_scratch() {
  need_chromium "$1"
  scratch --wait
  mkdir -p "$tmp/profile"
  kill_group_at_exit "$tmp/profile/chromium.pid"
}

# --- Ports and servers.
# free_port: a loopback port nothing listens on now, for a server that cannot report the one
# it bound (nginx, openssl s_server).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_port PORT: returns once something accepts on 127.0.0.1:PORT; fails after 5 s.
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; fail "nothing on port $1"; }
# serving_port FILE: the port in `pier serve`'s start-up line, once FILE (its stdout) has it;
# nothing if it has not come within 5 s.
serving_port() {
  local port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$1" 2>/dev/null)
    [[ -n $port ]] && break
    sleep 0.05
  done
  echo "$port"
}
# start_nginx: nginx in the background, with what stdin gives inside the http block of a
# configuration that has the rest: one worker, no access log, its pid and temporary files in
# $tmp/nginx (bench/nginx_temp_paths.conf). It is stopped at exit; the caller waits for its
# ports.
start_nginx() {
  chmod 755 "$tmp" # nginx workers may run as www-data
  mkdir -p "$tmp/nginx/logs"
  {
    cat <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx/logs/error.log crit;
events { worker_connections 64; }
http {
    access_log off;
    include $harness_dir/../../bench/nginx_temp_paths.conf;
CONF
    cat
    echo "}"
  } >"$tmp/nginx.conf"
  kill_at_exit "$tmp/nginx.pid"
  nginx -p "$tmp/nginx" -c "$tmp/nginx.conf"
}
# start_get_peer DIR: tests/cli/get_peer.py in the background, serving DIR's files; sets
# peer_port and py, its base URL.
start_get_peer() {
  python3 "$harness_dir/../cli/get_peer.py" "$1" >"$tmp/peer.port" &
  for _ in $(seq 100); do [[ -s $tmp/peer.port ]] && break; sleep 0.05; done
  peer_port=$(cat "$tmp/peer.port")
  py=http://127.0.0.1:$peer_port
}

# expect_exit CODE ARGS...: runs `$pier get ARGS` with a 20 s bound, its output in $tmp/stdout
# and $tmp/stderr, its stdin the file $stdin names (/dev/null by default), and fails unless it
# exits CODE. $pier is the script's.
# shellcheck disable=SC2154
expect_exit() {
  local want=$1 status=0
  shift
  timeout 20 "$pier" get "$@" >"$tmp/stdout" 2>"$tmp/stderr" <"${stdin:-/dev/null}" || status=$?
  [[ $status -eq $want ]] || fail "pier get $* exited $status, not $want: $(cat "$tmp/stderr")"
}
