#!/usr/bin/env bash
# pier serve against nginx on the same generated docroot, in one run (make bench-static).
# Method of PERFORMANCE.md: server pinned to CPU 0, wrk to CPU 1, rounds interleaved, medians
# of per-round figures; the deciding figure is server CPU time per request (utime+stime of
# the server's process tree over the run ÷ requests), since wrk saturates its own core.
# Usage: static_vs_nginx.sh <pier binary> [rounds] [seconds per run]
set -euo pipefail
pier=$1
rounds=${2:-3}
seconds=${3:-5}
nginx_temp_paths=$(cd "$(dirname "$0")" && pwd)/nginx_temp_paths.conf
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [[ -f $work/nginx.pid ]] && kill "$(cat $work/nginx.pid)" 2>/dev/null; rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"
chmod 755 "$work" # nginx workers run as www-data
printf 'Hello, world\n' >"$root/small.txt"                     # 13 bytes
head -c 4096 /dev/urandom >"$root/4k.bin"
head -c 1048576 /dev/urandom >"$root/1m.bin"
chmod -R a+rX "$root"

pier_port=18081
nginx_port=18082
mkdir -p "$work/nginx/logs"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/logs/error.log crit;
events { worker_connections 20000; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    open_file_cache max=1000 inactive=60s;
    types { text/plain txt; application/octet-stream bin; }
    include $nginx_temp_paths;
    server { listen 127.0.0.1:$nginx_port; root $root; }
}
CONF
ulimit -n 65536 2>/dev/null || true
taskset -c 0 nginx -p "$work/nginx" -c "$work/nginx.conf"
taskset -c 0 "$pier" serve $pier_port -b 127.0.0.1 -q --threads 1 -d "$root" >/dev/null 2>&1 &
sleep 1
nginx_pid=$(cat "$work/nginx.pid")
pier_pid=$(pgrep -f "serve $pier_port -b 127.0.0.1" | head -1)

# CPU ticks (utime+stime) of a process and its children (nginx's master + worker).
ticks() {
    local total=0 p t
    for p in $1 $(pgrep -P "$1"); do
        # A child may exit between pgrep and the read: count what is still there.
        t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) || continue
        total=$((total + ${t:-0}))
    done
    echo $total
}

cat >"$work/pipeline.lua" <<'LUA'
init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format(nil, wrk.path) end
  req = table.concat(r)
end
request = function() return req end
LUA

# run <server pid> <port> <wrk args...> → "req/s p99_ms cpu_us_per_req errors"
run() {
    local pid=$1 port=$2
    shift 2
    local before after out
    before=$(ticks "$pid")
    out=$(taskset -c 1 wrk --latency -d "${seconds}s" "$@" "http://127.0.0.1:$port$path" 2>&1)
    after=$(ticks "$pid")
    local rps reqs p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) sub("ms","",v); else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' <<<"$out")
    errors=$(awk '/Non-2xx|Socket errors/ {e=1} END {print e+0}' <<<"$out")
    local hz
    hz=$(getconf CLK_TCK)
    awk -v r="$rps" -v p="$p99" -v t=$((after - before)) -v n="$reqs" -v hz="$hz" -v e="$errors" \
        'BEGIN {printf "%s %s %.2f %d\n", r, p, t * 1e6 / hz / n, e}'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

scenario() { # name path wrk-args...
    local name=$1
    path=$2
    shift 2
    local i
    : >"$work/p" && : >"$work/n"
    for ((i = 0; i < rounds; i++)); do # interleaved: pier, nginx, pier, nginx...
        run "$pier_pid" $pier_port "$@" >>"$work/p"
        run "$nginx_pid" $nginx_port "$@" >>"$work/n"
    done
    local pr pn pp np pc nc pe ne
    pr=$(cut -d' ' -f1 "$work/p" | median); nr=$(cut -d' ' -f1 "$work/n" | median)
    pp=$(cut -d' ' -f2 "$work/p" | median); np=$(cut -d' ' -f2 "$work/n" | median)
    pc=$(cut -d' ' -f3 "$work/p" | median); nc=$(cut -d' ' -f3 "$work/n" | median)
    pe=$(cut -d' ' -f4 "$work/p" | paste -sd+ | bc); ne=$(cut -d' ' -f4 "$work/n" | paste -sd+ | bc)
    printf "| %-28s | %10.0f | %10.0f | %5.2fx | %6.2f | %6.2f | %6.2f | %6.2f | %5.2fx | %s/%s |\n" \
        "$name" "$pr" "$nr" "$(bc -l <<<"$pr/$nr")" "$pp" "$np" "$pc" "$nc" "$(bc -l <<<"$pc/$nc")" "$pe" "$ne"
}

echo "pier serve vs nginx $(nginx -v 2>&1 | sed 's/.*\///'), $rounds interleaved rounds of ${seconds}s, medians"
echo
echo "| scenario | pier req/s | nginx req/s | ratio | pier p99 ms | nginx p99 ms | pier CPU µs/req | nginx CPU µs/req | CPU ratio | runs with errors p/n |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
scenario "13 B, keep-alive, 64 conns" /small.txt -t1 -c64
scenario "4 KiB, keep-alive, 64 conns" /4k.bin -t1 -c64
scenario "1 MiB, keep-alive, 16 conns" /1m.bin -t1 -c16
scenario "13 B, pipelined x16" /small.txt -t1 -c64 -s "$work/pipeline.lua"
scenario "13 B, new connection each" /small.txt -t1 -c64 -H "Connection: close"
scenario "13 B, 1000 conns" /small.txt -t1 -c1000

# Memory per idle keep-alive connection, at 10,000 connections (PERFORMANCE.md: compare at the
# same count). Each connection makes one request, then sits idle while RSS is read.
idle_conns=${IDLE_CONNECTIONS:-10000}
pier_idle=$(python3 "$(dirname "$0")/idle_memory.py" "$pier_pid" $pier_port "$idle_conns")
nginx_idle=$(python3 "$(dirname "$0")/idle_memory.py" "$nginx_pid" $nginx_port "$idle_conns")
echo
echo "| idle keep-alive connections | pier bytes each | nginx bytes each | ratio |"
echo "|---|---:|---:|---:|"
printf "| %d | %d | %d | %.2fx |\n" "$idle_conns" "$pier_idle" "$nginx_idle" "$(bc -l <<<"$pier_idle/$nginx_idle")"
