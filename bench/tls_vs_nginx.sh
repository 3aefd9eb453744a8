#!/usr/bin/env bash
# pier serve over HTTPS against nginx and h2o, all with the same certificate, in one run.
# Method of PERFORMANCE.md, as in static_vs_nginx.sh: servers pinned to CPU 0, the load
# generator to CPU 1, rounds interleaved with the order rotating, medians of per-round figures;
# the deciding figure is server CPU time per request (utime+stime of the server's whole process
# tree over the run ÷ requests), since the client saturates its own core. Only figures taken in
# one run compare, hence every server in every scenario.
# Usage: tls_vs_nginx.sh <pier binary> [rounds] [seconds per run]
#
# Certificates: made here with the openssl CLI for localhost and 127.0.0.1, an EC P-256 one for
# every scenario and an RSA-2048 one for the two handshake scenarios (where the server's
# signature is the cost that differs). Each (server, certificate) pair is its own instance.
# Whatever protocol, cipher and key exchange each instance negotiates is printed first: with
# one OpenSSL for all, they should be the same (TLS 1.3, AES-256-GCM, X25519).
#
# Load generators, and why:
# - Keep-alive scenarios: wrk, which speaks https. Each connection's one handshake is
#   amortized over the run (64 handshakes against tens of thousands of requests).
# - Handshake scenarios: `openssl s_time`. wrk cannot make a full handshake per request: it
#   keeps each connection's SSL object across its reconnects (SSL_shutdown + SSL_clear, which
#   keeps the session), so every reconnect offers the previous session's ticket and nothing
#   turns that off. Measured against nginx with $ssl_session_reused in its log and
#   "Connection: close": 207 of 211 connections resumed, the 4 full ones being each
#   connection's first. s_time has both modes: -new (a fresh SSL object and so a full handshake
#   per connection) and -reuse (one SSL object whose session is offered each time), each
#   connection being connect, handshake, "GET <path> HTTP/1.0", read to the server's close.
#   It prints a character per connection ('r' resumed, '*' not), which this script counts, so
#   the resumption share is checked rather than assumed. Both handshake scenarios use s_time,
#   so the pair differs in resumption alone. One s_time has one connection in flight, so
#   HANDSHAKE_CLIENTS (default 8) of them run side by side, all on CPU 1. s_time's -time is
#   whole seconds and it stops at the first second boundary after it (so a run lasts
#   ceil(seconds) to ceil(seconds)+1 s); the rate is taken over the wall time measured here.
#   Every run of either tool is bounded by its own duration and, should it hang, by timeout.
# - With TLS 1.3 (what all three negotiate) resumption is a PSK from a session ticket; every
#   server issues tickets after each full handshake as well (pier 1, OpenSSL's default of 2
#   for the others), which is part of a full handshake's cost.
# All traffic is on loopback.
# ONLY=<regex> runs just the scenarios whose name matches (ONLY='1 MiB' for the file case).
# The figures' tables are read by summary() through a nameref, which shellcheck does not follow.
# shellcheck disable=SC2034
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
pier=$1
rounds=${2:-3}
seconds=${3:-5}
clients=${HANDSHAKE_CLIENTS:-8}
# s_time takes whole seconds.
stime_seconds=$(awk -v s="$seconds" 'BEGIN {t = int(s); if (t < s) t++; if (t < 1) t = 1; print t}')
here=$(cd "$(dirname "$0")" && pwd)

for tool in wrk nginx h2o openssl curl bc taskset timeout; do
    command -v "$tool" >/dev/null || { echo "tls_vs_nginx: $tool is missing (scripts/install-deps installs it)" >&2; exit 1; }
done

servers=(pier nginx h2o)
peers=(nginx h2o)
certs=(ec rsa)
declare -A port=([pier,ec]=18181 [nginx,ec]=18182 [h2o,ec]=18183
                 [pier,rsa]=18191 [nginx,rsa]=18192 [h2o,rsa]=18193)
declare -A pid=()

