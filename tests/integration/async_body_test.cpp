// Asynchronous bodies both ways. A response source may say "pending" and be woken later (by a
// loop timer, a watched descriptor or another thread): meanwhile its loop serves everyone
// else and the source is not pulled. A request-body sink may pause reading, and is not fed
// again until it resumes.
#include "test_server.hpp"

#include <pier/loop.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <fcntl.h>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

namespace pier::test {
namespace {

using namespace std::chrono_literals;
using Pull = Response::Pull;

// The chunked body of a response read to close, decoded the simple way tests can afford.
std::string dechunk(std::string_view body) {
    std::string out;
    while (!body.empty()) {
        const std::size_t eol = body.find("\r\n");
        const std::size_t size = std::stoul(std::string(body.substr(0, eol)), nullptr, 16);
        if (size == 0) break;
        out.append(body.substr(eol + 2, size));
        body.remove_prefix(eol + 2 + size + 2);
    }
    return out;
}

struct SlowState {
    int sent = 0;
    bool ready = false;
    Loop::Timer timer;
};

TEST(AsyncBodies, APendingSourceCostsItsLoopNothing) {
    std::atomic<int> pulls{0};
    Router router;
    router.get("/slow", [&pulls](const Request& req, Response& res) {
        auto state = std::make_shared<SlowState>();
        Loop& loop = req.loop();
        res.set_stream([&pulls, state, &loop](std::string& out, const Resume& resume) {
            ++pulls;
            if (state->ready) {
                state->ready = false;
                out += "piece " + std::to_string(++state->sent) + "\n";
                return state->sent == 3 ? Pull::done : Pull::more;
            }
            // Nothing yet: ask to be woken in 400 ms (weakly: the timer must not keep the
            // state alive if the client goes away).
            std::weak_ptr<SlowState> weak = state;
            state->timer = loop.after(400ms, [weak, resume] {
                if (auto s = weak.lock()) s->ready = true;
                resume();
            });
            return Pull::pending;
        });
    });
    router.get("/fast", [](const Request&, Response& res) { res.set_body("fast\n"); });
    TestServer server(std::move(router)); // one loop
    Client slow(server.port(), 5000);
    slow.send("GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    std::this_thread::sleep_for(50ms);
    // Meanwhile the same loop answers another client at once, several times over.
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
        Client fast(server.port(), 1000);
        fast.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n");
        EXPECT_EQ(body_of(fast.read_response()), "fast\n");
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms);
    const std::string r = slow.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(dechunk(body_of(r)), "piece 1\npiece 2\npiece 3\n");
    // Each piece costs one pull that says pending and one that delivers: O(pieces), not one
    // per loop iteration.
    EXPECT_LE(pulls.load(), 6);
}

TEST(AsyncBodies, ASourceMayBeWokenFromAnotherThread) {
    std::vector<std::thread> producers;
    std::mutex producers_mutex;
    Router router;
    router.get("/thread", [&](const Request&, Response& res) {
        auto produced = std::make_shared<std::atomic<int>>(0);
        auto taken = std::make_shared<int>(0);
        bool started = false;
        res.set_stream([produced, taken, started, &producers,
                        &producers_mutex](std::string& out, const Resume& resume) mutable {
            if (!started) {
                started = true;
                std::lock_guard lock(producers_mutex);
                producers.emplace_back([produced, resume] {
                    for (int i = 0; i < 4; ++i) {
                        std::this_thread::sleep_for(30ms);
                        ++*produced;
                        resume(); // any thread, any number of times
                        resume();
                    }
                });
            }
            const int now = produced->load();
            while (*taken < now) out += "tick " + std::to_string(++*taken) + "\n";
            if (*taken == 4) return Pull::done;
            return out.empty() ? Pull::pending : Pull::more;
        });
    });
    TestServer server(std::move(router));
    Client c(server.port());
    c.send("GET /thread HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    const std::string r = c.read_to_close();
    EXPECT_EQ(dechunk(body_of(r)), "tick 1\ntick 2\ntick 3\ntick 4\n");
    for (auto& t : producers) t.join();
}

TEST(AsyncBodies, AResumeAfterTheClientLeftDoesNothing) {
    std::promise<Resume> handed;
    Router router;
    router.get("/never", [&handed](const Request&, Response& res) {
        res.set_stream([&handed, given = false](std::string&, const Resume& resume) mutable {
            if (!given) handed.set_value(resume);
            given = true;
            return Pull::pending;
        });
    });
    router.get("/fast", [](const Request&, Response& res) { res.set_body("fast\n"); });
    TestServer server(std::move(router));
    Resume resume;
    {
        Client c(server.port());
        c.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n");
        resume = handed.get_future().get();
        // A client that resets: the connection is gone.
        linger lin{1, 0};
        setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
    }
    std::this_thread::sleep_for(100ms);
    resume();
    resume();
    Client c(server.port());
    c.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "fast\n");
}

// A source fed by a pipe through a loop watcher: the shape of a CGI script's output.
TEST(AsyncBodies, ASourceCanStreamAWatchedPipe) {
    struct PipeState {
        int fds[2] = {-1, -1};
        Loop::Watch watch;
        bool eof = false;
        std::thread writer;
        ~PipeState() {
            watch = {};
            if (writer.joinable()) writer.join();
            if (fds[0] >= 0) close(fds[0]);
        }
    };
    Router router;
    router.get("/pipe", [](const Request& req, Response& res) {
        auto p = std::make_shared<PipeState>();
        if (pipe2(p->fds, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("pipe");
        p->writer = std::thread([w = p->fds[1]] {
            for (int i = 0; i < 3; ++i) {
                std::this_thread::sleep_for(40ms);
                const std::string line = "line " + std::to_string(i) + "\n";
                [[maybe_unused]] ssize_t n = write(w, line.data(), line.size());
            }
            close(w);
        });
        Loop& loop = req.loop();
        res.set_stream([p, &loop](std::string& out, const Resume& resume) {
            char buf[256];
            for (;;) {
                const ssize_t n = read(p->fds[0], buf, sizeof buf);
                if (n > 0) {
                    out.append(buf, static_cast<std::size_t>(n));
                    continue;
                }
                if (n == 0) return Pull::done;
                break; // EAGAIN
            }
            if (!p->watch) // weakly: the state owns the watch, not the other way round
                p->watch = loop.watch(p->fds[0], Loop::readable,
                                      [weak = std::weak_ptr<PipeState>(p), resume](unsigned) {
                                          if (auto s = weak.lock())
                                              s->watch.set_interest(0); // until the next pull
                                          resume();
                                      });
            else
                p->watch.set_interest(Loop::readable);
            return out.empty() ? Pull::pending : Pull::more;
        });
    });
    TestServer server(std::move(router));
    Client c(server.port());
    c.send("GET /pipe HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(dechunk(body_of(c.read_to_close())), "line 0\nline 1\nline 2\n");
}

TEST(AsyncBodies, APausedSinkIsNotFedUntilItResumes) {
    struct Upload {
        std::size_t bytes = 0;
        int pieces = 0;
        bool paused = false;
        int fed_while_paused = 0;
        Loop::Timer timer;
    };
    std::atomic<int> violations{-1};
    Router router;
    router.post("/upload",
                [&violations](const Request& req, Response& res) {
                    auto u = std::make_shared<Upload>();
                    Loop& loop = req.loop();
                    res.read_body(
                        [u, &loop](std::string_view piece, const Resume& resume) {
                            if (u->paused) ++u->fed_while_paused;
                            u->bytes += piece.size();
                            // Every fourth piece, stall the client for a tick of the loop's timer.
                            if (++u->pieces % 4 != 0) return Response::Intake::more;
                            u->paused = true;
                            std::weak_ptr<Upload> weak = u;
                            u->timer = loop.after(10ms, [weak, resume] {
                                if (auto up = weak.lock()) up->paused = false;
                                resume();
                            });
                            return Response::Intake::pause;
                        },
                        [u, &violations](Response& done) {
                            violations = u->fed_while_paused;
                            done.set_body(std::to_string(u->bytes));
                        });
                },
                {.stream_body = true});
    TestServer server(std::move(router));
    const std::string body(1024 * 1024 + 5, 'u');
    for (const bool chunked : {false, true}) {
        Client c(server.port(), 10000);
        if (chunked) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (std::size_t at = 0; at < body.size(); at += 65536) {
                const std::string piece = body.substr(at, 65536);
                char size[16];
                std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
                c.send(size + piece + "\r\n");
            }
            c.send("0\r\n\r\n");
        } else {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n");
            c.send(body);
        }
        const std::string r = c.read_response();
        EXPECT_EQ(body_of(r), std::to_string(body.size())) << chunked;
        EXPECT_EQ(violations.load(), 0) << chunked;
    }
}

} // namespace
} // namespace pier::test
