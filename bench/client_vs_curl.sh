#!/usr/bin/env bash
# pier's client vs libcurl against one nginx on loopback (make bench). nginx on CPU 0, the
# clients on CPU 1; the small file is 13 bytes, the large one 1 GiB (a sparse file: nginx
# sends it from the page cache, the disk is not what is measured).
# Usage: client_vs_curl.sh <client_vs_curl binary> [rounds] [seconds per small run]
set -euo pipefail
bench=$1
nginx_temp_paths=$(cd "$(dirname "$0")" && pwd)/nginx_temp_paths.conf
rounds=${2:-3}
seconds=${3:-5}
work=$(mktemp -d)
trap '[[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
chmod 755 "$work"
root=$work/root
mkdir -p "$root" "$work/nginx/logs"
printf 'Hello, world\n' >"$root/small.txt"
truncate -s 1G "$root/1g.bin"
chmod -R a+rX "$root"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/logs/error.log crit;
events { worker_connections 64; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    open_file_cache max=100 inactive=60s;
    types { text/plain txt; application/octet-stream bin; }
    include $nginx_temp_paths;
    server { listen 127.0.0.1:$port; root $root; }
}
CONF
pin_server=() pin_client=()
if [[ $(nproc) -ge 2 ]]; then pin_server=(taskset -c 0); pin_client=(taskset -c 1); fi
"${pin_server[@]}" nginx -p "$work/nginx" -c "$work/nginx.conf"
sleep 0.5
# Warm the page cache with the large file once, so both clients read it from memory.
cat "$root/1g.bin" >/dev/null
timeout 600 "${pin_client[@]}" "$bench" 127.0.0.1 "$port" /small.txt /1g.bin "$seconds" "$rounds"
