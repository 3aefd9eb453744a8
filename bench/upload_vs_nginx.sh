#!/usr/bin/env bash
# pier serve --upload against nginx's dav_methods PUT, in one run: PUT of a 1 MiB file (200
# requests, 4 at a time, keep-alive) and of a 100 MiB file (6 requests, one at a time), both
# servers writing into directories of one scratch dir on /tmp's file system (nginx's
# client_body_temp_path there too, so its final step is a rename as pier's is). Figures per
# run: MiB/s (bytes ÷ the client's wall time), server CPU ms per MiB (utime+stime ticks of the
# server's process tree, bench/lib.sh), and peak RSS (VmHWM, reset through clear_refs before
# each run; for nginx the largest worker). Rounds interleaved with the order rotating, medians;
# the ratio column is the median of per-round ratios (PERFORMANCE.md).
# Durability differs and nginx cannot be configured to match: pier fsyncs each file (and its
# directory) before answering, nginx never fsyncs an upload; so pier runs twice, as it is and
# with --no-fsync (nginx's durability). Neither is pinned: each runs one
# event loop / worker per core, as deployed; the client is a small Python script that
# sendfile()s the source from tmpfs, so it costs little CPU.
# After each run every answer must be 201 and the last file byte-identical to the source.
# Usage: upload_vs_nginx.sh <pier binary> [rounds]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
pier=$(realpath "$1")
rounds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
for tool in nginx python3 curl bc cmp; do
    command -v "$tool" >/dev/null || { echo "upload_vs_nginx: $tool not installed" >&2; exit 1; }
done
nginx -V 2>&1 | grep -q http_dav_module ||
    { echo "upload_vs_nginx: this nginx has no http_dav_module (PUT)" >&2; exit 1; }

servers=(pier nosync nginx) # nosync: pier --no-fsync, nginx's durability
declare -A port=() pid=()
work=$(mktemp -d)         # on /tmp's file system: both servers write here
src=$(mktemp -d -p /dev/shm) # the sources, in memory: reading them costs the client no disk
chmod 755 "$work"            # nginx's workers run as nobody
cleanup() {
    stop_servers "$work/nginx/nginx.pid"
    rm -rf "$work" "$src"
}
trap cleanup EXIT

head -c $((1 << 20)) /dev/urandom >"$src/1m.bin"
head -c $((100 << 20)) /dev/urandom >"$src/100m.bin"
mkdir -p "$work/pier" "$work/nginx/logs" "$work/nginx/root"
chmod 777 "$work/nginx/root"

cat >"$work/client.py" <<'PY'
# PUT <n> copies of <file> to http://127.0.0.1:<port>/<prefix><i>, <conc> keep-alive
# connections at once, each body sent with sendfile. Prints "seconds bytes ok_201 failures".
import os, socket, sys, threading, time
port, path, prefix, n, conc = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
size = os.path.getsize(path)
lock = threading.Lock()
state = {"next": 0, "ok": 0, "bad": 0}

def read_response(sock, buf):
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed before the response")
        buf += data
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip().lower() for k, _, v in (l.partition(":") for l in lines[1:])}
    length = int(fields.get("content-length", "0"))
    while len(buf) < length:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed inside the response body")
        buf += data
    return status, fields.get("connection") == "close", buf[length:]

def worker():
    sock, buf = None, b""
    with open(path, "rb") as f:
        while True:
            with lock:
                i = state["next"]
                if i >= n:
                    break
                state["next"] += 1
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    buf = b""
                sock.sendall((f"PUT /{prefix}{i} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              f"Content-Type: application/octet-stream\r\n"
                              f"Content-Length: {size}\r\n\r\n").encode())
                sock.sendfile(f, 0, size)
                status, close, buf = read_response(sock, buf)
                ok = status == 201
            except OSError as e:
                print(f"client: request {i}: {e}", file=sys.stderr)
                ok, close = False, True
            with lock:
                state["ok" if ok else "bad"] += 1
            if close and sock is not None:
                sock.close()
                sock = None
    if sock is not None:
        sock.close()

threads = [threading.Thread(target=worker) for _ in range(conc)]
start = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{time.monotonic() - start:.6f} {size * n} {state['ok']} {state['bad']}")
PY

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
port[pier]=$(free_port)
port[nosync]=$(free_port)
port[nginx]=$(free_port)

# nginx as an operator would set it up for uploads: one worker per core (pier's default too),
# no access log, bodies up to 200 MiB, written to a temporary on the same file system and
# renamed into place by the dav module.
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log error;
events { worker_connections 1024; }
http {
    access_log off;
    tcp_nodelay on;
    keepalive_requests 100000;
    client_max_body_size 200m;
    include $here/nginx_temp_paths.conf;
    server {
        listen 127.0.0.1:${port[nginx]};
        root $work/nginx/root;
        dav_methods PUT;
        dav_access user:rw group:r all:r;
    }
}
CONF

limit=$((rounds * 60 + 60)) # the servers die on their own if this script is killed too hard for its trap
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" ||
    { echo "upload_vs_nginx: nginx did not start (its message is above)" >&2; exit 1; }
timeout "$limit" "$pier" serve --upload -b 127.0.0.1 --allow-anonymous-writes -q "${port[pier]}" \
    -d "$work/pier" >"$work/pier.log" 2>&1 &
pid[pier]=$!
mkdir -p "$work/nosync"
timeout "$limit" "$pier" serve --upload --no-fsync -b 127.0.0.1 --allow-anonymous-writes -q \
    "${port[nosync]}" -d "$work/nosync" >"$work/nosync.log" 2>&1 &
