#!/usr/bin/env bash
# pier's WebSocket against peers nobody here wrote:
#   server (examples/ws_echo): Node's ws and Python's websockets as clients, 1,000 messages text
#     and binary with and without permessage-deflate; wscat; headless Chromium's WebSocket from
#     a page `pier serve` serves (another origin), with and without compression, read back
#     through the DOM over DevTools (cdp_websocket.py)
#   client (`pier ws`): Node's ws and Python's websockets as echo servers (deflate on and off,
#     text lines and --binary), Python over wss with a self-signed certificate and --cacert (and
#     without it: exit 60), libwebsockets' test server (its mirror protocol echoes, over ws
#     and wss)
# Each check prints ok or FAIL; exit 1 if any failed. A missing peer is a failure, not a skip:
# scripts/install-deps installs them all.
# Usage: ws_peers.sh <pier> <ws_echo>
set -euo pipefail
pier=$1
ws_echo=$2
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3 # Debian's, with python3-websockets; `python3` may be another
export NODE_PATH=/usr/share/nodejs
# shellcheck source=tests/lib/harness.sh
source "$here/../lib/harness.sh"

for tool in node "$py" libwebsockets-test-server openssl; do
  command -v "$tool" >/dev/null || die "$tool not installed (run scripts/install-deps)"
done
$py -c 'import websockets' 2>/dev/null || die "python3-websockets not installed"
node -e 'require("ws")' 2>/dev/null || die "node-ws not installed"
chromium_scratch die
mkdir -p "$tmp/site"

# wait_for <file> <sed expression>: what the expression prints of the file, once it prints
# something (at most 5 s).
wait_for() {
  local got=
  for _ in $(seq 100); do
    got=$(sed -n "$2" "$1" 2>/dev/null | head -n 1)
    [[ -n $got ]] && break
    sleep 0.05
  done
  echo "$got"
}

# ---- pier's server: ws_echo ----------------------------------------------------------------
# Every server runs under timeout too: it goes even if this script is killed before its trap.
timeout -k 5 170 "$ws_echo" 0 >"$tmp/echo.out" 2>"$tmp/echo.err" &
echo_pid=$! # timeout's, which lives as long as ws_echo does
echo_port=$(wait_for "$tmp/echo.out" 's|^ws_echo: ws://127.0.0.1:\([0-9]*\)/echo$|\1|p')
[[ -n $echo_port ]] || die "ws_echo did not start: $(cat "$tmp/echo.out" "$tmp/echo.err")"
echo_url=ws://127.0.0.1:$echo_port

peer_client() { # peer_client <log> <command...>: runs a peer's client; its output to <log>
  local log=$1; shift
  timeout -k 2 60 "$@" >"$log" 2>&1 || { sed 's/^/  /' "$log"; return 1; }
}
for mode in deflate plain; do
  check "Node ws client: 1000 messages to ws_echo ($mode)" \
    peer_client "$tmp/node-$mode.log" node "$here/ws_node.js" client "$echo_url/echo" 1000 $mode
  check "Python websockets client: 1000 messages to ws_echo ($mode)" \
    peer_client "$tmp/py-$mode.log" $py "$here/ws_python.py" client "$echo_url/echo" 1000 $mode
done
# A client that offers deflate to an endpoint that does not want it goes on without.
check "Node ws client offering deflate to /echo-uncompressed" \
  peer_client "$tmp/node-declined.log" node -e "
    const ws = new (require('ws'))('$echo_url/echo-uncompressed', {perMessageDeflate: true});
    ws.on('open', () => { if (ws.extensions !== '') process.exit(2); ws.send('x'.repeat(5000)); });
    ws.on('message', (d) => { if (String(d) !== 'x'.repeat(5000)) process.exit(3); ws.close(); });
    ws.on('close', (code) => process.exit(code === 1005 || code === 1000 ? 0 : 4));
    setTimeout(() => process.exit(5), 20000);"

# wscat (Debian ships it in node-ws): one message from the command line, the echo on stdout
# (bare, when stdout is not a terminal). Its stdin must stay open: at stdin's end it quits.
if command -v wscat >/dev/null; then
  wscat_out=$(timeout -k 2 20 wscat --no-color -c "$echo_url/echo" -x 'hello from wscat' -w 1 \
    < <(sleep 5) 2>&1 || true)
  check "wscat -x gets its message back ($wscat_out)" test "$wscat_out" = 'hello from wscat'
else
  echo "FAIL: wscat not installed (node-ws ships it)"; failed=1
fi

# ---- pier ws against other servers ---------------------------------------------------------
# 1,000 text lines (UTF-8, some empty, one of 70,000 bytes) and 1 MiB of random bytes.
$py - "$tmp/lines.txt" <<'EOF'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(1000):
        f.write("" if i % 250 == 3 else f"line {i} héllo — 漢字 " + "abc" * (i % 40 if i != 500 else 23333))
        f.write("\n")
EOF
head -c $((1024 * 1024)) /dev/urandom >"$tmp/random.bin"

