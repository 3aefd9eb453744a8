// A script's process: its pipes, its own process group, nothing of the server inherited (no
// descriptor, no blocked or ignored signal), its exit seen through the pidfd.
#include "cgi/process.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace pier::cgi {
namespace {

// Everything `fd` gives until EOF (the pipes are non-blocking: poll between reads).
std::string read_all(int fd) {
    std::string out;
    char buffer[4096];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0) break;
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

int wait_exit(const Child& child) {
    pollfd p{child.pidfd.get(), POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 5000), 1) << "the pidfd never said the child exited";
    int status = -1;
    EXPECT_TRUE(reap(child.pid, status));
    return status;
}

SpawnSpec shell(const std::string& script) {
    SpawnSpec spec;
    spec.program = "/bin/sh";
    spec.argv = {"sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin", "GREETING=hello"};
    spec.directory = "/tmp";
    return spec;
}

TEST(CgiProcess, PipesEnvironmentDirectoryAndExitStatus) {
    Child child;
    std::string error;
    ASSERT_TRUE(
        spawn(shell("echo \"$GREETING from $(pwd)\"; echo oops >&2; cat; exit 3"), child, error))
        << error;
    ASSERT_EQ(write(child.stdin_pipe.get(), "piped in\n", 9), 9);
    child.stdin_pipe.reset(); // EOF for cat
    EXPECT_EQ(read_all(child.stdout_pipe.get()), "hello from /tmp\npiped in\n");
    EXPECT_EQ(read_all(child.stderr_pipe.get()), "oops\n");
    const int status = wait_exit(child);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 3);
    EXPECT_EQ(describe_exit(status), "exit status 3");
}

TEST(CgiProcess, NothingOfTheServerIsInherited) {
    // A descriptor without close-on-exec, a blocked and an ignored signal: all the server's.
    const int leaked = open("/dev/null", O_RDONLY);
    ASSERT_GE(leaked, 3);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigset_t before;
    pthread_sigmask(SIG_BLOCK, &block, &before);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction old_pipe {};
    sigaction(SIGPIPE, &ignore, &old_pipe);

    Child child;
    std::string error;
    const bool ok = spawn(shell("ls /proc/$$/fd | tr '\\n' ' '; echo; "
                                "echo pgid $(ps -o pgid= -p $$)"),
                          child, error);
    // The signal state of the spawned program itself (a shell blocks signals around its own
    // forks, so its /proc status would be read mid-fork at times).
    Child grep;
    SpawnSpec direct = shell("");
    direct.program = "/bin/grep";
    direct.argv = {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"};
    const bool grep_ok = spawn(direct, grep, error);
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    sigaction(SIGPIPE, &old_pipe, nullptr);
    close(leaked);
    ASSERT_TRUE(ok && grep_ok) << error;
    child.stdin_pipe.reset();
    grep.stdin_pipe.reset();
    const std::string out = read_all(child.stdout_pipe.get()) + read_all(grep.stdout_pipe.get());
    wait_exit(grep);
    EXPECT_EQ(out.substr(0, out.find('\n')), "0 1 2 ") << out;
    EXPECT_NE(out.find("SigBlk:\t0000000000000000"), std::string::npos) << out;
    // Ignored: none but glibc's own two real-time signals (33, 34), which it keeps.
    const std::size_t ignored = out.find("SigIgn:\t");
    ASSERT_NE(ignored, std::string::npos) << out;
    const unsigned long long mask = std::stoull(out.substr(ignored + 8, 16), nullptr, 16);
    EXPECT_EQ(mask & ~0x180000000ULL, 0u) << "SIGPIPE or another signal stays ignored: " << out;
    EXPECT_NE(out.find("pgid " + std::to_string(child.pid) + "\n"), std::string::npos)
        << "not the leader of its own process group: " << out;
    wait_exit(child);
}

TEST(CgiProcess, TheWholeGroupIsSignalled) {
    Child child;
    std::string error;
    // The script forks a sleeper and waits for it: killing only the script would leave it.
    ASSERT_TRUE(spawn(shell("sleep 30 & echo started; wait"), child, error)) << error;
    child.stdin_pipe.reset();
    char line[16] = {};
    pollfd p{child.stdout_pipe.get(), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 5000), 1);
    ASSERT_GT(read(child.stdout_pipe.get(), line, sizeof line), 0);
    signal_group(child.pid, SIGTERM);
    const int status = wait_exit(child);
    EXPECT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(describe_exit(status).rfind("killed by signal 15", 0), 0u);
    // The sleeper got it too: nothing holds the stdout pipe open any more.
    EXPECT_EQ(read_all(child.stdout_pipe.get()), "");
}

TEST(CgiProcess, AProgramThatDoesNotExistIsAnError) {
    Child child;
    std::string error;
    SpawnSpec spec = shell("true");
    spec.program = "/nonexistent/program";
    EXPECT_FALSE(spawn(spec, child, error));
    EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

} // namespace
} // namespace pier::cgi
