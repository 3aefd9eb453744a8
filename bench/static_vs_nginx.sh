#!/usr/bin/env bash
# pier serve against nginx, h2o and lighttpd on the same generated docroot, in one run (make
# bench). Method of PERFORMANCE.md: servers pinned to CPU 0, wrk to CPU 1, rounds interleaved,
# medians of per-round figures; the deciding figure is server CPU time per request
# (utime+stime of the server's process tree over the run ÷ requests), since wrk saturates its
# own core. Only figures taken in one run compare, hence all four servers in every scenario.
# Usage: static_vs_nginx.sh <pier binary> [rounds] [seconds per run]
# The figures' tables are read by summary() through a nameref, which shellcheck does not follow.
# shellcheck disable=SC2034
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
pier=$1
rounds=${2:-3}
seconds=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)

for tool in wrk nginx h2o lighttpd curl bc taskset; do
    command -v "$tool" >/dev/null || { echo "static_vs_nginx: $tool is missing (scripts/install-deps installs it)" >&2; exit 1; }
done

servers=(pier nginx h2o lighttpd)
peers=(nginx h2o lighttpd)
declare -A port=([pier]=18081 [nginx]=18082 [h2o]=18083 [lighttpd]=18084)
declare -A pid=()

work=$(mktemp -d)
# Every server is stopped on any exit, including a failed start or Ctrl-C.
cleanup() {
    stop_servers "$work/nginx.pid"
    rm -rf "$work"
}
trap cleanup EXIT
root=$work/root
mkdir -p "$root"
chmod 755 "$work" # nginx's workers and h2o (started as root) run as other users
printf 'Hello, world\n' >"$root/small.txt"                     # 13 bytes
head -c 4096 /dev/urandom >"$root/4k.bin"
head -c 1048576 /dev/urandom >"$root/1m.bin"
chmod -R a+rX "$root"

# Each peer is configured as a fair operator would for static files: one worker on CPU 0, no
# access log, keep-alive without a request limit, sendfile and its open-file/stat cache on
# where the server has them.
mkdir -p "$work/nginx/logs"
nginx_conf "$work/nginx" <<CONF
    server { listen 127.0.0.1:${port[nginx]}; root $root; }
CONF

# h2o 2.2: no access-log directive means no access log; it has no per-connection request
# limit, only the idle timeout; it never uses sendfile (it reads files into its buffers) and
# keeps its per-thread file-descriptor cache on with no directive to tune it. Started as root
# it drops to nobody, which is why there is no pid-file (it is opened after the switch): the
# process is a job of this script instead. max-connections covers the idle-memory run.
cat >"$work/h2o.conf" <<CONF
num-threads: 1
max-connections: 20000
http1-request-timeout: 3600
error-log: $work/h2o.log
listen:
  host: 127.0.0.1
  port: ${port[h2o]}
hosts:
  default:
    paths:
      /:
        file.dir: $root
CONF

# lighttpd 1.4: max-worker 0 is one process, no forks; mod_accesslog is not loaded, so no
# access log. max-keep-alive-requests is an unsigned short (65537 means 1), so 65535 is the
# largest limit: more than any connection makes in one run here. The inotify stat cache is
# lighttpd's longest-lived one and the same mechanism as pier's file cache.
cat >"$work/lighttpd.conf" <<CONF
server.document-root = "$root"
server.bind = "127.0.0.1"
server.port = ${port[lighttpd]}
server.errorlog = "$work/lighttpd.log"
server.max-worker = 0
server.max-keep-alive-requests = 65535
server.max-keep-alive-idle = 3600
server.network-backend = "sendfile"
server.stat-cache-engine = "inotify"
server.event-handler = "linux-sysepoll"
server.max-fds = 65536
server.max-connections = 20000
mimetype.assign = (".txt" => "text/plain", ".bin" => "application/octet-stream")
CONF

answers() { curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$1/small.txt"; }

# A port that answers before its server starts belongs to something else (a leftover run):
# measuring it would report the wrong server's figures.
for s in "${servers[@]}"; do
    if answers "${port[$s]}"; then
        echo "static_vs_nginx: port ${port[$s]} (for $s) already answers; stop whatever holds it" >&2
        exit 1
    fi
done

ulimit -n 65536 2>/dev/null || true
if ! taskset -c 0 nginx -p "$work/nginx" -c "$work/nginx.conf"; then
    echo "static_vs_nginx: nginx did not start (its message is above)" >&2
    exit 1
fi
# taskset execs the server, so $! is the server's own pid.
taskset -c 0 "$pier" serve "${port[pier]}" -b 127.0.0.1 -q --threads 1 -d "$root" >"$work/pier.log" 2>&1 &
pid[pier]=$!
taskset -c 0 h2o -c "$work/h2o.conf" >>"$work/h2o.log" 2>&1 &
pid[h2o]=$!
taskset -c 0 lighttpd -D -f "$work/lighttpd.conf" >>"$work/lighttpd.log" 2>&1 &
pid[lighttpd]=$!

# Refuse to run with a peer missing: a table with a hole would read as a comparison it is not.
# Each server must serve the docroot's files byte for byte within 5 s.
log_of() { case $1 in nginx) echo "$work/nginx/logs/error.log" ;; *) echo "$work/$1.log" ;; esac; }
for s in "${servers[@]}"; do
    for ((i = 0; i < 50; i++)); do
        answers "${port[$s]}" && break
        sleep 0.1
    done
    if ! answers "${port[$s]}" ||
       ! curl -sf --max-time 2 "http://127.0.0.1:${port[$s]}/4k.bin" | cmp -s - "$root/4k.bin"; then
        echo "static_vs_nginx: $s did not start serving on 127.0.0.1:${port[$s]}; its log:" >&2
        tail -n 20 "$(log_of "$s")" >&2 2>/dev/null || true
        exit 1
    fi