# pier_ws <input> <output> <pier ws args...>: stdin held open until the output is as long as
# the input (at most 20 s), so every echo is in before pier's Close; pier's status returned.
pier_ws() {
  local input=$1 output=$2; shift 2
  local want status=0
  want=$(stat -c %s "$input")
  rm -f "$output"
  { cat "$input"
    for _ in $(seq 400); do
      [[ $(stat -c %s "$output" 2>/dev/null || echo 0) -ge $want ]] && break
      sleep 0.05
    done
  } | timeout -k 2 30 "$pier" ws "$@" >"$output" 2>"$output.err" || status=$?
  return $status
}
# same_echo <what> <input> <output> <pier ws args...>
same_echo() {
  local what=$1 input=$2 output=$3; shift 3
  local status=0
  pier_ws "$input" "$output" "$@" || status=$?
  check "pier ws, $what: exit 0 (got $status)" test $status -eq 0
  check "pier ws, $what: every byte echoed" cmp -s "$input" "$output"
  cmp -s "$input" "$output" || echo "  sent $(stat -c %s "$input") bytes, got $(stat -c %s "$output")"
  [[ $status -eq 0 ]] || sed 's/^/  stderr: /' "$output.err" | head -n 5
}

# Node's ws as the server, with permessage-deflate and without.
for mode in deflate plain; do
  timeout -k 5 100 node "$here/ws_node.js" server $mode >"$tmp/nodeserver-$mode.log" 2>&1 &
  port=$(wait_for "$tmp/nodeserver-$mode.log" 's/^port \([0-9]*\)$/\1/p')
  [[ -n $port ]] || die "the Node server did not start: $(cat "$tmp/nodeserver-$mode.log")"
  same_echo "Node ws server ($mode), 1000 lines" "$tmp/lines.txt" "$tmp/node-$mode.out" \
    ws://127.0.0.1:$port/
  same_echo "Node ws server ($mode), 1 MiB --binary" "$tmp/random.bin" "$tmp/node-$mode.bin" \
    --binary ws://127.0.0.1:$port/
  same_echo "Node ws server ($mode), --no-compression" "$tmp/lines.txt" "$tmp/node-$mode-nc.out" \
    --no-compression ws://127.0.0.1:$port/
  agreed=$(grep -c "^extensions 'permessage-deflate" "$tmp/nodeserver-$mode.log" || true)
  want=$([[ $mode == deflate ]] && echo 2 || echo 0)
  check "Node ws server ($mode): deflate agreed with pier $want times (got $agreed)" test "$agreed" = "$want"
  check "Node ws server ($mode): each close was 1000" \
    test "$(grep -c '^closed 1000$' "$tmp/nodeserver-$mode.log")" = 3
done

# Python's websockets as the server, plain and over TLS with a self-signed certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
timeout -k 5 100 $py "$here/ws_python.py" server deflate >"$tmp/pyserver.log" 2>&1 &
port=$(wait_for "$tmp/pyserver.log" 's/^port \([0-9]*\)$/\1/p')
[[ -n $port ]] || die "the Python server did not start: $(cat "$tmp/pyserver.log")"
same_echo "Python websockets server, 1000 lines" "$tmp/lines.txt" "$tmp/py.out" ws://127.0.0.1:$port/
same_echo "Python websockets server, 1 MiB --binary" "$tmp/random.bin" "$tmp/py.bin" \
  --binary ws://127.0.0.1:$port/path?q=1
check "Python websockets server agreed to deflate with pier" \
  grep -q "^extensions 'permessage-deflate'" "$tmp/pyserver.log"

timeout -k 5 100 $py "$here/ws_python.py" server plain "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/pytls.log" 2>&1 &
port=$(wait_for "$tmp/pytls.log" 's/^port \([0-9]*\)$/\1/p')
[[ -n $port ]] || die "the Python TLS server did not start: $(cat "$tmp/pytls.log")"
same_echo "Python websockets over TLS, --cacert" "$tmp/lines.txt" "$tmp/pytls.out" \
  --cacert "$tmp/cert.pem" wss://localhost:$port/
status=0
echo hi | timeout -k 2 20 "$pier" ws wss://localhost:$port/ >/dev/null 2>"$tmp/untrusted.err" || status=$?
check "pier ws without --cacert: exit 60 (got $status: $(head -c 200 "$tmp/untrusted.err"))" test $status -eq 60

# libwebsockets' test server: its lws-mirror-protocol sends what a client sends to every client
# of the same mirror, the sender too — an echo for a client alone on its mirror. It mirrors
# pieces as they arrive, not whole messages, so only the bytes are compared, not the lines.
# Over TLS with a certificate of ours: Debian's bundled one has a key OpenSSL 3 refuses.
mkdir -p "$tmp/lws"
cp "$tmp/cert.pem" "$tmp/lws/libwebsockets-test-server.pem"
cp "$tmp/key.pem" "$tmp/lws/libwebsockets-test-server.key.pem"
# The harness's free_port, with the system's Python.
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
timeout -k 5 100 libwebsockets-test-server --port=$port >"$tmp/lws.log" 2>&1 &
tls_port=$(free_port)
timeout -k 5 100 libwebsockets-test-server --port=$tls_port --ssl --resource-path="$tmp/lws" \
  >"$tmp/lws-tls.log" 2>&1 &
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/$tls_port) 2>/dev/null && break
  sleep 0.05
