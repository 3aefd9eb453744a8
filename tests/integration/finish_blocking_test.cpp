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

namespace pier::test {
namespace {

ServerConfig one_loop() {
    ServerConfig c = TestServer::quiet_config();
    c.threads = 1; // one event loop: had the job run on it, nothing else could be answered
    return c;
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
