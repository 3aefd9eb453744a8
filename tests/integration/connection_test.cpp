// The server core over raw loopback sockets: one test per rule, asserting the bytes that
// matter.
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace pier::test {
namespace {

void echo(const Request& req, Response& res) {
    std::string body = std::string(req.method_name()) + " " + std::string(req.path());
    if (!req.query().empty()) body += "?" + std::string(req.query());
    if (!req.body().empty()) body += " body=" + std::string(req.body());
    res.set_body(body, "text/plain");
}

TEST(Server, AnswersAGetWithDateServerAndLength) {
    TestServer server(echo);
    Client c(server.port());
    c.send("GET /hello?x=1 HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_TRUE(has_header(r, "Content-Length: 14")) << r;
    EXPECT_TRUE(has_header(r, "Content-Type: text/plain")) << r;
    EXPECT_TRUE(has_header(r, "Server: pier")) << r;
    EXPECT_NE(r.find("\r\nDate: "), std::string::npos) << r;
    EXPECT_EQ(body_of(r), "GET /hello?x=1");
}

TEST(Server, KeepsHttp11ConnectionsOpen) {
    TestServer server(echo);
    Client c(server.port());
    for (int i = 0; i < 3; ++i) {
        c.send("GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n");
        const std::string r = c.read_response();
        EXPECT_EQ(body_of(r), "GET /" + std::to_string(i));
        EXPECT_FALSE(has_header(r, "Connection: close"));
    }
}

TEST(Server, PipelinedResponsesComeInRequestOrder) {
    TestServer server(echo);
    Client c(server.port());
    std::string batch;
    for (int i = 0; i < 20; ++i)
        batch += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
    c.send(batch);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(body_of(c.read_response()), "GET /" + std::to_string(i));
}

TEST(Server, Http10ClosesUnlessKeepAlive) {
    TestServer server(echo);
    {
        Client c(server.port());
        c.send("GET / HTTP/1.0\r\n\r\n");
        const std::string r = c.read_to_close();
        EXPECT_TRUE(has_header(r, "Connection: close")) << r;
        EXPECT_EQ(body_of(r), "GET /");
    }
    {
        Client c(server.port());
        c.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        const std::string r = c.read_response();
        EXPECT_TRUE(has_header(r, "Connection: keep-alive")) << r;
        c.send("GET /b HTTP/1.0\r\n\r\n");
        EXPECT_EQ(body_of(c.read_to_close()), "GET /b");
    }
}

TEST(Server, ConnectionCloseIsHonoured) {
    TestServer server(echo);
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    const std::string r = c.read_to_close();
    EXPECT_TRUE(has_header(r, "Connection: close")) << r;
    EXPECT_EQ(body_of(r), "GET /");
}

TEST(Server, HeadHasTheFieldsOfGetWithoutTheBody) {
    TestServer server(echo);
    Client c(server.port());
    c.send("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\nGET /y HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string head = c.read_response(Method::head);
    EXPECT_TRUE(has_header(head, "Content-Length: 7")) << head; // the length GET would send
    EXPECT_EQ(body_of(head), "");
    EXPECT_EQ(body_of(c.read_response()), "GET /y"); // framing intact after HEAD
}

TEST(Server, Http09GetsTheBodyOnly) {
    TestServer server(echo);
    Client c(server.port());
    c.send("GET /old\r\n");
    EXPECT_EQ(c.read_to_close(), "GET /old");
}

// An HTTP/0.9 answer with no body (a redirect: 0.9 has no status line to carry it) still
// ends the connection at once, not at the idle timeout.
TEST(Server, AnEmptyHttp09AnswerClosesAtOnce) {
    TestServer server([](const Request&, Response& res) {
        res.set_status(301);
        res.set_header("Location", "/elsewhere/");
    });
    Client c(server.port(), 2000); // well under the idle timeout
    c.send("GET /dir\r\n");
    EXPECT_TRUE(c.closed_by_server());
}

TEST(Server, HostIsRequiredOnceInHttp11) {
    TestServer server(echo);
    for (std::string_view req :
         {"GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "GET / HTTP/1.1\r\nHost: a:99999\r\n\r\n"}) {
        Client c(server.port());
        c.send(req);
        const std::string r = c.read_response();
        EXPECT_EQ(status_line(r), "HTTP/1.1 400 Bad Request") << req;
        EXPECT_TRUE(has_header(r, "Content-Type: text/html;charset=utf-8")) << r;
    }
    Client c(server.port());
    c.send("GET / HTTP/1.0\r\n\r\n"); // HTTP/1.0 may omit it
    EXPECT_EQ(status_line(c.read_to_close()), "HTTP/1.1 200 OK");
}

TEST(Server, AbsoluteFormAuthorityWinsOverHost) {
    TestServer server([](const Request& req, Response& res) {
        res.set_body(std::string(req.host()) + " " + std::string(req.path()));
    });
    Client c(server.port());
    c.send("GET http://real.example:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "real.example:8080 /p");
}

TEST(Server, LeadingDoubleSlashIsCollapsed) {
    TestServer server(echo);
    Client c(server.port());
    c.send("GET //evil.example/x HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "GET /evil.example/x");
}

TEST(Server, TargetFormsAreCheckedAgainstTheMethod) {
    TestServer server(echo);
    struct C {
        std::string_view request;
        std::string_view status;
    };
    const C cases[] = {
        {"GET * HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 200 OK"},
        {"CONNECT t:443 HTTP/1.1\r\nHost: t:443\r\n\r\n", "HTTP/1.1 501 Not Implemented"},
        {"GET t:443 HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 501 Not Implemented"},
        {"TRACE / HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"},
    };
    for (const auto& tc : cases) {
        Client c(server.port());
        c.send(tc.request);
        EXPECT_EQ(status_line(c.read_response()), tc.status) << tc.request;
    }
}

// A request refused on its meaning (not its framing) is answered once, and the connection
// goes on with the next request. Once, each of these was answered again and again from the
// same unconsumed bytes until the server's stack ran out.
TEST(Server, ARefusedRequestIsAnsweredOnceAndTheNextOneServed) {
    TestServer server(echo);
    const std::string_view refused[] = {
        "GET /?q=100% HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: t\r\n\r\n",
        "BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n",
        "TRACE / HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nExpect: tea\r\n\r\n",
    };
    for (const std::string_view req : refused) {
        Client c(server.port());
        c.send(std::string(req) + "GET /next HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        const std::string all = c.read_to_close();
        std::size_t answers = 0;
        for (std::size_t at = all.find("HTTP/1.1 "); at != std::string::npos;
             at = all.find("HTTP/1.1 ", at + 1))
            ++answers;
        EXPECT_EQ(answers, 2u) << req;
        EXPECT_TRUE(all.ends_with("GET /next")) << req;
    }
}

// A pipelining client that sends past its Connection: close (late, in another write) must not
// lose the answers it has not read yet to the reset a plain close would send for those bytes:
// the reset also drops what the server's kernel has not sent yet.
TEST(Server, APipeliningClientGetsALingeringClose) {
    const std::string large(std::size_t{300} * 1024, 'x');
    TestServer server([&large](const Request& req, Response& res) {
        res.set_body(req.path() == "/large" ? large : std::string(req.path()));
    });
    for (int i = 0; i < 5; ++i) {
        Client c(server.port());
        c.send("GET /large HTTP/1.1\r\nHost: t\r\n\r\n"
               "GET /b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(100)); // answered and closed
        c.send("GET /late HTTP/1.1\r\nHost: t\r\n\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(50)); // a reset would be here now
        EXPECT_EQ(body_of(c.read_response()).size(), large.size()) << i;
        EXPECT_EQ(body_of(c.read_response()), "/b") << i;
    }
}

TEST(Server, MalformedRequestsGet400AndTheConnectionCloses) {
    TestServer server(echo);
    for (std::string_view req :
         {"GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", "GET / HTTP/1.1\r\nHost : t\r\n\r\n",
          "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: "
          "chunked\r\n\r\n"}) {
        Client c(server.port());
        c.send(req);
        const std::string r = c.read_to_close(); // closed: its framing cannot be trusted
        EXPECT_EQ(status_line(r), "HTTP/1.1 400 Bad Request") << req;
        EXPECT_TRUE(has_header(r, "Connection: close")) << r;
    }
}

TEST(Server, LimitsHaveTheirOwnStatus) {
    TestServer server(echo);
    struct C {
        std::string request;
        std::string_view status;
    };
    const C cases[] = {
        {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
         "HTTP/1.1 414 URI Too Long"},
        {"GET / HTTP/1.1\r\nHost: t\r\nX: " + std::string(9000, 'a') + "\r\n\r\n",
         "HTTP/1.1 431 Request Header Fields Too Large"},
        {"GET / HTTP/2.0\r\nHost: t\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported"},
        {"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
         "HTTP/1.1 501 Not Implemented"},
    };
    for (const auto& tc : cases) {
        Client c(server.port());
        c.send(tc.request);
        EXPECT_EQ(status_line(c.read_response()), tc.status);
    }
}

TEST(Server, BodiesByLengthAndChunked) {
    TestServer server(echo);
    Client c(server.port());
    c.send("POST /u HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_EQ(body_of(c.read_response()), "POST /u body=hello");
    c.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
           "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "POST /c body=abcde");
    // A body arriving in pieces, slowly.
    c.send("PUT /s HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nab");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    c.send("cdef");
    EXPECT_EQ(body_of(c.read_response()), "PUT /s body=abcdef");
}

TEST(Server, ExpectContinueIsAnsweredBeforeTheBody) {
    TestServer server(echo);
    Client c(server.port());
    c.send("PUT /f HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    const std::string interim = c.read_response();
    EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
    c.send("data");
    EXPECT_EQ(body_of(c.read_response()), "PUT /f body=data");
}

TEST(Server, NoContinueForHttp10OrWhenTheBodyIsAlreadyThere) {
    TestServer server(echo);
    {
        Client c(server.port());
        c.send("PUT /f HTTP/1.0\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\ndata");
        const std::string r = c.read_to_close();
        EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK") << r;
    }
    {
        Client c(server.port());
        c.send(
            "PUT /f HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\ndata");
        EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 200 OK");
    }
}

TEST(Server, UnknownExpectationIs417) {
    TestServer server(echo);
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 417 Expectation Failed");
}

TEST(Server, HandlerExceptionsBecome500) {
    TestServer server([](const Request&, Response&) { throw std::runtime_error("boom"); });
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 500 Internal Server Error");
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"); // and the server goes on
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 500 Internal Server Error");
}

TEST(Server, HeaderInjectionByAHandlerIsRefused) {
    TestServer server([](const Request&, Response& res) {
        res.fields().add_view("X-Evil", "a\r\nSet-Cookie: x=1", FieldId::unknown);
    });
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 500 Internal Server Error");
    EXPECT_EQ(r.find("Set-Cookie"), std::string::npos);
}

TEST(Server, ErrorPagesEscapeWhatTheClientSent) {
    TestServer server(echo);
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\nExpect: <script>\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(r.find("<script>"), std::string::npos);
}

TEST(Server, HalfClosedClientsStillGetTheirResponses) {
    TestServer server(echo);
    Client c(server.port());
    c.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n");
    c.shutdown_write();
    const std::string all = c.read_to_close();
    EXPECT_NE(all.find("GET /a"), std::string::npos) << all;
    EXPECT_NE(all.find("GET /b"), std::string::npos) << all;
}

TEST(Server, SlowHeadersTimeOutWith408) {
    ServerConfig config = TestServer::quiet_config();
    config.timeouts.header = std::chrono::milliseconds(300);
    TestServer server(echo, config);
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n"); // never finished
    const std::string r = c.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 408 Request Timeout") << r;
}

TEST(Server, IdleKeepAliveConnectionsAreClosed) {
    ServerConfig config = TestServer::quiet_config();
    config.timeouts.idle = std::chrono::milliseconds(200);
    TestServer server(echo, config);
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    c.read_response();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(Server, OverTheConnectionLimitClientsGet503) {
    ServerConfig config = TestServer::quiet_config();
    config.max_connections = 1;
    TestServer server(echo, config);
    Client first(server.port());
    first.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    first.read_response(); // the first connection is established and counted
    if (tls_mode()) {      // a TLS client could not read a plain 503: the port just closes
        Client second(server.port(), 5000, /*tls=*/false);
        second.send("\x16\x03\x01");
        EXPECT_EQ(second.read_to_close(), "");
        return;
    }
    Client second(server.port());
    const std::string r = second.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 503 Service Unavailable") << r;
    EXPECT_TRUE(has_header(r, "Retry-After: 1")) << r;
}

TEST(Server, GracefulStopFinishesTheRequestInFlight) {
    std::atomic<bool> in_handler{false};
    ServerConfig config = TestServer::quiet_config();
    Server* server_ptr = nullptr;
    TestServer server(
        [&](const Request&, Response& res) {
            in_handler = true;
            server_ptr->stop(true); // stop while this request is being answered
            res.set_body("finished");
        },
        config);
    server_ptr = &server.server();
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string r = c.read_to_close();
    EXPECT_TRUE(in_handler);
    EXPECT_EQ(body_of(r), "finished"); // answered in full, then closed (read_to_close returned)
}

} // namespace
} // namespace pier::test

namespace pier::test {
namespace {

TEST(Server, StalledBodiesTimeOutWith408) {
    ServerConfig config = TestServer::quiet_config();
    config.timeouts.body_stall = std::chrono::milliseconds(300);
    TestServer server(echo, config);
    Client c(server.port());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"); // 7 bytes never come
    const std::string r = c.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 408 Request Timeout") << r;
}

TEST(Server, NoContentAndNotModifiedNeverCarryABody) {
    TestServer server([](const Request& req, Response& res) {
        res.set_status(req.path() == "/204" ? 204 : 304);
        res.set_body("must not be sent");
    });
    Client c(server.port());
    c.send("GET /204 HTTP/1.1\r\nHost: t\r\n\r\nGET /304 HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string a = c.read_response();
    EXPECT_EQ(status_line(a), "HTTP/1.1 204 No Content");
    EXPECT_EQ(a.find("Content-Length"), std::string::npos) << a;
    EXPECT_EQ(body_of(a), "");
    const std::string b = c.read_response();
    EXPECT_EQ(status_line(b), "HTTP/1.1 304 Not Modified");
    EXPECT_EQ(body_of(b), "");
}

TEST(Server, DualStackByDefault) {
    ServerConfig config = TestServer::quiet_config();
    config.host = ""; // like Python's http.server: every interface, IPv4 and IPv6
    TestServer server([](const Request& req, Response& res) { res.set_body(req.remote_address()); },
                      config);
    {
        Client c(server.port()); // IPv4 loopback
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        EXPECT_EQ(body_of(c.read_response()), "127.0.0.1"); // shown as IPv4, not ::ffff:
    }
    if (tls_mode()) GTEST_SKIP() << "the IPv6 half speaks plain HTTP through its own socket";
    const int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(server.port());
    a.sin6_addr = in6addr_loopback;
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd);
        GTEST_SKIP() << "no IPv6 loopback on this machine";
    }
    const std::string req = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    std::string got;
    char buf[1024];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) got.append(buf, static_cast<std::size_t>(n));
    close(fd);
    EXPECT_EQ(body_of(got), "::1");
}

TEST(Server, ABusyPortFailsWithAClearMessage) {
    TestServer first(echo);
    ServerConfig config = TestServer::quiet_config();
    config.port = first.port();
    Server second(config, echo);
    std::string error;
    EXPECT_FALSE(second.listen(error));
    EXPECT_NE(error.find("Address already in use"), std::string::npos) << error;
}

} // namespace
} // namespace pier::test

namespace pier::test {
namespace {

TEST(Server, AClientThatStopsReadingIsDropped) {
    ServerConfig config = TestServer::quiet_config();
    config.timeouts.write_stall = std::chrono::milliseconds(300);
    constexpr std::size_t kSize = 64 * 1024 * 1024;
    TestServer server([](const Request&, Response& res) { res.set_body(std::string(kSize, 'x')); },
                      config);
    Client c(server.port(), 2000);
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // not reading: the send stalls
    const std::string got = c.read_to_close();
    EXPECT_LT(got.size(), kSize); // the server gave up instead of waiting forever
}

} // namespace
} // namespace pier::test

namespace pier::test {
namespace {

TEST(Server, TheServerFieldCanBeTurnedOff) {
    ServerConfig config = TestServer::quiet_config();
    config.server_header = "";
    TestServer server(echo, config);
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(r.find("Server:"), std::string::npos) << r;
    EXPECT_NE(r.find("\r\nDate: "), std::string::npos) << r;
}

} // namespace
} // namespace pier::test
