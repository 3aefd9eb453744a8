#include "cgi/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace pier::cgi {
namespace {

// The pipe's ends: [0] read, [1] write, both close-on-exec (the child gets its end by dup2,
// which clears the flag on the copy).
bool make_pipe(net::Fd& read_end, net::Fd& write_end) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end = net::Fd(fds[0]);
    write_end = net::Fd(fds[1]);
    return true;
}

bool set_nonblocking(int fd) {
    const int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

std::vector<char*> pointers(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// The spawn's attributes and file actions, freed on every path.
struct Spawn {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    Spawn() {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~Spawn() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
};

} // namespace

bool spawn(const SpawnSpec& spec, Child& child, std::string& error) {
    net::Fd in_read, in_write, out_read, out_write, err_read, err_write;
    if ((spec.stdin_fd < 0 && !make_pipe(in_read, in_write)) || !make_pipe(out_read, out_write) ||
        !make_pipe(err_read, err_write)) {
        error = std::string("cannot make a pipe: ") + std::strerror(errno);
        return false;
    }
    Spawn s;
    // Its own process group (killed as one), every signal at its default and none blocked:
    // the server's threads block SIGINT/SIGTERM and ignore SIGPIPE, which a script must not
    // inherit (a `yes | head` in it would never end).
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setpgroup(&s.attr, 0);
    posix_spawnattr_setsigmask(&s.attr, &none);
    posix_spawnattr_setsigdefault(&s.attr, &all);
    posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                          POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);
    const int stdin_source = spec.stdin_fd >= 0 ? spec.stdin_fd : in_read.get();
    posix_spawn_file_actions_adddup2(&s.actions, stdin_source, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&s.actions, out_write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&s.actions, err_write.get(), STDERR_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&s.actions, STDERR_FILENO + 1);
    if (!spec.directory.empty())
        posix_spawn_file_actions_addchdir_np(&s.actions, spec.directory.c_str());

    std::vector<char*> argv = pointers(spec.argv);
    std::vector<char*> env = pointers(spec.env);
    pid_t pid = -1;
    const bool search = spec.program.find('/') == std::string::npos;
    const int rc =
        search
            ? posix_spawnp(&pid, spec.program.c_str(), &s.actions, &s.attr, argv.data(), env.data())
            : posix_spawn(&pid, spec.program.c_str(), &s.actions, &s.attr, argv.data(), env.data());
    if (rc != 0) {
        error = "cannot run " + spec.program + ": " + std::strerror(rc);
        return false;
    }
    child.pid = pid;
    child.pidfd = net::Fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (!child.pidfd) { // a kernel older than 5.3: nothing to wait on without blocking
        error = std::string("pidfd_open: ") + std::strerror(errno);
        signal_group(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        return false;
    }
    child.stdin_pipe = std::move(in_write);
    child.stdout_pipe = std::move(out_read);
    child.stderr_pipe = std::move(err_read);
    for (const net::Fd* fd : {&child.stdin_pipe, &child.stdout_pipe, &child.stderr_pipe})
        if (*fd) set_nonblocking(fd->get());
    return true;
}

void signal_group(pid_t pid, int signal) noexcept {
    if (pid > 0) kill(-pid, signal);
}

bool reap(pid_t pid, int& status) noexcept {
    pid_t r;
    do r = waitpid(pid, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    return r == pid || (r < 0 && errno == ECHILD);
}

std::string describe_exit(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    return "status " + std::to_string(status);
}

namespace {

// A child left behind by its request or connection: told to stop (the group), killed if it does
// not, and reaped. Kept in its loop thread's list until then; a server that stops (the thread ends)
// kills and reaps what is left.
struct Orphan {
    pid_t pid = -1;
    net::Fd pidfd;
    std::shared_ptr<Budget> budget;
    Loop::Watch watch;
    Loop::Timer kill_timer;
    bool reaped = false;

    ~Orphan() {
        if (reaped) return;
        signal_group(pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (budget) budget->running.fetch_sub(1, std::memory_order_relaxed);
    }

    static std::vector<std::unique_ptr<Orphan>>& of_this_thread() {
        thread_local std::vector<std::unique_ptr<Orphan>> orphans;
        return orphans;
    }

    static void adopt(Loop& loop, Child& child, std::shared_ptr<Budget> budget) {
        auto o = std::make_unique<Orphan>();
        o->pid = child.pid;
        o->pidfd = std::move(child.pidfd);
        o->budget = std::move(budget);
        child.pid = -1;
        signal_group(o->pid, SIGTERM);
        Orphan* self = o.get();
        o->kill_timer = loop.after(kKillGrace, [self] {
            if (!self->reaped) signal_group(self->pid, SIGKILL); // before reaping: pid not reused
        });
        o->watch = loop.watch(self->pidfd.get(), Loop::readable, [self](unsigned) {
            int status = 0;
            if (self->reaped || !reap(self->pid, status)) return;
            self->reaped = true;
            if (self->budget) self->budget->running.fetch_sub(1, std::memory_order_relaxed);
            // Freed now: a watch may end in its own callback (its lambda goes after the batch).
            auto& list = of_this_thread();
            std::erase_if(list,
                          [self](const std::unique_ptr<Orphan>& p) { return p.get() == self; });
        });
        of_this_thread().push_back(std::move(o));
    }
};

} // namespace

void abandon(Loop& loop, Child& child, std::shared_ptr<Budget> budget) {
    Orphan::adopt(loop, child, std::move(budget));
}

} // namespace pier::cgi
