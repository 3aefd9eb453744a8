// A CGI script's process: started with posix_spawn (vfork semantics, no shell), in a process
// group of its own, in its directory, with pipes for stdin, stdout and stderr and no other
// descriptor of the server (every descriptor but 0-2 is closed in the child, whatever its
// close-on-exec flag). The server's ends are non-blocking, for the event loop; a pidfd
// becomes readable when the process exits, so no SIGCHLD handler is needed.
#pragma once

#include "net/socket.hpp"

#include <pier/loop.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pier::cgi {

struct SpawnSpec {
    std::string program;           // a path, or a bare name looked up in the child's PATH
    std::vector<std::string> argv; // argv[0] included
    std::vector<std::string> env;  // "NAME=value"
    std::string directory;         // the working directory
    /// The script's stdin: this descriptor (a spooled body, rewound) instead of a pipe.
    int stdin_fd = -1;
};

struct Child {
    pid_t pid = -1;
    net::Fd stdin_pipe; // empty when stdin_fd was given
    net::Fd stdout_pipe;
    net::Fd stderr_pipe;
    net::Fd pidfd;
};

/// False with a reason (ENOENT: "no such program") when the process could not start.
bool spawn(const SpawnSpec& spec, Child& child, std::string& error);

/// Signals the child's whole process group (what it forked too).
void signal_group(pid_t pid, int signal) noexcept;

/// Collects an exited child's status without waiting: false while it still runs.
bool reap(pid_t pid, int& status) noexcept;

/// The children running over the whole server, against a bound (CgiOptions::max_running, the
/// ws-exec limit).
struct Budget {
    std::atomic<std::size_t> running{0};
    std::size_t max = 0;
};

/// SIGTERM first; a child still there this much later gets SIGKILL.
inline constexpr std::chrono::milliseconds kKillGrace{2000};

/// A child nobody waits for any more (its request or connection is gone): its process group is
/// told to stop, killed if it does not within kKillGrace, and reaped, from `loop`; `budget`
/// (may be null) gets its slot back then. A thread that ends kills and reaps what it still had.
void abandon(Loop& loop, Child& child, std::shared_ptr<Budget> budget);

/// "exit status 3", "killed by signal 9 (Killed)": for the log.
std::string describe_exit(int status);

} // namespace pier::cgi
