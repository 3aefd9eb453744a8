// The event-loop client against a scripted server (exact bytes, every way an answer can end
// or fail) and against a real pier server (many transfers at once, over TLS in the tls. run).
#include "../support/deflate.hpp"
#include "net/event_loop.hpp"
#include "scripted_server.hpp"
#include "test_server.hpp"

#include <pier/async_client.hpp>
#include <pier/router.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>

namespace pier::client {
namespace {

using test::Exchange;
using test::ScriptedServer;
using namespace std::chrono_literals;

std::string ok(std::string_view body, std::string_view extra = {}) {
    return "HTTP/1.1 200 OK\r\n" + std::string(extra) +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

struct Outcome {
    AsyncResponse head;
    std::string body;
    std::exception_ptr error;
    bool done = false;
    template <class E>
    bool failed_with() const {
        try {
            if (error) std::rethrow_exception(error);
        } catch (const E&) {
            return true;
        } catch (...) {
        }
        return false;
    }
};

// A loop on the test's thread, run until every transfer started through it has ended (or 10 s,
// so a client that never calls back fails instead of hanging).
class AsyncClientTest : public testing::Test {
  protected:
    AsyncHandlers handlers_for(Outcome& o) {
        ++running_;
        return {
            .on_head = [&o](const AsyncResponse& r) { o.head = r; },
            .on_data =
                [&o](std::string_view bytes) {
                    o.body += bytes;
                    return true;
                },
            .on_done =
                [this, &o](std::exception_ptr e) {
                    EXPECT_FALSE(o.done) << "on_done called twice";
                    o.error = e;
                    o.done = true;
                    if (--running_ == 0) events_.stop();
                },
        };
    }
    void run() {
        if (running_ == 0) return;
        Loop::Timer guard = loop_.after(10s, [this] { events_.stop(); });
        events_.run();
        EXPECT_EQ(running_, 0) << "transfers still running after 10 s";
    }
    static AsyncOptions options() {
        AsyncOptions o;
        o.timeouts = {5000ms, 5000ms, 0ms};
        return o;
    }
    AsyncConnection connect_to(const ScriptedServer& s, AsyncOptions o = options()) {
        return AsyncConnection(loop_, "127.0.0.1", s.port(), false, std::move(o));
    }

    net::EventLoop events_;
    Loop loop_{events_};
    int running_ = 0;
};

AsyncRequest get(std::string target) {
    AsyncRequest r;
    r.target = std::move(target);
    return r;
}

TEST_F(AsyncClientTest, TwoRequestsShareOneConnectionAndTheBytesAreExact) {
    ScriptedServer server({{Exchange{ok("one", "X-A: 1\r\n")}, Exchange{ok("two")}}});
    AsyncConnection c = connect_to(server);
    Outcome a, b;
    c.request(get("/a"), handlers_for(a));
    AsyncRequest post;
    post.method = "POST";
    post.target = "/b";
    post.fields.add("Content-Type", "text/plain");
    post.body = "hello";
    c.request(std::move(post), handlers_for(b));
    run();
    ASSERT_FALSE(a.error);
    ASSERT_FALSE(b.error);
    EXPECT_EQ(a.head.status, 200);
    EXPECT_EQ(a.head.header("x-a"), "1");
    EXPECT_EQ(a.head.content_length, 3u);
    EXPECT_EQ(a.body, "one");
    EXPECT_EQ(b.body, "two");
    EXPECT_EQ(c.connects(), 1u);
    const std::string host = "Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n";
    EXPECT_EQ(server.received(0), "GET /a HTTP/1.1\r\n" + host + "\r\n" + "POST /b HTTP/1.1\r\n" +
                                      host +
                                      "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
}

TEST_F(AsyncClientTest, ChunkedBodyWithTrailersAndInterimHeads) {
    ScriptedServer server(
        {{Exchange{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Sum: 7\r\n\r\n"}}});
    AsyncConnection c = connect_to(server);
    Outcome o;
    c.request(get("/"), handlers_for(o));
    run();
    ASSERT_FALSE(o.error);
    EXPECT_EQ(o.body, "abcdefg");
    ASSERT_EQ(o.head.interim.size(), 2u);
    EXPECT_EQ(o.head.interim[0].status, 100);
    EXPECT_EQ(o.head.interim[1].fields.get("Link"), "</s.css>");
}

TEST_F(AsyncClientTest, BodyUntilCloseAndAContentCoding) {
    const std::string coded =
        test::zlib_compress("a body worth compressing, compressing, compressing", 31);
    ScriptedServer server(
        {{Exchange{"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + coded, {}, true}}});
    AsyncOptions opts = options();
    opts.decode_content = true;
    AsyncConnection c = connect_to(server, opts);
    Outcome o;
    c.request(get("/"), handlers_for(o));
    run();
    ASSERT_FALSE(o.error);
    EXPECT_EQ(o.body, "a body worth compressing, compressing, compressing");
}

TEST_F(AsyncClientTest, ADeadKeptAliveConnectionGetsOneRetryOfAnIdempotentRequest) {
    // The first connection answers once, then closes on the second request unanswered.
    ScriptedServer server(
        {{Exchange{ok("one")}, Exchange{"", {}, false, true}}, {Exchange{ok("two")}}});
    AsyncConnection c = connect_to(server);
    Outcome a, b;
    c.request(get("/a"), handlers_for(a));
    c.request(get("/b"), handlers_for(b));
    run();
    ASSERT_FALSE(b.error);
    EXPECT_EQ(b.body, "two");
    EXPECT_EQ(c.connects(), 2u);
}

TEST_F(AsyncClientTest, AShortBodyIsAnIncompleteRead) {
    ScriptedServer server(
        {{Exchange{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", {}, true}}});
    AsyncConnection c = connect_to(server);
    Outcome o;
    c.request(get("/"), handlers_for(o));
    run();
    EXPECT_TRUE(o.failed_with<IncompleteRead>());
    EXPECT_EQ(o.body, "abc");
}

TEST_F(AsyncClientTest, GarbageIsABadStatusLine) {
    ScriptedServer server({{Exchange{"SSH-2.0-OpenSSH\r\n\r\n", {}, true}}});
    AsyncConnection c = connect_to(server);
    Outcome o;
    c.request(get("/"), handlers_for(o));
    run();
    EXPECT_TRUE(o.failed_with<BadStatusLine>());
}

TEST_F(AsyncClientTest, NoAnswerAtAllIsRemoteDisconnected) {
    ScriptedServer server({{Exchange{"", {}, false, true}}});
    AsyncConnection c = connect_to(server);
    Outcome o;
    c.request(get("/"), handlers_for(o));
    run();
    EXPECT_TRUE(o.failed_with<RemoteDisconnected>());
}

TEST_F(AsyncClientTest, ARefusedConnectionSaysSo) {
    std::uint16_t port;
    {
        ScriptedServer gone({});
        port = gone.port();
    }
    AsyncConnection c(loop_, "127.0.0.1", port, false, options());
    Outcome o;
    c.request(get("/"), handlers_for(o));
    run();
    ASSERT_TRUE(o.failed_with<ConnectError>());
    try {
        std::rethrow_exception(o.error);
    } catch (const ConnectError& e) {
        EXPECT_EQ(e.error(), ECONNREFUSED);
    }
}

TEST_F(AsyncClientTest, ASilentServerTimesOut) {
    Exchange slow{ok("late")};
    slow.delay = 2000ms;
    ScriptedServer server({{slow}});
    AsyncOptions opts = options();
    opts.timeouts.read = 300ms;
    AsyncConnection c = connect_to(server, opts);
    Outcome o;
    const auto start = std::chrono::steady_clock::now();
    c.request(get("/"), handlers_for(o));
    run();
    EXPECT_TRUE(o.failed_with<TimeoutError>());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1900ms);
}

TEST_F(AsyncClientTest, StoppingInOnDataClosesAndEndsCleanly) {
    ScriptedServer server({{Exchange{ok(std::string(100000, 'x'))}}});
    AsyncConnection c = connect_to(server);
    Outcome o;
    AsyncHandlers h = handlers_for(o);
    h.on_data = [&o](std::string_view bytes) {
        o.body += bytes;
        return false;
    };
    c.request(get("/"), std::move(h));
    run();
    EXPECT_FALSE(o.error);
    EXPECT_FALSE(o.body.empty());
    EXPECT_LT(o.body.size(), 100000u);
}

TEST_F(AsyncClientTest, AHandlerMayDestroyItsConnection) {
    ScriptedServer server({{Exchange{ok("one")}}});
    auto c = std::make_unique<AsyncConnection>(loop_, "127.0.0.1", server.port(), false, options());
    Outcome o, never;
    AsyncHandlers h = handlers_for(o);
    h.on_done = [&](std::exception_ptr e) {
        o.error = e;
        o.done = true;
        c.reset(); // the second request is dropped without a call
        --running_;
        events_.stop();
    };
    c->request(get("/"), std::move(h));
    AsyncHandlers dropped;
    dropped.on_done = [&never](std::exception_ptr) { never.done = true; };
    c->request(get("/2"), std::move(dropped));
    run();
    EXPECT_TRUE(o.done);
    EXPECT_FALSE(never.done);
}

TEST_F(AsyncClientTest, ManyTransfersAtOnceOnAFewConnections) {
    Router router;
    router.get("/n/{id}", [](const pier::Request& req, pier::Response& res) {
        res.set_body("item " + std::string(req.param("id")));
    });
    test::TestServer server(std::move(router));
    AsyncOptions opts = options();
    std::string scheme = "http";
    std::string ca_path;
    if (test::tls_mode()) {
        scheme = "https";
        ca_path = ::testing::TempDir() + "/pier-async-ca.pem";
        std::ofstream(ca_path) << test::test_certificate().certificate_pem;
        opts.tls.ca_file = ca_path;
    }
    AsyncClient client(loop_, opts, 4);
    constexpr int kTransfers = 300;
    std::vector<Outcome> out(kTransfers);
    for (int i = 0; i < kTransfers; ++i)
        client.fetch(scheme + "://127.0.0.1:" + std::to_string(server.port()) + "/n/" +
                         std::to_string(i),
                     {}, handlers_for(out[i]));
    run();
    for (int i = 0; i < kTransfers; ++i) {
        ASSERT_FALSE(out[i].error) << i;
        EXPECT_EQ(out[i].body, "item " + std::to_string(i));
    }
    EXPECT_LE(client.connects(), 4u);
}

TEST_F(AsyncClientTest, ABadUrlEndsAtOnce) {
    AsyncClient client(loop_, options());
    Outcome a, b;
    client.fetch("http://[::1", {}, handlers_for(a));
    client.fetch("ftp://127.0.0.1/", {}, handlers_for(b));
    EXPECT_TRUE(a.failed_with<InvalidURL>());
    EXPECT_TRUE(b.failed_with<UnknownProtocol>());
    running_ = 0;
}

} // namespace
} // namespace pier::client

namespace pier::client {
namespace {

TEST_F(AsyncClientTest, ASessionFollowsRedirectsWithCookiesAsSessionFetchDoes) {
    ScriptedServer server({{Exchange{"HTTP/1.1 302 Found\r\nLocation: /b\r\nSet-Cookie: s=1\r\n"
                                     "Content-Length: 3\r\n\r\nbye"},
                            Exchange{ok("final")}}});
    AsyncSession session(loop_);
    FetchOptions o;
    o.proxy = "";
    o.timeouts = {5000ms, 5000ms, 0ms};
    o.method = "POST";
    o.body = "x=1";
    Outcome out;
    session.fetch("http://127.0.0.1:" + std::to_string(server.port()) + "/a/../a", o,
                  handlers_for(out));
    run();
    ASSERT_FALSE(out.error);
    EXPECT_EQ(out.body, "final");
    EXPECT_EQ(out.head.redirects, 1);
    EXPECT_EQ(out.head.url, "http://127.0.0.1:" + std::to_string(server.port()) + "/b");
    EXPECT_EQ(session.connects(), 1u);
    const std::string got = server.received(0);
    // The dot-segments went, the POST became a GET on 302 without its body, the cookie went
    // with the second request.
    EXPECT_NE(got.find("POST /a HTTP/1.1\r\n"), std::string::npos) << got;
    EXPECT_NE(got.find("GET /b HTTP/1.1\r\n"), std::string::npos) << got;
    EXPECT_NE(got.find("Cookie: s=1\r\n"), std::string::npos) << got;
    EXPECT_EQ(got.find("x=1", got.find("GET /b")), std::string::npos) << got;
}

TEST_F(AsyncClientTest, ASessionStopsAtTooManyRedirects) {
    ScriptedServer server(
        {{Exchange{"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n"},
          Exchange{"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n"}}});
    AsyncSession session(loop_);
    FetchOptions o;
    o.proxy = "";
    o.max_redirects = 1;
    Outcome out;
    session.fetch("http://127.0.0.1:" + std::to_string(server.port()) + "/", o, handlers_for(out));
    run();
    EXPECT_TRUE(out.failed_with<TooManyRedirects>());
}

} // namespace
} // namespace pier::client