pid[nosync]=$!
declare -A dir=([pier]=$work/pier [nosync]=$work/nosync [nginx]=$work/nginx/root)
for s in "${servers[@]}"; do
    for _ in {1..50}; do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:${port[$s]}/" && break
        sleep 0.1
    done
    if ! curl -sf -o /dev/null --max-time 2 -T "$src/1m.bin" "http://127.0.0.1:${port[$s]}/probe" ||
       ! cmp -s "${dir[$s]}/probe" "$src/1m.bin"; then
        echo "upload_vs_nginx: $s does not accept PUT on 127.0.0.1:${port[$s]}" >&2
        cat "$work/pier.log" "$work/nosync.log" "$work/nginx/logs/error.log" >&2
        exit 1
    fi
    rm -f "${dir[$s]}/probe"
done
pid[pier]=$(pgrep -P "${pid[pier]}" | head -1) # timeout is the job; pier is its child
pid[nosync]=$(pgrep -P "${pid[nosync]}" | head -1)
pid[nginx]=$(cat "$work/nginx/nginx.pid")

# The processes whose peak RSS counts: pier's one, nginx's workers.
measured() { if [[ $1 == nginx ]]; then pgrep -P "${pid[nginx]}"; else echo "${pid[$1]}"; fi; }
peak_kib() {
    local p m best=0
    for p in $(measured "$1"); do
        m=$(awk '/^VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
        ((${m:-0} > best)) && best=$m
    done
    echo "$best"
}

# run <server> <file> <requests> <concurrency> → "MiB/s cpu_ms_per_MiB peak_MiB failures"
hz=$(getconf CLK_TCK)
run() {
    local s=$1 file=$2 n=$3 conc=$4 p before after out
    rm -f "${dir[$s]}"/* && sync # start each run on a clean disk, nobody's writeback pending
    for p in $(measured "$s"); do echo 5 >"/proc/$p/clear_refs"; done # reset VmHWM
    before=$(ticks "${pid[$s]}")
    out=$(timeout 60 python3 "$work/client.py" "${port[$s]}" "$file" up "$n" "$conc") || out="0 0 0 $n"
    after=$(ticks "${pid[$s]}")
    local secs bytes ok bad
    read -r secs bytes ok bad <<<"$out"
    cmp -s "${dir[$s]}/up$((n - 1))" "$file" || bad=$((bad + 1))
    ((ok + bad == n)) || bad=$((n - ok))
    awk -v t=$((after - before)) -v hz="$hz" -v s="$secs" -v b="$bytes" -v m="$(peak_kib "$s")" -v e="$bad" \
        'BEGIN {mib = b / 1048576; printf "%.1f %.3f %.1f %d\n", (s > 0 ? mib / s : 0), (mib ? t * 1000 / hz / mib : 0), m / 1024, e}'
}

declare -A fig=()
names=()
scenario() { # name file requests concurrency
    local name=$1 i j s r
    for s in "${servers[@]}"; do : >"$work/$s.runs"; done
    for ((i = 0; i < rounds; i++)); do
        for ((j = 0; j < ${#servers[@]}; j++)); do
            s=${servers[(i + j) % ${#servers[@]}]}
            run "$s" "$2" "$3" "$4" >>"$work/$s.runs"
        done
    done
    names+=("$name")
    for s in "${servers[@]}"; do
        fig[$name,$s,rate]=$(cut -d' ' -f1 "$work/$s.runs" | median)
        fig[$name,$s,cpu]=$(cut -d' ' -f2 "$work/$s.runs" | median)
        fig[$name,$s,rss]=$(cut -d' ' -f3 "$work/$s.runs" | sort -g | tail -1)
        fig[$name,$s,err]=$(cut -d' ' -f4 "$work/$s.runs" | paste -sd+ | bc)
        while read -r r; do printf "| %-24s | %-5s | %s |\n" "$name" "$s" "${r// / | }"; done <"$work/$s.runs"
    done
    # Per-round ratios pier / nginx (with and without fsync), medians.
    local who
    for who in pier nosync; do
        for i in 1 2; do
            fig[$name,$who,ratio,$i]=$(paste -d' ' "$work/$who.runs" "$work/nginx.runs" |
                awk -v c=$i '{print ($(c + 4) > 0 ? $c / $(c + 4) : 0)}' | median)
        done
    done
}

echo "pier serve --upload vs nginx $(nginx -v 2>&1 | sed 's/.*\///') dav PUT: $rounds interleaved rounds;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| size | server | MiB/s | CPU ms/MiB | peak RSS MiB | failures |"
echo "|---|---|---:|---:|---:|---:|"
scenario "1 MiB x 200, 4 at once" "$src/1m.bin" 200 4
scenario "100 MiB x 6, 1 at once" "$src/100m.bin" 6 1

echo
echo "Medians (peak RSS: the largest). pier fsyncs every file before answering; nginx never does;"
echo "nosync is pier --no-fsync, which answers once the file is renamed into place, as nginx."
echo
echo "| size | server | MiB/s | CPU ms/MiB | peak RSS MiB | runs' failures |"
echo "|---|---|---:|---:|---:|---:|"
for name in "${names[@]}"; do
    for s in "${servers[@]}"; do
        printf "| %-24s | %-12s | %7.1f | %6.3f | %6.1f | %d |\n" "$name" "$s" \
            "${fig[$name,$s,rate]}" "${fig[$name,$s,cpu]}" "${fig[$name,$s,rss]}" "${fig[$name,$s,err]}"
    done
    for who in pier nosync; do
        printf "| %-24s | %-12s | %6.2fx | %5.2fx | %5.2fx | |\n" "$name" "$who / nginx" \
            "${fig[$name,$who,ratio,1]}" "${fig[$name,$who,ratio,2]}" \
            "$(bc -l <<<"${fig[$name,$who,rss]} / ${fig[$name,nginx,rss]}")"
    done
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
