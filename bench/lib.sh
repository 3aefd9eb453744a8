# shellcheck shell=bash
# Shared by the benchmark scripts (sourced): a server's CPU time, the median of a column, wrk's
# figures, stopping the servers, a static-file nginx and the summary tables.

# The whole process tree under a pid: nginx's master and worker, h2o and its neverbleed and
# backtrace helpers.
tree() {
    local p
    echo "$1"
    for p in $(pgrep -P "$1"); do tree "$p"; done
}

# CPU ticks (utime+stime) of a process tree. A process's own stat covers all of its threads.
ticks() {
    local total=0 p t
    for p in $(tree "$1"); do
        # A child may exit between pgrep and the read: count what is still there.
        t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) || continue
        total=$((total + ${t:-0}))
    done
    echo $total
}

# The median of the numbers on stdin. Fixed-point output: awk's default %.6g would print
# 1234567.5 as 1.23457e+06, which bc rejects.
median() { sort -g | awk '{a[NR]=$1} END {printf "%.4f\n", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# CPU ticks of one process and of the children it has reaped (utime+stime+cutime+cstime): a
# CGI server's own work and its scripts'.
ticks_reaping() {
    awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"
}

# stop_servers PIDFILE...: TERM to every server, then KILL to whatever is still there after
# 2 s: h2o shuts down gracefully on SIGTERM, and a server left running would hold its port and
# skew the next run. The servers: the pids in the caller's pid[] array, its jobs (most are in
# pid[] as well: a second kill of one just fails) and the pids in the files given that exist
# (nginx's master, which is no job).
stop_servers() {
    local p f left=() pids=("${pid[@]}")
    for f in "$@"; do
        [[ -f $f ]] && pids+=("$(cat "$f")")
    done
    # shellcheck disable=SC2046 # one word per job
    for p in "${pids[@]}" $(jobs -p); do
        kill "$p" 2>/dev/null && left+=("$p")
    done
    for _ in {1..20}; do
        for p in "${!left[@]}"; do kill -0 "${left[$p]}" 2>/dev/null || unset 'left[p]'; done
        [[ ${#left[@]} -eq 0 ]] && break
        sleep 0.1
    done
    for p in "${left[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}

# wrk_figures OUTPUT: "req/s requests p99_ms errors" from wrk's output (p99 with --latency), 0 for a
# figure it lacks (a failed run) and errors 1 if it reports non-2xx answers or socket errors.
wrk_figures() {
    local rps reqs p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$1")
    reqs=$(awk '/requests in/ {print $1}' <<<"$1")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) sub("ms","",v); else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' <<<"$1")
    errors=$(awk '/Non-2xx|Socket errors/ {e=1} END {print e+0}' <<<"$1")
    echo "${rps:-0} ${reqs:-0} ${p99:-0} $errors"
}

# nginx_conf PREFIX: writes PREFIX.conf, nginx configured as a fair operator would for static
# files: one worker, no access log, keep-alive without a request limit, sendfile and the
# open-file cache; its pid in PREFIX.pid, its logs and temporary files under PREFIX (start it
# with -p PREFIX, after mkdir -p PREFIX/logs). Stdin is the rest of the http block.
nginx_conf() {
    {
        cat <<CONF
worker_processes 1;
pid $1.pid;
error_log $1/logs/error.log crit;
events { worker_connections 20000; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    open_file_cache max=1000 inactive=60s;
    types { text/plain txt; application/octet-stream bin; }
    include $(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/nginx_temp_paths.conf;
CONF
        cat
        echo "}"
    } >"$1.conf"
}

# summary <table> <min|max> <format> <scenarios> <width>: one row per scenario (the names in
# the array <scenarios>, in a column <width> wide), each server's median from the associative
# array <table> (keyed "scenario,server"), the best peer by that figure and pier's ratio to
# it. The servers and peers are the caller's servers[] and peers[].
# shellcheck disable=SC2154
summary() {
    local -n table=$1 rows=$4
    local better=$2 fmt=$3 width=$5 name s best ratio
    printf "| scenario |"
    for s in "${servers[@]}"; do printf " %s |" "$s"; done
    echo " best peer | pier / best peer |"
    printf "|---|"
    for s in "${servers[@]}"; do printf -- "---:|"; done
    echo "---|---:|"
    for name in "${rows[@]}"; do
        best=
        for s in "${peers[@]}"; do
            if [[ -z $best ]] || { [[ $better == min ]] && (($(bc -l <<<"${table[$name,$s]} < ${table[$name,$best]}"))); } ||
               { [[ $better == max ]] && (($(bc -l <<<"${table[$name,$s]} > ${table[$name,$best]}"))); }; then
                best=$s
            fi
        done
        if (($(bc -l <<<"${table[$name,$best]} > 0"))); then
            ratio=$(printf "%.2fx" "$(bc -l <<<"${table[$name,pier]} / ${table[$name,$best]}")")
        else
            ratio=n/a
        fi
        printf "| %-*s |" "$width" "$name"
        # shellcheck disable=SC2059 # the format is the caller's, for its figure
        for s in "${servers[@]}"; do printf " $fmt |" "${table[$name,$s]}"; done
        printf " %-8s | %s |\n" "$best" "$ratio"
    done
}
