#!/usr/bin/env bash
# WebSocket echo: pier's examples/ws_echo against Node's ws (a ten-line echo server) and, for one
# connection, libwebsockets' test server (its mirror protocol echoes to a client alone on its
# mirror; the test server refuses more than a few mirrors, so it sits out the 64-connection
# cases). One load generator for all, bench/ws_load (raw sockets, one epoll loop, no
# compression offered), on CPU 1; each server on CPU 0.
#
# Cases: round trips per second on one connection, one message at a time; and messages per
# second over 64 connections with 16 in flight on each; for 64-byte and 16 KiB messages. For
# each: messages/s, the server's CPU per message (utime+stime from /proc, bench/lib.sh), and
# pier's ratios to Node — medians of <rounds> runs of <seconds> each. "load cpu" is the
# generator's share of its core in the runs against pier and against Node: near 1.00 it was as
# busy as the server, and the rate is a lower bound (the CPU per message is still the server's).
# Usage: ws_vs_node.sh <ws_echo> <ws_load> [rounds] [seconds]
set -euo pipefail
ws_echo=$1
load=$2
rounds=${3:-3}
seconds=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
export NODE_PATH=/usr/share/nodejs
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
pin_server=() pin_load=()
if [[ $(nproc) -ge 2 ]]; then pin_server=(taskset -c 0); pin_load=(taskset -c 1); fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
hz=$(getconf CLK_TCK)

cat >"$work/echo.js" <<'EOF'
// The reference: Node's ws, echoing every message as it came (no compression, as ws_load asks none).
const WebSocket = require('ws');
const server = new WebSocket.Server({host: '127.0.0.1', port: Number(process.argv[2]),
                                     perMessageDeflate: false, maxPayload: 1 << 20});
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, {binary: isBinary}));
});
EOF

# start <name> <port> <command...>: pinned to CPU 0; its pid kept for `ticks` (taskset execs).
declare -A pid_of port_of
start() {
  local name=$1 port=$2; shift 2
  "${pin_server[@]}" "$@" >"$work/$name.log" 2>&1 &
  pid_of[$name]=$!
  port_of[$name]=$port
  pids+=($!)
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "ws_vs_node: $name did not start: $(cat "$work/$name.log")" >&2
  exit 1
}
p=$(free_port); start pier "$p" "$ws_echo" "$p"
p=$(free_port); start node "$p" node "$work/echo.js" "$p"
p=$(free_port); start lws "$p" libwebsockets-test-server --port="$p"
path_of() { case $1 in pier) echo /echo ;; node) echo / ;; lws) echo "/?mirror=bench" ;; esac; }
protocol_of() { [[ $1 == lws ]] && echo lws-mirror-protocol || true; }

cases=("1 1 64" "1 1 16384" "64 16 64" "64 16 16384")
label() {
  local c=$1 w=$2 s=$3 size
  size=$([[ $s -ge 1024 ]] && echo "$((s / 1024)) KiB" || echo "$s B")
  if [[ $c -eq 1 ]]; then echo "round trips, $size"; else echo "${c} conns x ${w}, $size"; fi
}

echo "== WebSocket echo: ws_echo vs Node ws (and libwebsockets), $rounds rounds of ${seconds}s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# One run: "<rate> <server us per message> <load cpu>" into $work/<server>-<case>.txt.
run() {
  local server=$1 index=$2 c w s before after out
  read -r c w s <<<"${cases[$index]}"
  before=$(ticks "${pid_of[$server]}")
  out=$(timeout $((seconds * 3 + 20)) "${pin_load[@]}" "$load" 127.0.0.1 "${port_of[$server]}" \
    "$(path_of "$server")" "$c" "$w" "$s" "$seconds" $(protocol_of "$server")) || {
    echo "ws_vs_node: $server, $(label $c $w $s): ws_load failed" >&2
    return 0
  }
  after=$(ticks "${pid_of[$server]}")
  local messages rate cpu
  messages=$(sed -n 's/.*messages=\([0-9]*\).*/\1/p' <<<"$out")
  rate=$(sed -n 's/.*rate=\([0-9.]*\).*/\1/p' <<<"$out")
  cpu=$(sed -n 's/.*cpu=\([0-9.]*\).*/\1/p' <<<"$out")
  [[ ${messages:-0} -gt 0 ]] || return 0
  # Ticks cover the warm-up too: a tenth more time than the messages counted, so scale it off.
  echo "$rate $(echo "scale=3; ($after - $before) * 1000000 / $hz / ($messages * 1.1)" | bc) $cpu" \
    >>"$work/$server-$index.txt"
}
for _ in $(seq "$rounds"); do
  for i in "${!cases[@]}"; do
    servers=(pier node)
    [[ ${cases[$i]} == 1\ * ]] && servers+=(lws)
    for server in "${servers[@]}"; do run "$server" "$i"; done
  done
done

col() { # col <server> <case> <field 1..3>: the median, or "-"
  local f=$work/$1-$2.txt
  [[ -s $f ]] && cut -d' ' -f"$3" "$f" | median || echo -
}
ratio() { [[ $1 != - && $2 != - ]] && echo "scale=2; $1 / $2" | bc || echo -; }
num() { [[ $1 == - ]] && echo - || printf "%.${2}f" "$1"; } # num <value> <decimals>
printf '%-22s %10s %10s %10s %9s | %8s %8s %8s %9s | %s\n' case "pier msg/s" "node msg/s" \
  "lws msg/s" "pier/node" "pier us" "node us" "lws us" "node/pier" "load cpu (pier/node)"
for i in "${!cases[@]}"; do
  read -r c w s <<<"${cases[$i]}"
  pr=$(col pier "$i" 1) nr=$(col node "$i" 1) lr=$(col lws "$i" 1)
  pc=$(col pier "$i" 2) nc=$(col node "$i" 2) lc=$(col lws "$i" 2)
  load_cpu="$(num "$(col pier "$i" 3)" 2)/$(num "$(col node "$i" 3)" 2)"
  printf '%-22s %10s %10s %10s %9s | %8s %8s %8s %9s | %s\n' "$(label $c $w $s)" \
    "$(num "$pr" 0)" "$(num "$nr" 0)" "$(num "$lr" 0)" "$(ratio "$pr" "$nr")" \
    "$(num "$pc" 2)" "$(num "$nc" 2)" "$(num "$lc" 2)" "$(ratio "$nc" "$pc")" "$load_cpu"
done
echo "(us: server CPU microseconds per message echoed; pier/node: throughput ratio, node/pier: CPU ratio; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
