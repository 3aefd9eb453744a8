// ws::exec over real sockets: a program per connection, its lines as messages and the client's
// messages as its lines, its end as the connection's end, and the connection's end as its end
// (SIGTERM, SIGKILL after the grace), a bound on programs at once and on what is held for a
// client that does not read.
#include "test_server.hpp"
#include "ws_probe.hpp"

#include <pier/router.hpp>
#include <pier/websocket_endpoint.hpp>
#include <pier/ws_exec.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace pier::test {
namespace {

using namespace std::chrono_literals;

ws::Handlers program(std::vector<std::string> argv, std::size_t max_running = 64) {
    ws::ExecOptions o;
    o.argv = std::move(argv);
    o.max_running = max_running;
    return ws::exec(std::move(o));
}

std::unique_ptr<TestServer> serving(std::string_view path, const ws::Handlers& handlers,
                                    ws::Options options = {}) {
    Router router;
    router.websocket(path, handlers, std::move(options));
    return std::make_unique<TestServer>(std::move(router));
}

// A shell that says its pid first, then becomes (or runs) the rest.
std::vector<std::string> shell(std::string script) {
    return {"sh", "-c", "echo $$; " + std::move(script)};
}

pid_t pid_in(const WsProbe::Received& m) {
    return static_cast<pid_t>(std::stol(m.data.substr(0, m.data.find(' '))));
}

// Gone: reaped (a child of this process is the server's to reap), or a zombie when it is not
// ours (a grandchild left to init).
bool gone(pid_t pid, bool ours = true) {
    if (::kill(pid, 0) != 0) return errno == ESRCH;
    if (ours) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const std::size_t paren = line.rfind(')');
    return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] == 'Z';
}

bool gone_within(pid_t pid, std::chrono::milliseconds limit, bool ours = true) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!gone(pid, ours)) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

TEST(WsExec, EveryLineInOrderThenANormalClose) {
    const auto server = serving("/count", program({"seq", "1", "1000"}));
    WsProbe c(server->port(), "/count");
    ASSERT_TRUE(c.wait_closed(10s));
    const auto got = c.messages();
    ASSERT_EQ(got.size(), 1000u);
    for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].data, std::to_string(i + 1)) << i;
        ASSERT_TRUE(got[i].text) << i;
    }
    EXPECT_EQ(c.close_code(), ws::close_code::normal);
}

TEST(WsExec, AFailingProgramClosesWith1011AndItsStatus) {
    const auto server = serving("/fail", program({"sh", "-c", "printf 'a\\nlast'; exit 3"}));
    WsProbe c(server->port(), "/fail");
    ASSERT_TRUE(c.wait_closed());
    EXPECT_EQ(c.close_code(), ws::close_code::internal_error);
    EXPECT_EQ(c.close_reason(), "exit status 3");
    const auto got = c.messages();
    ASSERT_EQ(got.size(), 2u); // a last line without its newline still goes out
    EXPECT_EQ(got[0].data, "a");
    EXPECT_EQ(got[1].data, "last");
}

TEST(WsExec, AProgramThatCannotStartClosesWith1011) {
    const auto server = serving("/none", program({"/nonexistent/pier-ws-exec-program"}));
    WsProbe c(server->port(), "/none");
    ASSERT_TRUE(c.wait_closed());
    EXPECT_EQ(c.close_code(), ws::close_code::internal_error);
    EXPECT_EQ(c.message_count(), 0u);
}

TEST(WsExec, MessagesAreLinesOnStdin) {
    const auto server = serving("/cat", program({"cat"}));
    WsProbe c(server->port(), "/cat");
    ASSERT_TRUE(c.wait_open());
    for (const char* line : {"hello", "w\xc3\xb6rld", "", "last one"}) c.send_text(line);
    ASSERT_TRUE(c.wait_messages(4)) << c.message_count() << " messages; failed " << c.failed();
    const auto got = c.messages();
    EXPECT_EQ(got[0].data, "hello");
    EXPECT_EQ(got[1].data, "w\xc3\xb6rld");
    EXPECT_EQ(got[2].data, "");
    EXPECT_EQ(got[3].data, "last one");
    EXPECT_FALSE(c.close_code());
}

TEST(WsExec, OutputThatIsNotUtf8IsABinaryMessage) {
    const auto server =
        serving("/bytes", program({"printf", "caf\\303\\251\\n\\377\\376ok\\nend\\r\\n"}));
    WsProbe c(server->port(), "/bytes");
    ASSERT_TRUE(c.wait_closed());
    const auto got = c.messages();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_TRUE(got[0].text);
    EXPECT_EQ(got[0].data, "caf\xc3\xa9");
    EXPECT_FALSE(got[1].text);
    EXPECT_EQ(got[1].data, "\xff\xfeok");
    EXPECT_TRUE(got[2].text);
    EXPECT_EQ(got[2].data, "end"); // CRLF line ends are lines too
    EXPECT_EQ(c.close_code(), ws::close_code::normal);
}

