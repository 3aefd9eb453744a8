// Response::upgrade: after a 101 the handler owns the connection as a byte stream — the bytes
// sent right behind the head first — and nothing after the 101 is ever parsed as HTTP.
#include "test_server.hpp"

#include <pier/stream.hpp>

#include <gtest/gtest.h>

#include <atomic>

namespace pier::test {
namespace {

constexpr std::string_view kUpgradeHead = "GET /echo HTTP/1.1\r\nHost: t\r\n"
                                          "Connection: Upgrade\r\nUpgrade: echo\r\n\r\n";

struct Counters {
    std::atomic<int> opened{0};
    std::atomic<int> closed{0};
};

Router echo_router(Counters& counters) {
    Router router;
    router.get("/echo", [&counters](const Request&, Response& res) {
        res.upgrade("echo",
                    {
                        .on_open = [&counters](Stream&) { ++counters.opened; },
                        .on_data = [](Stream& s, std::string_view bytes) { s.write(bytes); },
                        .on_close = [&counters](Stream&) { ++counters.closed; },
                    });
    });
    router.get("/plain", [](const Request&, Response& res) { res.set_body("plain\n"); });
    return router;
}

std::string read_exactly(Client& c, std::size_t n) {
    std::string got;
    while (got.size() < n) {
        char buf[4096];
        const ssize_t r = c.receive(buf, std::min(sizeof buf, n - got.size()));
        if (r <= 0) break;
        got.append(buf, static_cast<std::size_t>(r));
    }
    return got;
}

std::string read_head(Client& c) {
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
        char ch;
        if (c.receive(&ch, 1) != 1) break;
        head += ch;
    }
    return head;
}

TEST(Upgrade, BytesPipelinedBehindTheHeadAreTheStreamsFirstBytes) {
    Counters counters;
    TestServer server(echo_router(counters));
    Client c(server.port());
    // One write: the head, then bytes of the new protocol — one of which looks like HTTP.
    const std::string early = "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n";
    c.send(std::string(kUpgradeHead) + early);
    const std::string head = read_head(c);
    EXPECT_EQ(status_line(head), "HTTP/1.1 101 Switching Protocols");
    EXPECT_TRUE(has_header(head, "Connection: Upgrade"));
    EXPECT_TRUE(has_header(head, "Upgrade: echo"));
    EXPECT_FALSE(has_header(head, "Content-Length: 0"));
    EXPECT_EQ(read_exactly(c, early.size()), early); // echoed, never answered
    const std::string later = "more bytes \r\n\r\n and more";
    c.send(later);
    EXPECT_EQ(read_exactly(c, later.size()), later);
    c.shutdown_write();
    EXPECT_TRUE(c.closed_by_server()); // the default on a half-close: close after the queue
    EXPECT_EQ(counters.opened.load(), 1);
}

TEST(Upgrade, LargeStreamsComeBackWhole) {
    Counters counters;
    TestServer server(echo_router(counters));
    Client c(server.port(), 10000);
    c.send(kUpgradeHead);
    read_head(c);
    std::string data(3 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + i / 977);
    std::thread writer([&] { c.send(data); });
    const std::string back = read_exactly(c, data.size());
    writer.join();
    EXPECT_TRUE(back == data);
}

TEST(Upgrade, TheStreamIsClosedWhenTheClientGoes) {
    Counters counters;
    TestServer server(echo_router(counters));
    {
        Client c(server.port());
        c.send(kUpgradeHead);
        read_head(c);
    }
    for (int i = 0; i < 100 && counters.closed.load() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(counters.closed.load(), 1);
}

TEST(Upgrade, OnlyWhatTheClientAskedForIsUpgraded) {
    Counters counters;
    TestServer server(echo_router(counters));
    const std::string_view refused[] = {
        "GET /echo HTTP/1.1\r\nHost: t\r\nUpgrade: echo\r\n\r\n", // no Connection: upgrade
        "GET /echo HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
        "GET /echo HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\n\r\n",
        "GET /echo HTTP/1.0\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n",
    };
    for (std::string_view request : refused) {
        Client c(server.port());
        c.send(request);
        EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 500 Internal Server Error") << request;
    }
    EXPECT_EQ(counters.opened.load(), 0);
    // Case and versions as RFC 9110 §7.8 allows.
    Client c(server.port());
    c.send("GET /echo HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, UPGRADE\r\n"
           "Upgrade: h2c, Echo/1.0\r\n\r\nx");
    EXPECT_EQ(status_line(read_head(c)), "HTTP/1.1 101 Switching Protocols");
    EXPECT_EQ(read_exactly(c, 1), "x");
}

TEST(Upgrade, AStreamMayCloseItselfAfterItsLastWords) {
    Router router;
    router.get("/bye", [](const Request&, Response& res) {
        res.upgrade("bye", {.on_data = [](Stream& s, std::string_view) {
                        s.write("goodbye\n");
                        s.close();
                    }});
    });
    TestServer server(std::move(router));
    Client c(server.port());
    c.send("GET /bye HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: bye\r\n\r\nhello");
    read_head(c);
    EXPECT_EQ(c.read_to_close(), "goodbye\n");
}

} // namespace
} // namespace pier::test