work=$(mktemp -d)
# Every server is stopped on any exit, including a failed start or Ctrl-C.
cleanup() {
    stop_servers "$work"/nginx-*.pid
    rm -rf "$work"
}
trap cleanup EXIT
root=$work/root
mkdir -p "$root"
chmod 755 "$work" # nginx's workers and h2o (started as root) run as other users
printf 'Hello, world\n' >"$root/small.txt"                     # 13 bytes
head -c 1048576 /dev/urandom >"$root/1m.bin"
chmod -R a+rX "$root"

# The certificates. The keys stay readable by their owner only: nginx's master and h2o read
# them before they drop privileges (h2o's neverbleed helper keeps the key in its own process).
for k in "${certs[@]}"; do
    case $k in
    ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    rsa) newkey=(-newkey rsa:2048) ;;
    esac
    if ! openssl req -x509 "${newkey[@]}" -nodes -days 7 -subj /CN=localhost \
         -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
         -keyout "$work/$k.key" -out "$work/$k.crt" 2>"$work/openssl-$k.log"; then
        echo "tls_vs_nginx: openssl could not make the $k certificate:" >&2
        cat "$work/openssl-$k.log" >&2
        exit 1
    fi
done

# Each peer is configured as a fair operator would for static files over HTTPS: one worker on
# CPU 0, no access log, keep-alive without a request limit, TLS 1.2 and 1.3, session
# resumption by tickets and a session cache, sendfile and the open-file cache on where the
# server has them (without kernel TLS nginx does not sendfile over SSL: it reads into its
# buffers, as pier and h2o do).
for k in "${certs[@]}"; do
    mkdir -p "$work/nginx-$k/logs"
    nginx_conf "$work/nginx-$k" <<CONF
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    ssl_session_tickets on;
    server {
        listen 127.0.0.1:${port[nginx,$k]} ssl;
        ssl_certificate $work/$k.crt;
        ssl_certificate_key $work/$k.key;
        root $root;
    }
CONF

    # h2o 2.2: no access-log directive means no access log; no per-connection request limit;
    # it never uses sendfile. Session resumption "all" (its default) is an internal session
    # cache and tickets with keys it makes itself. OCSP stapling is off (a self-signed
    # certificate has no responder; by default h2o would start a fetcher process). Its
    # neverbleed helper process (default on) does the private-key operations: it is a child of
    # h2o, so its CPU is counted. Started as root it drops to nobody, which is why there is no
    # pid-file: the process is a job of this script instead.
    cat >"$work/h2o-$k.conf" <<CONF
num-threads: 1
max-connections: 20000
http1-request-timeout: 3600
error-log: $work/h2o-$k.log
ssl-session-resumption:
  mode: all
listen:
  host: 127.0.0.1
  port: ${port[h2o,$k]}
  ssl:
    certificate-file: $work/$k.crt
    key-file: $work/$k.key
    minimum-version: TLSv1.2
    ocsp-update-interval: 0
hosts:
  default:
    paths:
      /:
        file.dir: $root
CONF
done

answers() { curl -skf -o /dev/null --max-time 1 "https://127.0.0.1:$1/small.txt"; }
# Anything accepting on a port before its server starts belongs to something else (a leftover
# run): measuring it would report the wrong server's figures.
taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for k in "${certs[@]}"; do
    for s in "${servers[@]}"; do
        if taken "${port[$s,$k]}"; then
            echo "tls_vs_nginx: port ${port[$s,$k]} (for $s, $k) is already in use; stop whatever holds it" >&2
            exit 1
        fi
    done
done

ulimit -n 65536 2>/dev/null || true
for k in "${certs[@]}"; do
    if ! taskset -c 0 nginx -p "$work/nginx-$k" -c "$work/nginx-$k.conf"; then
        echo "tls_vs_nginx: nginx ($k) did not start (its message is above)" >&2
        exit 1
    fi
    # taskset execs the server, so $! is the server's own pid.
    taskset -c 0 "$pier" serve "${port[pier,$k]}" -b 127.0.0.1 -q --threads 1 \
        --tls-cert "$work/$k.crt" --tls-key "$work/$k.key" -d "$root" >"$work/pier-$k.log" 2>&1 &
    pid[pier,$k]=$!
    taskset -c 0 h2o -c "$work/h2o-$k.conf" >>"$work/h2o-$k.log" 2>&1 &
    pid[h2o,$k]=$!