done
head -n 100 "$tmp/lines.txt" | grep -v "^$" >"$tmp/short.txt" # empty messages are not mirrored
same_bytes() { cmp -s <(tr -d '\n' <"$1") <(tr -d '\n' <"$2"); }
for scheme in ws wss; do
  p=$([[ $scheme == ws ]] && echo $port || echo $tls_port)
  status=0
  pier_ws "$tmp/short.txt" "$tmp/lws-$scheme.out" --cacert "$tmp/cert.pem" \
    --subprotocol lws-mirror-protocol "$scheme://localhost:$p/?mirror=pier" || status=$?
  check "pier ws, libwebsockets test server ($scheme): exit 0 (got $status)" test $status -eq 0
  check "pier ws, libwebsockets test server ($scheme): every byte mirrored" \
    same_bytes "$tmp/short.txt" "$tmp/lws-$scheme.out"
  [[ $status -eq 0 ]] || sed 's/^/  stderr: /' "$tmp/lws-$scheme.out.err" | head -n 5
done
# dumb-increment-protocol counts on its own: pier ws prints what a server sends unasked (stdin
# open for 2 s, then pier closes).
{ for _ in $(seq 40); do sleep 0.05; done; } |
  timeout -k 2 10 "$pier" ws --subprotocol dumb-increment-protocol "ws://127.0.0.1:$port/" \
  >"$tmp/dumb.out" 2>&1 || true
check "libwebsockets dumb-increment-protocol counts to pier ws ($(head -n 3 "$tmp/dumb.out" | tr '\n' ' '))" \
  test "$(head -n 3 "$tmp/dumb.out" | tr '\n' ' ')" = "0 1 2 "

# ---- headless Chromium ---------------------------------------------------------------------
cat >"$tmp/site/ws.html" <<'EOF'
<!doctype html><meta charset="utf-8"><title>pier WebSocket echo</title>
<pre id="result">running</pre>
<script>
const params = new URLSearchParams(location.search);
const port = params.get('port'), count = Number(params.get('count'));
// Message i: text and binary by turns, like ws_node.js's.
function message(i) {
  const size = i % 97 === 0 ? 70000 : i % 100 === 50 || i % 100 === 51 ? 0 : (i * 37) % 3000;
  if (i % 2 === 1) {
    const b = new Uint8Array(size);
    for (let k = 0; k < size; k++) b[k] = (k * 31 + i) & 0xff;
    return b;
  }
  const alphabet = 'abcdefghé—ü漢字 0123456789';
  if (size === 0) return '';
  let s = `#${i}:`;
  while (s.length < size) s += alphabet[(s.length + i) % alphabet.length];
  return s;
}
function same(got, want) {
  if (typeof want === 'string') return got === want;
  if (!(got instanceof ArrayBuffer) || got.byteLength !== want.length) return false;
  const g = new Uint8Array(got);
  return g.every((v, k) => v === want[k]);
}
function run(path) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    ws.binaryType = 'arraybuffer';
    let got = 0, error = null;
    const bad = [];
    ws.onopen = () => { for (let i = 0; i < count; i++) ws.send(message(i)); };
    ws.onmessage = (e) => {
      if (!same(e.data, message(got)) && bad.length < 5) bad.push(got);
      if (++got === count) ws.close(1000, 'done');
    };
    ws.onerror = () => { error = 'error event'; };
    ws.onclose = (e) => resolve({path, got, bad, error, code: e.code, wasClean: e.wasClean,
                                 extensions: ws.extensions});
  });
}
(async () => {
  const results = [await run('/echo'), await run('/echo-uncompressed')];
  document.getElementById('result').textContent = JSON.stringify(results);
})();
</script>
EOF
timeout -k 5 100 "$pier" serve -b 127.0.0.1 0 -d "$tmp/site" >"$tmp/serve.out" 2>"$tmp/serve.log" &
page_port=$(wait_for "$tmp/serve.out" 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p')
[[ -n $page_port ]] || die "pier serve did not start: $(cat "$tmp/serve.out" "$tmp/serve.log")"
status=0
timeout -k 5 95 python3 "$here/cdp_websocket.py" "$chromium" "$tmp/profile" \
  "http://127.0.0.1:$page_port/ws.html" "$echo_port" 1000 &
wait $! || status=$?
if [[ $status -ne 0 ]]; then
  failed=1
  echo "FAIL: browser checks (exit $status)"
  grep -v dbus "$tmp/profile/chromium.log" | tail -n 20 || true
fi

# ws_echo's stderr is its access log: every handshake answered 101, nothing else said.
check "ws_echo answered every handshake with 101" test -z "$(grep -v '" 101 ' "$tmp/echo.err")"
check "ws_echo is still up" kill -0 "$echo_pid"
exit $failed
