// Router filters over real sockets: Basic authentication and rate limits answer before the
// handler runs and before a body is read; what they learn reaches the handler.
#include "test_server.hpp"

#include <pier/auth.hpp>
#include <pier/rate_limit.hpp>
#include <pier/router.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>

namespace pier::test {
namespace {

// Made with `htpasswd -nbB -C 5`, `-nbm` and `-nbs`.
constexpr std::string_view kHtpasswd =
    "# users\n"
    "alice:$2y$05$ucYSq52XvoWJNHgiJc.ZBudcWj9h0Oz8MAyMkWGaITBNbw0N8FT0u\n"
    "bob:$apr1$H2FmT.O3$2NxFkksRMWgWtIMGQWRfv1\n"
    "carol:{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=\n";

std::string basic(std::string_view user_colon_password) {
    // base64 by hand, to depend on nothing under test
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(user_colon_password.data());
    const std::size_t n = user_colon_password.size();
    for (; i + 2 < n; i += 3) {
        const unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
        for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
    }
    if (i + 1 == n) {
        const unsigned v = p[i] << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == n) {
        const unsigned v = (p[i] << 16) | (p[i + 1] << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += '=';
    }
    return "Authorization: Basic " + out + "\r\n";
}

struct Calls {
    std::atomic<int> handler{0};
};

Router protected_router(const std::shared_ptr<Calls>& calls, BasicAuthOptions options = {}) {
    Users users;
    std::string error;
    EXPECT_TRUE(users.add_htpasswd(kHtpasswd, error)) << error;
    users.add("dave", "plain pass");
    Router r;
    r.filter(basic_auth(std::move(users), std::move(options)));
    r.mount("/", [calls](const Request& req, Response& res) {
        calls->handler.fetch_add(1);
        res.set_body("hello " + std::string(req.remote_user().empty() ? "-" : req.remote_user()));
    });
    return r;
}

std::string get(TestServer& server, std::string_view extra, std::string_view method = "GET") {
    Client c(server.port());
    c.send(std::string(method) + " /x HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n");
    return c.read_response(method == "HEAD" ? Method::head : Method::get);
}

TEST(BasicAuth, AChallengeWithoutCredentials) {
    auto calls = std::make_shared<Calls>();
    TestServer server(protected_router(calls, {.realm = "files"}));
    const std::string r = get(server, "");
    EXPECT_EQ(status_line(r), "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(header_value(r, "WWW-Authenticate"), "Basic realm=\"files\", charset=\"UTF-8\"");
    EXPECT_EQ(calls->handler.load(), 0);
}

TEST(BasicAuth, EveryHashFormatAndAPlainPassword) {
    auto calls = std::make_shared<Calls>();
    TestServer server(protected_router(calls));
    EXPECT_EQ(body_of(get(server, basic("alice:correct horse"))), "hello alice");
    EXPECT_EQ(body_of(get(server, basic("alice:correct horse"))), "hello alice"); // cached
    EXPECT_EQ(body_of(get(server, basic("bob:s3cret"))), "hello bob");
    EXPECT_EQ(body_of(get(server, basic("carol:pw"))), "hello carol");
    EXPECT_EQ(body_of(get(server, basic("dave:plain pass"))), "hello dave");
    EXPECT_EQ(status_line(get(server, basic("alice:wrong"))), "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(status_line(get(server, basic("dave:plain"))), "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(status_line(get(server, basic("nobody:pw"))), "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(status_line(get(server, "Authorization: Bearer abc\r\n")),
              "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(calls->handler.load(), 5);
}

TEST(BasicAuth, GuessingIsLimitedAndNotEvenChecked) {
    auto calls = std::make_shared<Calls>();
    BasicAuthOptions o;
    o.failures = {.per_second = 1.0 / 60, .burst = 3};
    TestServer server(protected_router(calls, o));
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(status_line(get(server, basic("alice:guess" + std::to_string(i)))),
                  "HTTP/1.1 401 Unauthorized");
    const std::string r = get(server, basic("alice:correct horse"));
    EXPECT_EQ(status_line(r), "HTTP/1.1 429 Too Many Requests");
    EXPECT_EQ(header_value(r, "Retry-After"), "60");
    // Asking without credentials is no guess: the challenge still comes.
    EXPECT_EQ(status_line(get(server, "")), "HTTP/1.1 401 Unauthorized");
}

TEST(BasicAuth, WritesOnly) {
    auto calls = std::make_shared<Calls>();
    TestServer server(protected_router(calls, {.writes_only = true}));
    EXPECT_EQ(body_of(get(server, "")), "hello -");
    EXPECT_EQ(status_line(get(server, "", "HEAD")), "HTTP/1.1 200 OK");
    EXPECT_EQ(status_line(get(server, "Content-Length: 0\r\n", "PUT")),
              "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(status_line(get(server, "", "DELETE")), "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(body_of(get(server, basic("bob:s3cret"), "DELETE")), "hello bob");
    // Credentials sent with a read are checked too (and name the user in the log).
    EXPECT_EQ(body_of(get(server, basic("bob:s3cret"))), "hello bob");
    EXPECT_EQ(status_line(get(server, basic("bob:nope"))), "HTTP/1.1 401 Unauthorized");
}

// Each request on a connection is checked on its own: credentials on one do not carry over to
// the next, pipelined or not, with a body or without.
TEST(BasicAuth, EveryRequestOnAConnectionIsCheckedAnew) {
    auto calls = std::make_shared<Calls>();
    TestServer server(protected_router(calls));
    Client c(server.port());
    c.send("POST /x HTTP/1.1\r\nHost: t\r\n" + basic("carol:pw") +
           "Content-Length: 2\r\n\r\nhi"
           "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"
           "GET /x HTTP/1.1\r\nHost: t\r\n" +
           basic("bob:s3cret") + "\r\n");
    EXPECT_EQ(body_of(c.read_response()), "hello carol");
    const std::string second = c.read_response();
    EXPECT_EQ(status_line(second), "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(body_of(c.read_response()), "hello bob");
    EXPECT_EQ(calls->handler.load(), 2);
}

// A refused upload is refused on its head: no 100 Continue, no body read, the connection
// closed after the answer.
TEST(BasicAuth, ARefusedUploadIsNotRead) {
    auto calls = std::make_shared<Calls>();
    TestServer server(protected_router(calls));
    Client c(server.port());
    c.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\nExpect: "
           "100-continue\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 401 Unauthorized");
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_EQ(calls->handler.load(), 0);
}

TEST(BasicAuth, NeedsUsersAndAQuotableRealm) {
    EXPECT_THROW(basic_auth(Users{}), std::invalid_argument);
    Users u;
    u.add("a", "b");
    EXPECT_THROW(basic_auth(u, {.realm = "a\"b"}), std::invalid_argument);
    std::string error;
    EXPECT_FALSE(u.add_htpasswd("eve\n", error));
    EXPECT_NE(error.find("line 1"), std::string::npos) << error;
    EXPECT_FALSE(u.add_htpasswd("a:$apr1$H2FmT.O3$2NxFkksRMWgWtIMGQWRfv1\n", error));
    EXPECT_NE(error.find("already defined"), std::string::npos) << error;
}

TEST(RateLimit, BurstThen429WithRetryAfter) {
    Router r;
    r.filter(rate_limit({.per_second = 0.5, .burst = 3}));
    std::atomic<int> calls{0};
    r.get("/", [&calls](const Request&, Response& res) {
        calls.fetch_add(1);
        res.set_body("ok");
    });
    TestServer server(std::move(r));
    Client c(server.port());
    for (int i = 0; i < 3; ++i) {
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 200 OK") << i;
    }
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string limited = c.read_response();
    EXPECT_EQ(status_line(limited), "HTTP/1.1 429 Too Many Requests");
    EXPECT_EQ(header_value(limited, "Retry-After"), "2");
    // Also for paths no route has: the limit comes first.
    c.send("GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 429 Too Many Requests");
    EXPECT_EQ(calls.load(), 3);
}

TEST(Filters, AFilterThatThrowsAnswers500AndTheHandlerDoesNotRun) {
    Router r;
    std::atomic<int> calls{0};
    r.filter([](Request&, Response&) -> bool { throw std::runtime_error("boom"); });
    r.get("/", [&calls](const Request&, Response&) { calls.fetch_add(1); });
    TestServer server(std::move(r));
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 500 Internal Server Error");
    EXPECT_EQ(calls.load(), 0);
}

TEST(Filters, RunInOrderOncePerRequestAndTheUserReachesTheLog) {
    Router r;
    auto order = std::make_shared<std::string>();
    r.filter([order](Request& req, Response&) {
        *order += "a";
        req.set_remote_user("who am i");
        return false;
    });
    r.filter([order](Request&, Response&) {
        *order += "b";
        return false;
    });
    r.post("/", [](const Request& req, Response& res) { res.set_body(std::string(req.body())); },
           {});
    r.put("/s",
          [](const Request& req, Response& res) {
              res.read_body([](std::string_view) {}, [user = std::string(req.remote_user())](
                                                         Response& done) { done.set_body(user); });
          },
          {.stream_body = true});
    char log_path[] = "/tmp/pier-filter-log-XXXXXX";
    const int fd = mkstemp(log_path);
    std::FILE* log = fdopen(fd, "w+");
    ServerConfig config = TestServer::quiet_config();
    config.access_log = AccessLogFormat::common;
    config.log = log;
    {
        TestServer server(std::move(r), config);
        Client c(server.port());
        c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
        EXPECT_EQ(body_of(c.read_response()), "abc");
        c.send("PUT /s HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
        EXPECT_EQ(body_of(c.read_response()), "who am i");
    }
    EXPECT_EQ(*order, "abab");
    std::fflush(log);
    std::rewind(log);
    char line[512];
    int with_user = 0;
    while (std::fgets(line, sizeof line, log) != nullptr)
        if (std::string_view(line).find(" - who\\x20am\\x20i [") != std::string_view::npos)
            ++with_user;
    EXPECT_EQ(with_user, 2);
    std::fclose(log);
    unlink(log_path);
}

// A filter's slow check runs on the pool: the loop serves other connections meanwhile, and the
// request goes on — or is answered — where it was.
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool open = false;
    bool wait() {
        std::unique_lock lock(m);
        return cv.wait_for(lock, std::chrono::seconds(2), [this] { return open; });
    }
    void release() {
        {
            std::lock_guard lock(m);
            open = true;
        }
        cv.notify_all();
    }
};

Router deferring_router(const std::shared_ptr<Gate>& gate) {
    Router r;
    r.filter([gate](Request& req, Response&) {
        if (req.header("X-Slow").empty()) return false;
        const bool allow = req.header("X-Slow") == "allow";
        const bool boom = req.header("X-Slow") == "throw";
        req.defer_check([gate, allow, boom](Request& later, Response& res) {
            if (!gate->wait()) { // never released: say so, the test fails on it
                res.set_status(504);
                return true;
            }
            if (boom) throw std::runtime_error("check failed");
            if (!allow) {
                res.set_status(403);
                res.set_body("denied");
                return true;
            }
            later.set_remote_user("slow");
            return false;
        });
        return false;
    });
    r.get("/", [](const Request& req, Response& res) {
        res.set_body("user=" + std::string(req.remote_user()));
    });
    r.post("/", [](const Request& req, Response& res) {
        res.set_body(std::string(req.remote_user()) + ":" + std::string(req.body()));
    });
    r.put("/stream",
          [](const Request& req, Response& res) {
              auto got = std::make_shared<std::string>();
              res.read_body([got](std::string_view piece) { got->append(piece); },
                            [got, user = std::string(req.remote_user())](Response& done) {
                                done.set_body(user + ":" + *got);
                            });
          },
          {.stream_body = true});
    return r;
}

TEST(DeferredCheck, TheLoopServesOthersWhileItRuns) {
    auto gate = std::make_shared<Gate>();
    TestServer server(deferring_router(gate));
    Client slow(server.port());
    slow.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: allow\r\n\r\n");
    // The check holds until another client has been answered: with a blocked loop this
    // second answer would never come (and the test would fail on the gate's timeout).
    Client other(server.port());
    other.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(other.read_response()), "user=");
    gate->release();
    EXPECT_EQ(body_of(slow.read_response()), "user=slow");
    // The connection goes on, and the next request is checked anew.
    slow.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(slow.read_response()), "user=");
}

TEST(DeferredCheck, BodiesWaitForTheVerdict) {
    auto gate = std::make_shared<Gate>();
    gate->release();
    TestServer server(deferring_router(gate));
    Client c(server.port());
    // A body read whole, then a streamed one (checked at its head), then pipelined requests.
    c.send("POST / HTTP/1.1\r\nHost: t\r\nX-Slow: allow\r\nContent-Length: 3\r\n\r\nabc"
           "PUT /stream HTTP/1.1\r\nHost: t\r\nX-Slow: allow\r\nTransfer-Encoding: "
           "chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
           "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "slow:abc");
    EXPECT_EQ(body_of(c.read_response()), "slow:xy");
    EXPECT_EQ(body_of(c.read_response()), "user=");
}

TEST(DeferredCheck, ACheckThatAnswersEndsTheRequest) {
    auto gate = std::make_shared<Gate>();
    gate->release();
    TestServer server(deferring_router(gate));
    {
        Client c(server.port()); // at the head: the body is never read
        c.send("PUT /stream HTTP/1.1\r\nHost: t\r\nX-Slow: deny\r\nContent-Length: "
               "100000000\r\nExpect: 100-continue\r\n\r\n");
        const std::string r = c.read_response();
        EXPECT_EQ(status_line(r), "HTTP/1.1 403 Forbidden");
        EXPECT_EQ(body_of(r), "denied");
        EXPECT_TRUE(c.closed_by_server());
    }
    Client c(server.port()); // without a body the connection goes on
    c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: deny\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 403 Forbidden");
    c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: throw\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 500 Internal Server Error");
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "user=");
}

TEST(DeferredCheck, AClientThatLeavesMeanwhileIsForgotten) {
    auto gate = std::make_shared<Gate>();
    TestServer server(deferring_router(gate));
    {
        Client c(server.port());
        c.send("POST / HTTP/1.1\r\nHost: t\r\nX-Slow: allow\r\nContent-Length: 1\r\n\r\nz");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    gate->release();
    Client c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "user=");
}

} // namespace
} // namespace pier::test