done

# Refuse to run with a peer missing: a table with a hole would read as a comparison it is not.
# Each server must serve the docroot's files byte for byte over HTTPS within 5 s.
log_of() { case $1 in nginx) echo "$work/nginx-$2/logs/error.log" ;; *) echo "$work/$1-$2.log" ;; esac; }
for k in "${certs[@]}"; do
    for s in "${servers[@]}"; do
        for ((i = 0; i < 50; i++)); do
            answers "${port[$s,$k]}" && break
            sleep 0.1
        done
        if ! answers "${port[$s,$k]}" ||
           ! curl -skf --max-time 5 "https://127.0.0.1:${port[$s,$k]}/1m.bin" | cmp -s - "$root/1m.bin" ||
           ! curl -skf --max-time 2 "https://127.0.0.1:${port[$s,$k]}/small.txt" | cmp -s - "$root/small.txt"; then
            echo "tls_vs_nginx: $s ($k certificate) did not start serving https on 127.0.0.1:${port[$s,$k]}; its log:" >&2
            tail -n 20 "$(log_of "$s" "$k")" >&2 2>/dev/null || true
            exit 1
        fi
    done
    pid[nginx,$k]=$(cat "$work/nginx-$k.pid")
done

hz=$(getconf CLK_TCK)

# What each instance negotiates with a default client (s_time's and wrk's OpenSSL is the same).
negotiated() {
    local out
    out=$(timeout 5 openssl s_client -connect "127.0.0.1:$1" -servername localhost </dev/null 2>/dev/null) || true
    awk '/^New, / {sub(",", "", $2); proto = $2; cipher = $NF}
         /^Server Temp Key:/ {sub(",", "", $4); group = $4}
         /^Peer signature type:/ {sig = $4}
         END {printf "%s %s %s %s", proto, cipher, group, sig}' <<<"$out"
}

# run_wrk <server pid> <port> <wrk args...> → "req/s p99_ms cpu_us_per_req errors GB/s"
run_wrk() {
    local server_pid=$1 server_port=$2
    shift 2
    local before after out
    before=$(ticks "$server_pid")
    # wrk's own -d bounds the run; timeout only catches a wrk that hangs. A failed wrk run
    # reports no requests, which counts as a run with errors rather than ending the script.
    out=$(timeout $((stime_seconds + 30)) taskset -c 1 wrk --latency -d "${seconds}s" "$@" "https://127.0.0.1:$server_port$path" 2>&1) || true
    after=$(ticks "$server_pid")
    local rps reqs p99 errors gbps
    read -r rps reqs p99 errors <<<"$(wrk_figures "$out")"
    # wrk's Transfer/sec is in binary units (KB = 1024 B); GB/s here is its GB, 2^30 bytes.
    gbps=$(awk '/Transfer\/sec/ {v=$2; m=1; if (v ~ /GB$/) m=1; else if (v ~ /MB$/) m=1/1024; else if (v ~ /KB$/) m=1/1048576; else m=1/1073741824; sub(/[KMG]?B$/, "", v); print v*m}' <<<"$out")
    awk -v r="$rps" -v p="$p99" -v t=$((after - before)) -v n="$reqs" -v hz="$hz" -v e="$errors" -v g="${gbps:-0}" \
        'BEGIN {printf "%s %s %.2f %d %.3f\n", r, p, n ? t * 1e6 / hz / n : 0, (n ? e : 1), g}'
}

