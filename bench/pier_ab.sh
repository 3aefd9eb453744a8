#!/usr/bin/env bash
# Two pier binaries side by side (before / after a change to the server's core), by the method
# of PERFORMANCE.md: both servers pinned to CPU 0, wrk to CPU 1, rounds interleaved with the
# order alternating, medians of per-round figures; the deciding figure is server CPU µs per
# request (utime+stime ÷ requests), since wrk saturates its own core.
# Usage: pier_ab.sh <pier A> <pier B> [rounds] [seconds per run]
set -euo pipefail
a=$1
b=$2
rounds=${3:-5}
seconds=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"
printf 'Hello, world\n' >"$root/small.txt"
head -c 1048576 /dev/urandom >"$root/1m.bin"
declare -A port=([A]=18091 [B]=18092) bin=([A]=$a [B]=$b) pid=()
for s in A B; do
    taskset -c 0 "${bin[$s]}" serve "${port[$s]}" -b 127.0.0.1 -q --threads 1 -d "$root" \
        >"$work/$s.log" 2>&1 &
    pid[$s]=$!
done
for s in A B; do
    for ((i = 0; i < 50; i++)); do
        curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:${port[$s]}/small.txt" && break
        sleep 0.1
    done
    curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:${port[$s]}/small.txt" ||
        { echo "pier_ab: server $s (${bin[$s]}) did not start" >&2; exit 1; }
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# run <server> <path> <wrk args...> → "cpu_us_per_req req_per_s"
run() {
    local s=$1 path=$2
    shift 2
    local before after out
    before=$(ticks "${pid[$s]}")
    out=$(timeout $((seconds + 30)) taskset -c 1 wrk -d "${seconds}s" "$@" \
        "http://127.0.0.1:${port[$s]}$path" 2>&1) || true
    after=$(ticks "${pid[$s]}")
    awk -v t=$((after - before)) -v hz="$hz" \
        '/requests in/ {n=$1} /Requests\/sec/ {r=$2} END {printf "%.3f %.0f\n", n ? t*1e6/hz/n : 0, r}' <<<"$out"
}
median() { sort -g | awk '{a[NR]=$1} END {printf "%.3f", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "| scenario | A µs/req | B µs/req | B / A | A req/s | B req/s |"
echo "|---|---:|---:|---:|---:|---:|"
scenario() {
    local name=$1 path=$2
    shift 2
    : >"$work/A.runs"
    : >"$work/B.runs"
    for ((i = 0; i < rounds; i++)); do
        local order=(A B)
        ((i % 2)) && order=(B A)
        for s in "${order[@]}"; do run "$s" "$path" "$@" >>"$work/$s.runs"; done
    done
    local ca cb ra rb
    ca=$(cut -d' ' -f1 "$work/A.runs" | median)
    cb=$(cut -d' ' -f1 "$work/B.runs" | median)
    ra=$(cut -d' ' -f2 "$work/A.runs" | median)
    rb=$(cut -d' ' -f2 "$work/B.runs" | median)
    printf "| %-26s | %8s | %8s | %5.2fx | %8.0f | %8.0f |\n" "$name" "$ca" "$cb" \
        "$(bc -l <<<"$cb / $ca")" "$ra" "$rb"
}
scenario "13 B, keep-alive, 64 conns" /small.txt -t 1 -c 64
scenario "13 B, pipelined x16" /small.txt -t 1 -c 64 -s "$here/pipeline16.lua"
scenario "13 B, new connection each" /small.txt -t 1 -c 64 -H "Connection: close"
scenario "1 MiB, keep-alive, 16 conns" /1m.bin -t 1 -c 16
