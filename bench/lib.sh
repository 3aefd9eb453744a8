# shellcheck shell=bash
# Shared by the benchmark scripts (sourced): a server's CPU time and the median of a column.

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