# run_stime <server pid> <port> <-new|-reuse> → "handshakes/s resumed_% cpu_us_per_req errors"
run_stime() {
    local server_pid=$1 server_port=$2 mode=$3
    local before after start end c
    local -a jobs_=()
    before=$(ticks "$server_pid")
    start=$(date +%s.%N)
    for ((c = 0; c < clients; c++)); do
        timeout $((stime_seconds + 30)) taskset -c 1 openssl s_time -connect "127.0.0.1:$server_port" \
            -www "$path" "$mode" -time "$stime_seconds" >"$work/stime.$c" 2>&1 &
        jobs_+=($!)
    done
    local failed=0
    for c in "${jobs_[@]}"; do wait "$c" || failed=1; done
    end=$(date +%s.%N)
    after=$(ticks "$server_pid")
    # One character per connection on the progress lines: 'r' resumed, '*' (or the protocol's
    # letter) a full handshake. -reuse makes one untimed full handshake first, to get the
    # session: it is a request the server served too.
    local counts
    # The progress is the line after "Collecting ..." (-new) or "starting" (-reuse); a failure
    # message may follow it on the same line.
    counts=$(cat "$work"/stime.* | awk '
        progress && match($0, /^[rt3*]+/) {s = substr($0, 1, RLENGTH); n += RLENGTH; r += gsub(/r/, "", s)}
        {progress = 0}
        /^Collecting connection statistics/ {progress = 1}
        /^starting$/ {progress = 1; primed++}
        /connections in .* real seconds/ {done++}
        END {printf "%d %d %d %d", n, r, primed, done}')
    local n r primed done_
    read -r n r primed done_ <<<"$counts"
    # A client that stopped early (a connection failed) prints no summary line.
    ((done_ == clients)) || failed=1
    awk -v n="$n" -v r="$r" -v p="$primed" -v t=$((after - before)) -v hz="$hz" -v w="$(bc -l <<<"$end - $start")" -v e="$failed" \
        'BEGIN {req = n + p; printf "%.1f %.1f %.2f %d\n", req / w, n ? 100 * r / n : 0, req ? t * 1e6 / hz / req : 0, (n ? e : 1)}'
}

# Per-scenario medians, kept for the summaries: rps[scenario,server], cpu[...], gbps[...]
# (keep-alive scenarios), resumed[...] (handshake scenarios).
declare -A rps=() cpu=() gbps=() resumed=()
names=()
handshake_names=()

# scenario <wrk|stime> <name> <certificate> <path> <args...>
scenario() {
    local tool=$1 name=$2 k=$3
    [[ $name =~ ${ONLY:-.} ]] || return 0
    path=$4
    shift 4
    local i j s n=${#servers[@]}
    for s in "${servers[@]}"; do : >"$work/$s.runs"; done
    for ((i = 0; i < rounds; i++)); do
        # Interleaved, and the order rotates each round, so no server always runs right after
        # the same neighbour (the machine's noise drifts within a round).
        for ((j = 0; j < n; j++)); do
            s=${servers[(i + j) % n]}
            "run_$tool" "${pid[$s,$k]}" "${port[$s,$k]}" "$@" >>"$work/$s.runs"
        done
    done
    names+=("$name")
    local r p c e x
    for s in "${servers[@]}"; do
        r=$(cut -d' ' -f1 "$work/$s.runs" | median)
        c=$(cut -d' ' -f3 "$work/$s.runs" | median)
        e=$(cut -d' ' -f4 "$work/$s.runs" | paste -sd+ | bc)
        rps[$name,$s]=$r
        cpu[$name,$s]=$c
        if [[ $tool == wrk ]]; then
            p=$(cut -d' ' -f2 "$work/$s.runs" | median)
            x=$(cut -d' ' -f5 "$work/$s.runs" | median)
            gbps[$name,$s]=$x
            printf "| %-35s | %-5s | %10.0f | %6.3f | %7.2f | %7.2f | %d/%d |\n" "$name" "$s" "$r" "$x" "$p" "$c" "$e" "$rounds"
        else
            x=$(cut -d' ' -f2 "$work/$s.runs" | median)
            resumed[$name,$s]=$x
            printf "| %-35s | %-5s | %10.0f | %9.1f | %7.2f | %d/%d |\n" "$name" "$s" "$r" "$x" "$c" "$e" "$rounds"
        fi
    done
}

version() {
    case $1 in
    nginx) nginx -v 2>&1 | sed 's/.*\///' ;;
    h2o) h2o --version | awk 'NR == 1 {print $3}' ;;
    openssl) openssl version | awk '{print $2}' ;;
    esac
}
echo "pier serve vs nginx $(version nginx), h2o $(version h2o) over HTTPS (OpenSSL $(version openssl)):" \
     "$rounds interleaved rounds of ${seconds}s, medians"
