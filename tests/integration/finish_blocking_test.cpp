// Response::finish_blocking: a handler hands the rest of its work to the blocking pool, and
// the event loop answers other clients meanwhile (the static handler lists directories so).
#include "test_server.hpp"

#include <pier/router.hpp>
#include <pier/static_files.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>

namespace pier::test {
namespace {

ServerConfig one_loop() {
    ServerConfig c = TestServer::quiet_config();
    c.threads = 1; // one event loop: had the job run on it, nothing else could be answered
    return c;
}

// Requests pipelined behind a job are answered once it is done, even when no byte arrives
// after them: reading stops while the job runs (over TLS, where every read goes on until the
// socket is empty, it always does), and resuming it must not wait for new input before
// answering what is already buffered. A large answer in the middle makes the flush wait for
// the client, so the resumption happens on a write edge.
TEST(FinishBlocking, RequestsPipelinedBehindAJobAreAnsweredWithoutMoreInput) {
    Router router;
    router.get("/slow", [](const Request&, Response& res) {
        res.finish_blocking([](Response& out) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            out.set_body("slow done", "text/plain");
        });
    });
    router.get("/big", [](const Request&, Response& res) {
        res.set_body(std::string(std::size_t{4} << 20, 'b'), "application/octet-stream");
    });
    router.get("/small",
               [](const Request&, Response& res) { res.set_body("small", "text/plain"); });
    TestServer server(std::move(router), one_loop());
    Client c(server.port(), 3000);
    c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /big HTTP/1.1\r\nHost: t\r\n\r\n"
           "GET /small HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "slow done");
    EXPECT_EQ(body_of(c.read_response()).size(), std::size_t{4} << 20);
    const std::string third = c.read_response();
    EXPECT_EQ(status_line(third), "HTTP/1.1 200 OK") << third.substr(0, 200);
    EXPECT_EQ(body_of(third), "small");
}

TEST(FinishBlocking, OtherClientsAreAnsweredWhileTheJobRuns) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    Router router;
    router.get("/slow", [released](const Request& req, Response& res) {
        res.set_header("X-Path", req.path()); // what the handler set is kept
        res.finish_blocking([released](Response& out) {
            // Bounded: a server that ran this on its loop fails the test instead of hanging.
            released.wait_for(std::chrono::seconds(3));
            out.set_body("slow done", "text/plain");
        });
    });
    router.get("/fast", [](const Request&, Response& res) { res.set_body("fast", "text/plain"); });
    TestServer server(std::move(router), one_loop());

    Client slow(server.port());
    slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    Client fast(server.port(), 1000);
    fast.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(fast.read_response()), "fast");
    release.set_value();
    const std::string r = slow.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(r), "slow done");
    EXPECT_NE(r.find("\r\nX-Path: /slow\r\n"), std::string::npos);
    // The connection goes on after a pooled response.
    slow.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(slow.read_response()), "fast");
}

TEST(FinishBlocking, AJobThatThrowsAnswers500) {
    Router router;
    router.get("/bad", [](const Request&, Response& res) {
        res.finish_blocking([](Response&) { throw std::runtime_error("disk on fire"); });
    });
    TestServer server(std::move(router), one_loop());
    Client c(server.port());
    c.send("GET /bad HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 500 Internal Server Error");
}

// The listing of a directory of 10,000 entries goes through the pool and is complete.
TEST(FinishBlocking, LargeDirectoryListing) {
    namespace fs = std::filesystem;
    char tmpl[] = "/tmp/pier-many-XXXXXX";
    const std::string root = mkdtemp(tmpl);
    fs::create_directories(root + "/many");
    for (int i = 0; i < 10000; ++i) std::ofstream(root + "/many/f" + std::to_string(i) + ".txt");
    StaticFilesOptions o;
    o.root = root;
    TestServer server(static_files(o), one_loop());
    Client c(server.port());
    c.send("GET /many/ HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    for (const char* name : {"f0.txt", "f5000.txt", "f9999.txt"})
        EXPECT_NE(r.find(std::string("href=\"./") + name + "\""), std::string::npos) << name;
    fs::remove_all(root);
}

} // namespace
} // namespace pier::test
