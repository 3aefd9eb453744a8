#!/usr/bin/env bash
# `pier get -Z` vs `curl -Z`: 1,000 small files from one nginx on loopback, both clients with
# the same argument list (-o FILE URL, 1,000 times) and the same parallelism, rounds
# alternating. nginx on CPU 0, the client on CPU 1. Reports wall time (transfers per second)
# and the client's CPU (user + system) per transfer, medians over the rounds.
# Usage: parallel_vs_curl.sh <pier binary> [rounds] [files] [parallel]
set -euo pipefail
pier=$(realpath "$1")
rounds=${2:-11}
files=${3:-1000}
parallel=${4:-50}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap '[[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/root" "$work/nginx/logs" "$work/out"
for i in $(seq 1 "$files"); do printf 'file %d\n' "$i" >"$work/root/f$i.txt"; done
chmod -R a+rX "$work/root"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/logs/error.log crit;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 10000000;
    open_file_cache max=2000 inactive=60s;
    types { text/plain txt; }
    include $here/nginx_temp_paths.conf;
    server { listen 127.0.0.1:$port; root $work/root; }
}
CONF
pin_server=() pin_client=()
if [[ $(nproc) -ge 2 ]]; then pin_server=(taskset -c 0); pin_client=(taskset -c 1); fi
"${pin_server[@]}" nginx -p "$work/nginx" -c "$work/nginx.conf"
sleep 0.5
args=() null_args=()
for i in $(seq 1 "$files"); do
    args+=(-o "$work/out/f$i" "http://127.0.0.1:$port/f$i.txt")
    null_args+=(-o /dev/null "http://127.0.0.1:$port/f$i.txt")
done

# One run: prints "seconds cpu_seconds" for the client (bash's time: milliseconds). `kind`:
# files (each body to its own file, checked) or null (every body to /dev/null: the HTTP side
# alone, without the file system's cost of 1,000 new files).
run() {
    local kind=$1
    shift
    rm -f "$work/out"/*
    local TIMEFORMAT='%3R %3U %3S'
    { time timeout 120 "${pin_client[@]}" "$@" >/dev/null 2>/dev/null; } 2>"$work/time"
    local got
    got=$(find "$work/out" -type f | wc -l)
    if [[ $kind == files && $got -ne $files ]]; then
        echo "FAIL: $1 wrote $got of $files files" >&2
        exit 1
    fi
    awk '{print $1, $2 + $3}' "$work/time"
}

for kind in files null; do : >"$work/pier.$kind" >"$work/curl.$kind"; done
for _ in $(seq 1 "$rounds"); do
    run files "$pier" get -s -Z --parallel-max "$parallel" "${args[@]}" >>"$work/pier.files"
    run files curl -s -Z --parallel-max "$parallel" "${args[@]}" >>"$work/curl.files"
    run null "$pier" get -s -Z --parallel-max "$parallel" "${null_args[@]}" >>"$work/pier.null"
    run null curl -s -Z --parallel-max "$parallel" "${null_args[@]}" >>"$work/curl.null"
done
rate() { awk -v n="$files" '{print n / $1}' "$1" | median; }
cpu() { awk -v n="$files" '{print $2 * 1e6 / n}' "$1" | median; }
echo "== pier get -Z vs curl -Z: $files small files, --parallel-max $parallel, $rounds rounds (medians)"
printf '%-44s %10s %10s %10s\n' "" "pier" "curl" "pier/curl"
for kind in files null; do
    label=$([[ $kind == files ]] && echo "into $files files" || echo "into /dev/null")
    pr=$(rate "$work/pier.$kind") cr=$(rate "$work/curl.$kind")
    pc=$(cpu "$work/pier.$kind") cc=$(cpu "$work/curl.$kind")
    printf '%-44s %10.0f %10.0f %9.2fx\n' "transfers per second, $label" "$pr" "$cr" "$(echo "$pr / $cr" | bc -l)"
    printf '%-44s %10.1f %10.1f %9.2fx\n' "client CPU us per transfer, $label" "$pc" "$cc" "$(echo "$pc / $cc" | bc -l)"
done
