// Routing (patterns, 404/405/Allow, OPTIONS, virtual hosts, mounts) and the blocking pool.
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace pier::test {
namespace {

Handler say(std::string what) {
    return [what](const Request& req, Response& res) {
        std::string body = what;
        if (!req.param("id").empty()) body += " id=" + std::string(req.param("id"));
        res.set_body(body);
    };
}

Router sample_router() {
    Router r;
    r.get("/", say("home"));
    r.get("/users/{id}", say("user"));
    r.put("/users/{id}", say("put user"));
    r.mount("/static/", say("static"));
    r.for_host("api.example").get("/", say("api home"));
    return r;
}

std::string ask(std::uint16_t port, std::string_view request, Method m = Method::get) {
    Client c(port);
    c.send(request);
    return c.read_response(m);
}

TEST(Router, PatternsParametersAndMounts) {
    TestServer server(sample_router());
    EXPECT_EQ(body_of(ask(server.port(), "GET / HTTP/1.1\r\nHost: t\r\n\r\n")), "home");
    EXPECT_EQ(body_of(ask(server.port(), "GET /users/42 HTTP/1.1\r\nHost: t\r\n\r\n")),
              "user id=42");
    EXPECT_EQ(body_of(ask(server.port(),
                          "PUT /users/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")),
              "put user id=7");
    EXPECT_EQ(body_of(ask(server.port(), "DELETE /static/a/b.css HTTP/1.1\r\nHost: t\r\n\r\n")),
              "static");
    EXPECT_EQ(status_line(ask(server.port(), "GET /users HTTP/1.1\r\nHost: t\r\n\r\n")),
              "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(ask(server.port(), "GET /users/1/x HTTP/1.1\r\nHost: t\r\n\r\n")),
              "HTTP/1.1 404 Not Found");
}

TEST(Router, WrongMethodIs405WithAllow) {
    TestServer server(sample_router());
    const std::string r =
        ask(server.port(), "POST /users/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 405 Method Not Allowed");
    EXPECT_TRUE(has_header(r, "Allow: GET, HEAD, PUT, OPTIONS")) << r;
}

TEST(Router, HeadFollowsGetAndOptionsListsMethods) {
    TestServer server(sample_router());
    const std::string head =
        ask(server.port(), "HEAD /users/1 HTTP/1.1\r\nHost: t\r\n\r\n", Method::head);
    EXPECT_EQ(status_line(head), "HTTP/1.1 200 OK");
    EXPECT_TRUE(has_header(head, "Content-Length: 9")) << head;
    EXPECT_EQ(body_of(head), "");
    const std::string options = ask(server.port(), "OPTIONS /users/1 HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(options), "HTTP/1.1 204 No Content");
    EXPECT_TRUE(has_header(options, "Allow: GET, HEAD, PUT, OPTIONS")) << options;
    const std::string star = ask(server.port(), "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(star), "HTTP/1.1 204 No Content");
    EXPECT_TRUE(has_header(star, "Allow: GET, HEAD, PUT, OPTIONS")) << star;
}

TEST(Router, VirtualHostsComeFirstAndIgnoreThePort) {
    TestServer server(sample_router());
    EXPECT_EQ(body_of(ask(server.port(), "GET / HTTP/1.1\r\nHost: API.example:8080\r\n\r\n")),
              "api home");
    EXPECT_EQ(body_of(ask(server.port(), "GET / HTTP/1.1\r\nHost: other\r\n\r\n")), "home");
}

// A blocking handler runs on the pool: while it is stuck, other clients are served.
TEST(BlockingPool, AStalledHandlerDoesNotStallOtherClients) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    Router r;
    r.get("/slow",
          [released](const Request&, Response& res) {
              released.wait();
              res.set_body("slow");
          },
          {.blocking = true});
    r.get("/fast", say("fast"));
    TestServer server(std::move(r));
    Client slow(server.port());
    slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    // The loop thread is free: this answer comes while /slow is still blocked.
    EXPECT_EQ(body_of(ask(server.port(), "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")), "fast");
    release.set_value();
    EXPECT_EQ(body_of(slow.read_response()), "slow");
}

TEST(BlockingPool, PipelinedResponsesStayInOrderAcrossThePool) {
    Router r;
    r.get("/slow",
          [](const Request&, Response& res) {
              std::this_thread::sleep_for(std::chrono::milliseconds(50));
              res.set_body("slow");
          },
          {.blocking = true});
    r.get("/fast", say("fast"));
    TestServer server(std::move(r));
    Client c(server.port());
    c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n"
           "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "slow");
    EXPECT_EQ(body_of(c.read_response()), "fast");
    EXPECT_EQ(body_of(c.read_response()), "slow");
}

TEST(BlockingPool, AFullQueueAnswers503) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    auto started = std::make_shared<std::atomic<int>>(0);
    Router r;
    r.get("/slow",
          [released, started](const Request&, Response& res) {
              ++*started;
              released.wait();
              res.set_body("slow");
          },
          {.blocking = true});
    ServerConfig config = TestServer::quiet_config();
    config.blocking_threads = 1;
    config.max_blocking_queue = 1;
    TestServer server(std::move(r), config);
    Client running(server.port());
    running.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    for (int i = 0; i < 500 && *started == 0; ++i) // let the pool take it
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(*started, 1);
    Client queued(server.port());
    queued.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string refused = ask(server.port(), "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(refused), "HTTP/1.1 503 Service Unavailable");
    EXPECT_TRUE(has_header(refused, "Retry-After: 1")) << refused;
    release.set_value();
    EXPECT_EQ(body_of(running.read_response()), "slow");
    EXPECT_EQ(body_of(queued.read_response()), "slow");
}

} // namespace
} // namespace pier::test