done
pid[nginx]=$(cat "$work/nginx.pid")

# run <server pid> <port> <wrk args...> → "req/s p99_ms cpu_us_per_req errors"
run() {
    local server_pid=$1 server_port=$2
    shift 2
    local before after out
    before=$(ticks "$server_pid")
    # wrk's own -d bounds the run; timeout only catches a wrk that hangs. A failed wrk run
    # reports no requests, which counts as a run with errors rather than ending the script.
    out=$(timeout $((seconds + 30)) taskset -c 1 wrk --latency -d "${seconds}s" "$@" "http://127.0.0.1:$server_port$path" 2>&1) || true
    after=$(ticks "$server_pid")
    local rps reqs p99 errors
    read -r rps reqs p99 errors <<<"$(wrk_figures "$out")"
    local hz
    hz=$(getconf CLK_TCK)
    awk -v r="$rps" -v p="$p99" -v t=$((after - before)) -v n="$reqs" -v hz="$hz" -v e="$errors" \
        'BEGIN {printf "%s %s %.2f %d\n", r, p, n ? t * 1e6 / hz / n : 0, (n ? e : 1)}'
}

# Per-scenario medians, kept for the summaries: rps[scenario,server], cpu[...].
declare -A rps=() cpu=()
names=()

scenario() { # name path wrk-args...
    local name=$1
    path=$2
    shift 2
    local i j s n=${#servers[@]}
    for s in "${servers[@]}"; do : >"$work/$s.runs"; done
    for ((i = 0; i < rounds; i++)); do
        # Interleaved, and the order rotates each round, so no server always runs right after
        # the same neighbour (the machine's noise drifts within a round).
        for ((j = 0; j < n; j++)); do
            s=${servers[(i + j) % n]}
            run "${pid[$s]}" "${port[$s]}" "$@" >>"$work/$s.runs"
        done
    done
    names+=("$name")
    local r p c e
    for s in "${servers[@]}"; do
        r=$(cut -d' ' -f1 "$work/$s.runs" | median)
        p=$(cut -d' ' -f2 "$work/$s.runs" | median)
        c=$(cut -d' ' -f3 "$work/$s.runs" | median)
        e=$(cut -d' ' -f4 "$work/$s.runs" | paste -sd+ | bc)
        rps[$name,$s]=$r
        cpu[$name,$s]=$c
        printf "| %-28s | %-8s | %10.0f | %7.2f | %7.2f | %d/%d |\n" "$name" "$s" "$r" "$p" "$c" "$e" "$rounds"
    done
}

version() {
    case $1 in
    nginx) nginx -v 2>&1 | sed 's/.*\///' ;;
    h2o) h2o --version | awk 'NR == 1 {print $3}' ;;
    lighttpd) lighttpd -v | sed -n 's/^lighttpd\/\([^ ]*\).*/\1/p' ;;
    esac
}
echo "pier serve vs nginx $(version nginx), h2o $(version h2o), lighttpd $(version lighttpd):" \
     "$rounds interleaved rounds of ${seconds}s, medians"
echo
echo "| scenario | server | req/s | p99 ms | CPU µs/req | runs with errors |"
echo "|---|---|---:|---:|---:|---|"
scenario "13 B, keep-alive, 64 conns" /small.txt -t1 -c64
scenario "4 KiB, keep-alive, 64 conns" /4k.bin -t1 -c64
scenario "1 MiB, keep-alive, 16 conns" /1m.bin -t1 -c16
scenario "13 B, pipelined x16" /small.txt -t1 -c64 -s "$here/pipeline16.lua"
scenario "13 B, new connection each" /small.txt -t1 -c64 -H "Connection: close"
scenario "13 B, 1000 conns" /small.txt -t1 -c1000

echo
echo "Server CPU µs per request (lower is better; the deciding figure):"
echo
summary cpu min "%6.2f" names 28
echo
echo "Requests per second (higher is better; wrk-bound except pipelined):"
echo
summary rps max "%8.0f" names 28

# Memory per idle keep-alive connection, at 10,000 connections (PERFORMANCE.md: compare at the
# same count). Each connection makes one request, then sits idle while RSS is read.
idle_conns=${IDLE_CONNECTIONS:-10000}
declare -A idle=()
for s in "${servers[@]}"; do
    idle[$s]=$(python3 "$here/idle_memory.py" "${pid[$s]}" "${port[$s]}" "$idle_conns")
done
names=("$idle_conns idle keep-alive conns")
declare -A idle_table=()
for s in "${servers[@]}"; do idle_table[${names[0]},$s]=${idle[$s]}; done
echo
echo "Bytes per idle keep-alive connection (lower is better):"
echo
summary idle_table min "%6.0f" names 28
