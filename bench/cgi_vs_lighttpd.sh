#!/usr/bin/env bash
# pier serve --cgi against lighttpd's mod_cgi and Python's http.server --cgi, in one run:
# a hello-world script in sh and a compiled one, wrk at the same concurrency. Spawning the
# script is most of the cost, so the deciding figures are requests per second and the CPU
# per request of the server together with the scripts it reaped (bench/lib.sh
# ticks_reaping). Method of PERFORMANCE.md: servers on CPU 0, wrk on CPU 1, rounds
# interleaved with the order rotating, medians. Loopback only; every run bounded.
# Usage: cgi_vs_lighttpd.sh <pier binary> [rounds] [seconds per run] [connections]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
pier=$(realpath "$1")
rounds=${2:-3}
seconds=${3:-5}
conns=${4:-16}
for tool in wrk lighttpd python3 cc bc taskset curl; do
    command -v "$tool" >/dev/null || { echo "cgi_vs_lighttpd: $tool not installed" >&2; exit 1; }
done

work=$(mktemp -d)
chmod 755 "$work" # Python's server runs scripts as nobody when it is root
cleanup() {
    # shellcheck disable=SC2046 # one word per job
    kill $(jobs -p) 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
site=$work/site
mkdir -p "$site/cgi-bin"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\nhello\\n"\n' >"$site/cgi-bin/hello.sh"
cat >"$work/hello.c" <<'C'
#include <unistd.h>
int main(void) {
    static const char out[] = "Content-Type: text/plain\n\nhello\n";
    return write(1, out, sizeof out - 1) == sizeof out - 1 ? 0 : 1;
}
C
cc -O2 -o "$site/cgi-bin/hello.cgi" "$work/hello.c"
chmod 755 "$site" "$site/cgi-bin" "$site/cgi-bin/hello.sh" "$site/cgi-bin/hello.cgi"

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
declare -A port pid
port[pier]=$(free_port)
port[lighttpd]=$(free_port)
port[python]=$(free_port)
cat >"$work/lighttpd.conf" <<CONF
server.document-root = "$site"
server.bind = "127.0.0.1"
server.port = ${port[lighttpd]}
server.errorlog = "$work/lighttpd.err"
server.max-connections = 1024
server.modules += ("mod_cgi")
\$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = (".sh" => "", ".cgi" => "") }
CONF
limit=$((seconds * rounds * 8 + 120))
taskset -c 0 timeout "$limit" "$pier" serve "${port[pier]}" -b 127.0.0.1 -d "$site" -q --cgi --threads 1 >"$work/pier.log" 2>&1 &
pid[pier]=$!
taskset -c 0 timeout "$limit" lighttpd -D -f "$work/lighttpd.conf" >"$work/lighttpd.log" 2>&1 &
pid[lighttpd]=$!
(cd "$site" && exec taskset -c 0 timeout "$limit" python3 -m http.server --cgi --bind 127.0.0.1 "${port[python]}" >"$work/python.log" 2>&1) &
pid[python]=$!
servers=(pier lighttpd python)
for s in "${servers[@]}"; do
    # `timeout` is the job; the server is its child.
    for _ in $(seq 100); do
        curl -sf --max-time 2 "http://127.0.0.1:${port[$s]}/cgi-bin/hello.cgi" | grep -q hello && break
        sleep 0.1
    done
    curl -sf --max-time 2 "http://127.0.0.1:${port[$s]}/cgi-bin/hello.sh" | grep -q hello ||
        { echo "cgi_vs_lighttpd: $s does not run the scripts" >&2; cat "$work/$s.log" >&2; exit 1; }
    pid[$s]=$(pgrep -P "${pid[$s]}" | head -1)
done

# run <server pid> <port> <path> → "req/s cpu_us_per_req errors"
run() {
    local before after out rps reqs errors hz
    before=$(ticks_reaping "$1")
    out=$(timeout $((seconds + 30)) taskset -c 1 wrk -t1 -c "$conns" -d "${seconds}s" "http://127.0.0.1:$2$3" 2>&1) || true
    after=$(ticks_reaping "$1")
    read -r rps reqs _ errors <<<"$(wrk_figures "$out")"
    hz=$(getconf CLK_TCK)
    awk -v r="$rps" -v t=$((after - before)) -v n="$reqs" -v hz="$hz" -v e="$errors" \
        'BEGIN {printf "%s %.1f %d\n", r, n ? t * 1e6 / hz / n : 0, (n ? e : 1)}'
}

echo "pier serve --cgi vs lighttpd $(lighttpd -v 2>&1 | head -1 | awk '{print $1}') mod_cgi and Python $(python3 -V | awk '{print $2}') --cgi:" \
     "$rounds interleaved rounds of ${seconds}s, wrk -c $conns, medians"
echo
echo "| script | server | req/s | CPU µs/req (server + scripts) | runs with errors |"
echo "|---|---|---:|---:|---|"
declare -A rps cpu
for path in /cgi-bin/hello.sh /cgi-bin/hello.cgi; do
    for s in "${servers[@]}"; do : >"$work/$s.runs"; done
    for ((i = 0; i < rounds; i++)); do
        for ((j = 0; j < ${#servers[@]}; j++)); do
            s=${servers[(i + j) % ${#servers[@]}]}
            run "${pid[$s]}" "${port[$s]}" "$path" >>"$work/$s.runs"
        done
    done
    for s in "${servers[@]}"; do
        rps[$path,$s]=$(cut -d' ' -f1 "$work/$s.runs" | median)
        cpu[$path,$s]=$(cut -d' ' -f2 "$work/$s.runs" | median)
        e=$(cut -d' ' -f3 "$work/$s.runs" | paste -sd+ | bc)
        printf "| %-18s | %-8s | %8.0f | %8.1f | %d/%d |\n" "$path" "$s" "${rps[$path,$s]}" "${cpu[$path,$s]}" "$e" "$rounds"
    done
done
echo
echo "| script | pier / lighttpd req/s | pier / Python req/s | pier / lighttpd CPU per request |"
echo "|---|---:|---:|---:|"
for path in /cgi-bin/hello.sh /cgi-bin/hello.cgi; do
    printf "| %s | %.2fx | %.2fx | %.2fx |\n" "$path" \
        "$(bc -l <<<"${rps[$path,pier]} / ${rps[$path,lighttpd]}")" \
        "$(bc -l <<<"${rps[$path,pier]} / ${rps[$path,python]}")" \
        "$(bc -l <<<"${cpu[$path,pier]} / ${cpu[$path,lighttpd]}")"
done