TEST(WsExec, AClientThatLeavesStopsItsProgram) {
    const auto server = serving("/cat", program(shell("exec cat")));
    WsProbe c(server->port(), "/cat");
    ASSERT_TRUE(c.wait_messages(1));
    const pid_t pid = pid_in(c.messages()[0]);
    ASSERT_FALSE(gone(pid));
    c.drop();
    EXPECT_TRUE(gone_within(pid, 3s)) << "the program outlived its client";
}

TEST(WsExec, AProgramThatIgnoresSigtermIsKilledAfterTheGrace) {
    const auto server = serving(
        "/stubborn",
        program({"sh", "-c", "trap '' TERM; sleep 100 & echo $$ $!; while :; do sleep 1; done"}));
    WsProbe c(server->port(), "/stubborn");
    ASSERT_TRUE(c.wait_messages(1));
    const std::string line = c.messages()[0].data;
    const pid_t pid = pid_in(c.messages()[0]);
    const pid_t background = static_cast<pid_t>(std::stol(line.substr(line.find(' ') + 1)));
    c.close(); // a polite client this time
    std::this_thread::sleep_for(1s);
    EXPECT_FALSE(gone(pid)) << "SIGTERM was not ignored: the test proves nothing";
    EXPECT_TRUE(gone_within(pid, 3s)) << "not killed after the grace";
    EXPECT_TRUE(gone_within(background, 1s, false)) << "its group was not killed";
}

TEST(WsExec, ConnectionsPastTheLimitAreClosedWith1008) {
    const auto server = serving("/cat", program(shell("exec cat"), 2));
    WsProbe a(server->port(), "/cat");
    WsProbe b(server->port(), "/cat");
    ASSERT_TRUE(a.wait_messages(1));
    ASSERT_TRUE(b.wait_messages(1));
    WsProbe third(server->port(), "/cat");
    ASSERT_TRUE(third.wait_closed());
    EXPECT_EQ(third.close_code(), ws::close_code::policy_violation);
    EXPECT_EQ(third.message_count(), 0u);
    EXPECT_FALSE(a.close_code());
    // A slot comes back once a program is gone.
    const pid_t first = pid_in(a.messages()[0]);
    a.drop();
    ASSERT_TRUE(gone_within(first, 3s));
    std::this_thread::sleep_for(100ms);
    WsProbe fourth(server->port(), "/cat");
    EXPECT_TRUE(fourth.wait_messages(1));
    EXPECT_FALSE(fourth.close_code());
}

// What the server holds for the program's output while its client does not read.
struct QueueWatch {
    std::atomic<Loop*> loop{nullptr};
    ws::Socket* socket = nullptr; // the server loop's own
    std::atomic<std::size_t> max{0};
};

ws::Handlers watched(ws::Handlers h, std::shared_ptr<QueueWatch> w) {
    h.on_open = [open = h.on_open, w](ws::Socket& s) {
        w->socket = &s;
        w->loop = &s.loop();
        open(s);
    };
    h.on_close = [close = h.on_close, w](ws::Socket& s, std::uint16_t code,
                                         std::string_view reason) {
        w->socket = nullptr;
        close(s, code, reason);
    };
    return h;
}

TEST(WsExec, AClientThatDoesNotReadHoldsTheProgramNotTheServersMemory) {
    constexpr std::size_t kHighWater = 64 * 1024;
    const auto w = std::make_shared<QueueWatch>();
    ws::Options o;
    o.high_water = kHighWater;
    o.compression = false;
    const std::string line(1000, 'y');
    const auto server = serving("/yes", watched(program(shell("exec yes " + line)), w), o);
    WsProbe c(server->port(), "/yes", /*pause_at_open=*/true);
    ASSERT_TRUE(c.wait_open());
    // Samples for at most 5 s, and 1 s past the moment the queue reached its high-water mark.
    const auto start = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> pressed;
    while (std::chrono::steady_clock::now() - start < 5s &&
           (!pressed || std::chrono::steady_clock::now() - *pressed < 1s)) {
        if (Loop* loop = w->loop.load()) {
            loop->post([w] {
                if (w->socket != nullptr) w->max = std::max(w->max.load(), w->socket->queued());
            });
        }
        if (!pressed && w->max >= kHighWater) pressed = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(pressed) << "never reached the high-water mark (max " << w->max << ")";
    // One read of the pipe (64 KiB) past the mark at most.
    EXPECT_LE(w->max, kHighWater + 128 * 1024);
    EXPECT_FALSE(c.close_code()) << "closed: " << *c.close_code();
    // Reading again, the client gets the output where it stopped.
    c.with_socket([](ws::Socket& s) { s.pause_reading(false); });
    EXPECT_TRUE(c.wait_messages(5000, 5s)) << c.message_count() << " messages";
    c.with_socket([](ws::Socket& s) { s.pause_reading(true); });
    const auto got = c.messages();
    ASSERT_GE(got.size(), 2u);
    EXPECT_EQ(got[1].data, line);
    EXPECT_EQ(got.back().data, line);
    // A program blocked on a full pipe goes with its client all the same.
    c.drop();
    EXPECT_TRUE(gone_within(pid_in(got[0]), 3s));
}

} // namespace
} // namespace pier::test