ulp=$(cat /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null || true)
if [[ " $ulp " == *" tls "* ]]; then
    echo "Kernel TLS: available here (tcp_available_ulp: $ulp). pier turns it on by itself; nginx and h2o as configured here do not use it."
else
    echo "Kernel TLS: unavailable here (tcp_available_ulp: ${ulp:-none}; no tls module): every server encrypts in user space, and files are read into buffers (pread + SSL_write), not sent with sendfile."
fi
echo "Handshake scenarios: $clients openssl s_time clients side by side, runs of ${stime_seconds}s to $((stime_seconds + 1))s."
echo
echo "Negotiated by a default OpenSSL client:"
echo
echo "| server | certificate | protocol | cipher | key exchange | signature |"
echo "|---|---|---|---|---|---|"
for k in "${certs[@]}"; do
    for s in "${servers[@]}"; do
        read -r proto cipher group sig <<<"$(negotiated "${port[$s,$k]}")"
        echo "| $s | $k | ${proto:-?} | ${cipher:-?} | ${group:-?} | ${sig:-?} |"
    done
done

echo
echo "| scenario | server | req/s | GB/s | p99 ms | CPU µs/req | runs with errors |"
echo "|---|---|---:|---:|---:|---:|---|"
scenario wrk "13 B, keep-alive, 64 conns" ec /small.txt -t1 -c64
scenario wrk "1 MiB, keep-alive, 16 conns" ec /1m.bin -t1 -c16
keepalive_count=${#names[@]}
big_names=()
for name in "${names[@]}"; do [[ $name != "1 MiB"* ]] || big_names+=("$name"); done

echo
echo "| scenario | server | handshakes/s | resumed % | CPU µs/req | runs with errors |"
echo "|---|---|---:|---:|---:|---|"
scenario stime "13 B, new conn, full handshake, EC" ec /small.txt -new
scenario stime "13 B, new conn, resumed, EC" ec /small.txt -reuse
scenario stime "13 B, new conn, full handshake, RSA" rsa /small.txt -new
scenario stime "13 B, new conn, resumed, RSA" rsa /small.txt -reuse
handshake_names=("${names[@]:keepalive_count}")

echo
echo "Server CPU µs per request (lower is better; the deciding figure):"
echo
summary cpu min "%7.2f" names 35
echo
echo "Requests (handshakes) per second (higher is better; client-bound):"
echo
summary rps max "%8.0f" names 35
echo
echo "GB/s of the 1 MiB file (wrk's Transfer/sec; higher is better; wrk-bound):"
echo
summary gbps max "%6.3f" big_names 35
# A resumption scenario in which some server did not resume measures full handshakes for it.
for name in "${handshake_names[@]}"; do
    for s in "${servers[@]}"; do
        if [[ $name == *resumed* ]] && (($(bc -l <<<"${resumed[$name,$s]} < 99"))); then
            echo "tls_vs_nginx: warning: $s resumed only ${resumed[$name,$s]} % of the connections in \"$name\"" >&2
        elif [[ $name == *full* ]] && (($(bc -l <<<"${resumed[$name,$s]} > 0"))); then
            echo "tls_vs_nginx: warning: $s resumed ${resumed[$name,$s]} % of the connections in \"$name\"" >&2
        fi
    done
done
# Anything pier wrote besides its start-up lines (with -q there is no access log) is an error
# or warning worth seeing next to the figures.
for k in "${certs[@]}"; do
    if grep -qvE '^(Serving HTTPS on |Note: files are read)' "$work/pier-$k.log"; then
        echo "tls_vs_nginx: pier ($k) logged:" >&2
        grep -vE '^(Serving HTTPS on |Note: files are read)' "$work/pier-$k.log" | sort | uniq -c | sort -rn | head -n 20 >&2
    fi
done
