// Each stage of a request has the deadline that fits it: the client's header and body
// timeouts time the client, never a handler that is still working on a complete request.
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pier::test {
namespace {

using namespace std::chrono_literals;

ServerConfig short_timeouts() {
    ServerConfig config = TestServer::quiet_config();
    config.timeouts.header = 100ms;
    config.timeouts.body_stall = 100ms;
    return config;
}

TEST(Deadlines, BlockingHandlerSlowerThanTheHeaderTimeoutStillAnswers) {
    Router router;
    router.get("/slow",
               [](const Request&, Response& res) {
                   std::this_thread::sleep_for(400ms); // four header timeouts
                   res.set_body("done\n", "text/plain");
                   res.add_header("X-Filled", "by the pool");
               },
               {.blocking = true});
    TestServer server(std::move(router), short_timeouts());
    Client c(server.port());
    c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_TRUE(has_header(r, "X-Filled: by the pool"));
    EXPECT_EQ(body_of(r), "done\n");
    // The connection goes on with the next request.
    c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 200 OK");
}

TEST(Deadlines, FinishBlockingJobSlowerThanTheBodyTimeoutStillAnswers) {
    Router router;
    router.post("/slow", [](const Request& req, Response& res) {
        const std::size_t size = req.body().size();
        res.finish_blocking([size](Response& out) {
            std::this_thread::sleep_for(400ms);
            out.set_body(std::to_string(size), "text/plain");
        });
    });
    TestServer server(std::move(router), short_timeouts());
    Client c(server.port());
    c.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(r), "5");
}

TEST(Deadlines, AHeadThatStopsArrivingStillTimesOut) {
    TestServer server([](const Request&, Response& res) { res.set_body("x"); }, short_timeouts());
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHo");
    const std::string r = c.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 408 Request Timeout");
}

TEST(Deadlines, ABodyThatStopsArrivingStillTimesOut) {
    TestServer server([](const Request&, Response& res) { res.set_body("x"); }, short_timeouts());
    Client c(server.port());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
    const std::string r = c.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 408 Request Timeout");
}

// Without deferred accept a connection that says nothing is accepted at once, so its header
// deadline runs from the connect (with it, the kernel holds it back for about a second).
TEST(Deadlines, WithoutDeferredAcceptASilentClientIsTimedFromItsConnect) {
    ServerConfig config = TestServer::quiet_config();
    config.defer_accept = false;
    config.timeouts.header = std::chrono::milliseconds(200);
    config.timeouts.handshake = std::chrono::milliseconds(200); // the same over TLS (tls.*)
    TestServer server([](const Request&, Response& res) { res.set_body("x"); }, config);
    Client c(server.port(), 3000, /*tls=*/false);
    const auto start = std::chrono::steady_clock::now();
    c.read_to_close();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(800));
}

} // namespace
} // namespace pier::test
