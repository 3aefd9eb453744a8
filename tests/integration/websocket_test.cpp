// WebSocket end to end on loopback: the handshake's answers (ws::endpoint behind a Router),
// messages through pier's own client (pier::client::WebSocket), and the session's chores seen
// from a raw socket — back-pressure and the send queue's bound, idle pings, the closing
// handshake with a peer that answers and one that does not. The tls. copies run it all over
// TLS (wss:// for the client).
#include "net/event_loop.hpp"
#include "test_server.hpp"

#include <pier/router.hpp>
#include <pier/websocket_client.hpp>
#include <pier/websocket_endpoint.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>

namespace pier::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---- a raw client: exact handshake bytes, masked frames out, frames in -----------------------

constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 §1.3's example

std::string upgrade_request(std::string_view target, std::string_view extra = {},
                            std::string_view method = "GET") {
    return std::string(method) + " " + std::string(target) +
           " HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: " +
           std::string(kKey) + "\r\nSec-WebSocket-Version: 13\r\n" + std::string(extra) + "\r\n";
}

/// A client frame: FIN set, masked with a fixed key (RFC 6455 §5.3 asks for it, not for its
/// randomness).
std::string client_frame(ws::Opcode opcode, std::string_view payload) {
    std::string f;
    f += static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));
    if (payload.size() < 126) {
        f += static_cast<char>(0x80 | payload.size());
    } else if (payload.size() < 65536) {
        f += static_cast<char>(0x80 | 126);
        f += static_cast<char>(payload.size() >> 8);
        f += static_cast<char>(payload.size() & 0xff);
    } else {
        f += static_cast<char>(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            f += static_cast<char>((payload.size() >> shift) & 0xff);
    }
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    f.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        f += static_cast<char>(payload[i] ^ mask[i % 4]);
    return f;
}

struct Frame {
    bool fin = false;
    ws::Opcode opcode = ws::Opcode::continuation;
    std::string payload;
};

class RawWebSocket {
  public:
    explicit RawWebSocket(std::uint16_t port, int timeout_ms = 5000) : c_(port, timeout_ms) {}

    /// Sends the request and returns the response head (through the blank line); what came
    /// behind it stays for read_frame().
    std::string handshake(const std::string& request) {
        c_.send(request);
        std::size_t end;
        while ((end = in_.find("\r\n\r\n")) == std::string::npos)
            if (!read_some()) return std::exchange(in_, {});
        std::string head = in_.substr(0, end + 4);
        in_.erase(0, end + 4);
        return head;
    }
    void send(ws::Opcode opcode, std::string_view payload) {
        c_.send(client_frame(opcode, payload));
    }
    /// The next frame, or nullopt on a timeout or the end of the stream (eof() tells which).
    std::optional<Frame> read_frame() {
        for (;;) {
            if (auto f = parse()) return f;
            if (!read_some()) return std::nullopt;
        }
    }
    bool eof() const { return eof_; }
    /// Payload bytes of data frames read until `n` have come (or the stream stopped).
    std::size_t read_payload(std::size_t n) {
        std::size_t got = 0;
        while (got < n) {
            const auto f = read_frame();
            if (!f) break;
            if (f->opcode == ws::Opcode::binary || f->opcode == ws::Opcode::continuation)
                got += f->payload.size();
        }
        return got;
    }
    Client& socket() { return c_; }

  private:
    std::optional<Frame> parse() {
        if (in_.size() < 2) return std::nullopt;
        const auto* b = reinterpret_cast<const unsigned char*>(in_.data());
        std::size_t header = 2;
        std::uint64_t len = b[1] & 0x7f;
        if (len == 126) {
            header = 4;
            if (in_.size() < header) return std::nullopt;
            len = (std::uint64_t{b[2]} << 8) | b[3];
        } else if (len == 127) {
            header = 10;
            if (in_.size() < header) return std::nullopt;
            len = 0;
            for (int i = 2; i < 10; ++i) len = (len << 8) | b[i];
        }
        EXPECT_EQ(b[1] & 0x80, 0) << "a server's frame is never masked";
        if (in_.size() < header + len) return std::nullopt;
        Frame f{(b[0] & 0x80) != 0, static_cast<ws::Opcode>(b[0] & 0x0f),
                in_.substr(header, static_cast<std::size_t>(len))};
        in_.erase(0, header + static_cast<std::size_t>(len));
        return f;
    }
    bool read_some() {
        char buf[65536];
        const ssize_t n = c_.receive(buf, sizeof buf);
        if (n > 0) {
            in_.append(buf, static_cast<std::size_t>(n));
            return true;
        }
        if (n == 0) eof_ = true;
        return false;
    }

    Client c_;
    std::string in_;
    bool eof_ = false;
};

std::string close_payload(std::uint16_t code, std::string_view reason) {
    std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    return p + std::string(reason);
}

std::uint16_t close_code_of(const Frame& f) {
    if (f.payload.size() < 2) return ws::close_code::no_status;
    return static_cast<std::uint16_t>((static_cast<unsigned char>(f.payload[0]) << 8) |
                                      static_cast<unsigned char>(f.payload[1]));
}

/// What a server endpoint saw, written on the server's loop and read by the test's thread.
struct Seen {
    std::atomic<int> opened{0};
    std::atomic<int> closed{0};
    std::atomic<int> close_code{0};
    std::mutex mutex;
    std::string subprotocol; // under mutex
    std::string close_reason;

    void wait_closed(std::chrono::milliseconds at_most = 5s) const {
        const auto until = Clock::now() + at_most;
        while (closed.load() == 0 && Clock::now() < until) std::this_thread::sleep_for(5ms);
    }
};

ws::Handlers echo_handlers(Seen& seen) {
    ws::Handlers h;
    h.on_open = [&seen](ws::Socket& s) {
        {
            std::lock_guard lock(seen.mutex);
            seen.subprotocol = s.subprotocol();
        }
        ++seen.opened;
    };
    h.on_message = [](ws::Socket& s, const ws::Message& m) {
        if (m.data == "close please") return s.close(4000, "as you asked");
        m.is_text() ? s.send_text(m.data) : s.send_binary(m.data);
    };
    h.on_close = [&seen](ws::Socket&, std::uint16_t code, std::string_view reason) {
        {
            std::lock_guard lock(seen.mutex);
            seen.close_reason = std::string(reason);
        }
        seen.close_code = code;
        ++seen.closed;
    };
    return h;
}

// ---- the opening handshake ------------------------------------------------------------------

class Handshake : public testing::Test {
  protected:
    Handshake() : server_(router()) {}
    Router router() {
        Router r;
        ws::Options plain;
        plain.subprotocols = {"v2.chat", "v1.chat"}; // the server's order of preference
        r.websocket("/ws", echo_handlers(seen_), plain);
        ws::Options guarded;
        guarded.allow = [](const Request& req) {
            return req.fields().get("Origin") == "https://good.example";
        };
        r.websocket("/guarded", echo_handlers(seen_), guarded);
        ws::Options no_deflate;
        no_deflate.compression = false;
        r.websocket("/plain", echo_handlers(seen_), no_deflate);
        return r;
    }
    std::string answer(const std::string& request) {
        RawWebSocket c(server_.port());
        return c.handshake(request);
    }
    Seen seen_;
    TestServer server_;
};

TEST_F(Handshake, SwitchesWithTheAcceptKeyOfRfc6455) {
    const std::string head = answer(upgrade_request("/ws"));
    EXPECT_EQ(status_line(head), "HTTP/1.1 101 Switching Protocols");
    EXPECT_EQ(header_value(head, "Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    EXPECT_EQ(header_value(head, "Sec-WebSocket-Protocol"), "");
    EXPECT_EQ(header_value(head, "Sec-WebSocket-Extensions"), "");
}

TEST_F(Handshake, RequestsThatAreNotAValidUpgradeGet400) {
    const std::string bad_key = "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";
    for (const std::string& request : {
             upgrade_request("/ws", {}, "HEAD"), // reaches the GET route: not a GET
             bad_key + "\r\n",
             bad_key + "Sec-WebSocket-Key: c2hvcnQ=\r\n\r\n", // 5 bytes, not 16
             bad_key + "Sec-WebSocket-Key: " + std::string(kKey) +
                 "\r\nSec-WebSocket-Key: " + std::string(kKey) + "\r\n\r\n",
             std::string("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                         "Sec-WebSocket-Key: ") +
                 std::string(kKey) + "\r\nSec-WebSocket-Version: 13\r\n\r\n", // no Connection
         }) {
        EXPECT_EQ(status_line(answer(request)), "HTTP/1.1 400 Bad Request") << request;
    }
    // Another method is the router's to answer: the route is a GET.
    EXPECT_EQ(status_line(answer(upgrade_request("/ws", {}, "POST"))),
              "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(seen_.opened.load(), 0);
}

TEST_F(Handshake, TheEndpointItselfAnswers400ToAnotherMethod) {
    Seen seen;
    TestServer bare(ws::endpoint(echo_handlers(seen)));
    RawWebSocket c(bare.port());
    EXPECT_EQ(status_line(c.handshake(upgrade_request("/", {}, "POST"))),
              "HTTP/1.1 400 Bad Request");
}

TEST_F(Handshake, AnotherVersionGets426NamingVersion13) {
    std::string request = upgrade_request("/ws");
    request.replace(request.find("Version: 13"), 11, "Version: 8");
    const std::string head = answer(request);
    EXPECT_EQ(status_line(head), "HTTP/1.1 426 Upgrade Required");
    EXPECT_EQ(header_value(head, "Sec-WebSocket-Version"), "13");
    // No Upgrade at all: 426 too, saying what to upgrade to (RFC 9110 §15.5.22).
    const std::string plain = answer("GET /ws HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(plain), "HTTP/1.1 426 Upgrade Required");
    EXPECT_EQ(header_value(plain, "Upgrade"), "websocket");
}

TEST_F(Handshake, AllowRefusesAnOriginWith403) {
    EXPECT_EQ(status_line(answer(upgrade_request("/guarded", "Origin: https://evil.example\r\n"))),
              "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(answer(upgrade_request("/guarded"))), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(answer(upgrade_request("/guarded", "Origin: https://good.example\r\n"))),
              "HTTP/1.1 101 Switching Protocols");
}

TEST_F(Handshake, TheServersFirstPreferenceAmongThoseOfferedIsChosen) {
    const auto chosen = [&](std::string_view offer) {
        return header_value(answer(upgrade_request("/ws", offer)), "Sec-WebSocket-Protocol");
    };
    EXPECT_EQ(chosen("Sec-WebSocket-Protocol: v1.chat, v2.chat\r\n"), "v2.chat");
    EXPECT_EQ(chosen("Sec-WebSocket-Protocol: v1.chat\r\nSec-WebSocket-Protocol: v2.chat\r\n"),
              "v2.chat");
    EXPECT_EQ(chosen("Sec-WebSocket-Protocol: mqtt, v1.chat\r\n"), "v1.chat");
    EXPECT_EQ(chosen("Sec-WebSocket-Protocol: V2.CHAT\r\n"), ""); // case-sensitive tokens
    EXPECT_EQ(chosen("Sec-WebSocket-Protocol: mqtt\r\n"), "");
}

TEST_F(Handshake, DeflateIsAgreedOnlyWhenOfferedAndEnabled) {
    const std::string offer =
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    const std::string agreed =
        header_value(answer(upgrade_request("/ws", offer)), "Sec-WebSocket-Extensions");
    EXPECT_EQ(agreed.rfind("permessage-deflate", 0), 0u) << agreed;
    EXPECT_EQ(header_value(answer(upgrade_request("/plain", offer)), "Sec-WebSocket-Extensions"),
              "");
    EXPECT_EQ(header_value(answer(upgrade_request("/ws", "Sec-WebSocket-Extensions: x-foo\r\n")),
                           "Sec-WebSocket-Extensions"),
              "");
    // An offer with a parameter RFC 7692 does not define is declined, not failed.
    const std::string head =
        answer(upgrade_request("/ws", "Sec-WebSocket-Extensions: permessage-deflate; bogus\r\n"));
    EXPECT_EQ(status_line(head), "HTTP/1.1 101 Switching Protocols");
    EXPECT_EQ(header_value(head, "Sec-WebSocket-Extensions"), "");
}

// ---- messages through pier::client::WebSocket ------------------------------------------------

std::string ca_file() {
    static const std::string path = [] {
        char name[] = "/tmp/pier-ws-test-ca-XXXXXX";
        const int fd = mkstemp(name);
        if (fd < 0) throw std::runtime_error("mkstemp");
        ::close(fd);
        std::ofstream(name) << test_certificate().certificate_pem;
        return std::string(name);
    }();
    return path;
}

std::string url(std::uint16_t port, std::string_view path) {
    return std::string(tls_mode() ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port) +
           std::string(path);
}

// A loop on the test's thread, run until stop() or a bound.
class ClientLoop {
  public:
    client::WebSocketOptions options() const {
        client::WebSocketOptions o;
        o.tls.ca_file = ca_file();
        o.timeouts = {client::Duration(5000), client::Duration(5000), client::Duration(0)};
        return o;
    }
    void run(std::chrono::milliseconds at_most = 10s) {
        Loop::Timer guard = loop.after(at_most, [this] {
            timed_out = true;
            events.stop();
        });
        events.run();
    }
    void stop() { events.stop(); }
    net::EventLoop events;
    Loop loop{events};
    bool timed_out = false;
};

struct Conversation {
    std::vector<std::pair<ws::Opcode, std::string>> sent;
    std::vector<std::pair<ws::Opcode, std::string>> received;
    std::uint16_t close_code = 0;
    std::string close_reason;
    std::string subprotocol;
    std::string response_head;
    std::exception_ptr error;
};

// Sends every message of `c.sent` at once, then closes when all have come back.
void converse(ClientLoop& l, const std::string& to, Conversation& c,
              client::WebSocketOptions options) {
    ws::Handlers h;
    h.on_open = [&c](ws::Socket& s) {
        c.subprotocol = s.subprotocol();
        for (const auto& [opcode, data] : c.sent)
            opcode == ws::Opcode::text ? s.send_text(data) : s.send_binary(data);
    };
    h.on_message = [&c](ws::Socket& s, const ws::Message& m) {
        c.received.emplace_back(m.opcode, std::string(m.data));
        if (c.received.size() == c.sent.size()) s.close(ws::close_code::normal, "done");
    };
    h.on_close = [&c, &l](ws::Socket&, std::uint16_t code, std::string_view reason) {
        c.close_code = code;
        c.close_reason = reason;
        l.stop();
    };
    options.debug = [&c](client::DebugKind kind, std::string_view text) {
        if (kind == client::DebugKind::response_head) c.response_head += text;
    };
    client::WebSocket socket(l.loop, to, h, std::move(options), [&c, &l](std::exception_ptr e) {
        c.error = e;
        l.stop();
    });
    l.run();
}

class Echo : public testing::TestWithParam<bool> {}; // with permessage-deflate or without

TEST_P(Echo, TextBinaryAndAMebibyteComeBackWhole) {
    const bool deflate = GetParam();
    Seen seen;
    Router router;
    ws::Options server_options;
    server_options.subprotocols = {"echo.v2", "echo.v1"};
    router.websocket("/echo", echo_handlers(seen), server_options);
    TestServer server(std::move(router));

    std::string big(1 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 5);
    const std::string text = "héllo, wörld — " + std::string(300, 'z');
    Conversation c;
    c.sent = {{ws::Opcode::text, text},
              {ws::Opcode::binary, std::string("\0\x01\xff\x80", 4)},
              {ws::Opcode::text, ""},
              {ws::Opcode::binary, big}};
    ClientLoop l;
    auto options = l.options();
    options.ws.compression = deflate;
    options.ws.subprotocols = {"echo.v1", "echo.v2"};
    converse(l, url(server.port(), "/echo"), c, options);

    ASSERT_FALSE(c.error);
    ASSERT_FALSE(l.timed_out);
    ASSERT_EQ(c.received.size(), c.sent.size())
        << "closed with " << c.close_code << " " << c.close_reason;
    for (std::size_t i = 0; i < c.sent.size(); ++i) {
        EXPECT_EQ(c.received[i].first, c.sent[i].first) << i;
        EXPECT_TRUE(c.received[i].second == c.sent[i].second) << i;
    }
    EXPECT_EQ(c.close_code, ws::close_code::normal);
    EXPECT_EQ(c.subprotocol, "echo.v2");
    seen.wait_closed();
    std::lock_guard lock(seen.mutex);
    EXPECT_EQ(seen.subprotocol, "echo.v2");
    EXPECT_EQ(seen.close_code.load(), ws::close_code::normal);
    EXPECT_EQ(seen.close_reason, "done");
    EXPECT_EQ(c.response_head.find("permessage-deflate") != std::string::npos, deflate)
        << c.response_head;
}

INSTANTIATE_TEST_SUITE_P(Deflate, Echo, testing::Bool(),
                         [](const auto& info) { return info.param ? "on" : "off"; });

TEST(WebSocketClient, AServerWithoutDeflateStillEchoesAClientThatOffersIt) {
    Seen seen;
    Router router;
    ws::Options o;
    o.compression = false;
    router.websocket("/echo", echo_handlers(seen), o);
    TestServer server(std::move(router));
    Conversation c;
    c.sent = {{ws::Opcode::text, std::string(100'000, 'a')}};
    ClientLoop l;
    converse(l, url(server.port(), "/echo"), c, l.options());
    ASSERT_FALSE(c.error);
    ASSERT_EQ(c.received.size(), 1u);
    EXPECT_EQ(c.received[0].second.size(), 100'000u);
    EXPECT_EQ(c.response_head.find("Sec-WebSocket-Extensions"), std::string::npos);
}

TEST(WebSocketClient, ARefusedHandshakeIsAnErrorWithItsStatus) {
    Seen seen;
    Router router;
    ws::Options o;
    o.allow = [](const Request&) { return false; };
    router.websocket("/echo", echo_handlers(seen), o);
    TestServer server(std::move(router));
    Conversation c;
    ClientLoop l;
    converse(l, url(server.port(), "/echo"), c, l.options());
    ASSERT_TRUE(c.error);
    try {
        std::rethrow_exception(c.error);
    } catch (const client::WebSocketHandshakeError& e) {
        EXPECT_EQ(e.status(), 403);
    } catch (...) {
        ADD_FAILURE() << "not a WebSocketHandshakeError";
    }
}

// ---- the closing handshake ------------------------------------------------------------------

TEST(Closing, APeerThatAnswersEndsTheHandshakeAtOnce) {
    Seen seen;
    Router router;
    ws::Options o;
    o.close_timeout = 3s;
    router.websocket("/echo", echo_handlers(seen), o);
    TestServer server(std::move(router));
    Conversation c;
    c.sent = {{ws::Opcode::text, "close please"}}; // the server calls close(4000, ...)
    ClientLoop l;
    const auto start = Clock::now();
    ws::Handlers h;
    h.on_open = [](ws::Socket& s) { s.send_text("close please"); };
    h.on_close = [&](ws::Socket&, std::uint16_t code, std::string_view reason) {
        c.close_code = code;
        c.close_reason = reason;
        l.stop();
    };
    client::WebSocket socket(l.loop, url(server.port(), "/echo"), h, l.options(),
                             [&](std::exception_ptr e) {
                                 c.error = e;
                                 l.stop();
                             });
    l.run();
    ASSERT_FALSE(c.error);
    EXPECT_EQ(c.close_code, 4000);
    EXPECT_EQ(c.close_reason, "as you asked");
    seen.wait_closed();
    // Ended by the client's Close (its echo of 4000), long before close_timeout.
    EXPECT_LT(Clock::now() - start, 2s);
    EXPECT_EQ(seen.close_code.load(), 4000);
}

TEST(Closing, APeerThatNeverAnswersIsDroppedAfterCloseTimeout) {
    Seen seen;
    Router router;
    ws::Options o;
    o.close_timeout = 300ms;
    o.ping_interval = 0ms;
    router.websocket("/echo", echo_handlers(seen), o);
    TestServer server(std::move(router));
    RawWebSocket c(server.port());
    ASSERT_EQ(status_line(c.handshake(upgrade_request("/echo"))),
              "HTTP/1.1 101 Switching Protocols");
    c.send(ws::Opcode::text, "close please");
    const auto f = c.read_frame();
    const auto close_seen = Clock::now();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->opcode, ws::Opcode::close);
    EXPECT_EQ(close_code_of(*f), 4000);
    EXPECT_EQ(f->payload.substr(2), "as you asked");
    // No answer from us: the server ends its side after close_timeout.
    EXPECT_FALSE(c.read_frame());
    EXPECT_TRUE(c.eof());
    const auto waited = Clock::now() - close_seen;
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 3s);
}

TEST(Closing, TheServerEchoesAClientsClose) {
    Seen seen;
    Router router;
    router.websocket("/echo", echo_handlers(seen));
    TestServer server(std::move(router));
    RawWebSocket c(server.port());
    c.handshake(upgrade_request("/echo"));
    c.send(ws::Opcode::close, close_payload(4321, "bye"));
    const auto f = c.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->opcode, ws::Opcode::close);
    EXPECT_EQ(close_code_of(*f), 4321);
    EXPECT_FALSE(c.read_frame());
    EXPECT_TRUE(c.eof());
    seen.wait_closed();
    EXPECT_EQ(seen.close_code.load(), 4321);
    std::lock_guard lock(seen.mutex);
    EXPECT_EQ(seen.close_reason, "bye");
}

// A client that resets the connection with messages still in flight: the server's echo finds
// the socket gone, and the stream closes from inside that send.
TEST(Closing, APeerThatResetsMidEchoIsNoCrash) {
    Seen seen;
    Router router;
    router.websocket("/echo", echo_handlers(seen));
    TestServer server(std::move(router));
    std::string burst;
    for (int i = 0; i < 64; ++i) burst += client_frame(ws::Opcode::binary, std::string(1000, 'r'));
    for (int round = 0; round < 20; ++round) {
        RawWebSocket c(server.port());
        c.handshake(upgrade_request("/echo"));
        c.socket().send(burst);
        ASSERT_TRUE(c.read_frame()) << round; // the server is echoing
        const linger reset{1, 0};
        setsockopt(c.socket().fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    } // closed with an RST, most echoes unread
    RawWebSocket c(server.port());
    EXPECT_EQ(status_line(c.handshake(upgrade_request("/echo"))),
              "HTTP/1.1 101 Switching Protocols");
    c.send(ws::Opcode::text, "still serving");
    const auto f = c.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, "still serving");
}

// ---- idle pings -----------------------------------------------------------------------------

TEST(IdlePing, ASilentPeerIsPingedThenDropped) {
    Seen seen;
    Router router;
    ws::Options o;
    o.ping_interval = 200ms;
    router.websocket("/echo", echo_handlers(seen), o);
    TestServer server(std::move(router));
    RawWebSocket c(server.port());
    const auto start = Clock::now();
    c.handshake(upgrade_request("/echo"));
    const auto ping = c.read_frame();
    const auto pinged = Clock::now();
    ASSERT_TRUE(ping);
    EXPECT_EQ(ping->opcode, ws::Opcode::ping);
    EXPECT_GE(pinged - start, 150ms);
    // No pong: dropped about one interval later, without a Close frame.
    EXPECT_FALSE(c.read_frame());
    EXPECT_TRUE(c.eof());
    EXPECT_GE(Clock::now() - pinged, 150ms);
    EXPECT_LT(Clock::now() - start, 3s);
    seen.wait_closed();
    EXPECT_EQ(seen.close_code.load(), ws::close_code::abnormal);
}

TEST(IdlePing, APeerThatAnswersPingsStays) {
    Seen seen;
    Router router;
    ws::Options o;
    o.ping_interval = 100ms;
    router.websocket("/echo", echo_handlers(seen), o);
    TestServer server(std::move(router));
    RawWebSocket c(server.port(), 2000);
    c.handshake(upgrade_request("/echo"));
    int pings = 0;
    const auto until = Clock::now() + 800ms;
    while (Clock::now() < until) {
        const auto f = c.read_frame();
        ASSERT_TRUE(f) << "dropped after " << pings << " pings";
        ASSERT_EQ(f->opcode, ws::Opcode::ping);
        c.send(ws::Opcode::pong, f->payload);
        ++pings;
    }
    EXPECT_GE(pings, 3);
    EXPECT_EQ(seen.closed.load(), 0);
    c.send(ws::Opcode::text, "still here");
    auto f = c.read_frame();
    while (f && f->opcode == ws::Opcode::ping) f = c.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, "still here");
}

// ---- back-pressure --------------------------------------------------------------------------

struct Pressure {
    std::atomic<int> false_at_send{-1}; // the send that first returned false
    std::atomic<std::size_t> queued_at_false{0};
    std::atomic<std::size_t> max_queued{0};
    std::atomic<int> writable{0};
    std::atomic<std::size_t> sent{0}; // bytes of payload accepted
    std::atomic<int> close_code{0};
    std::atomic<int> closed{0};
    void note_queued(std::size_t q) {
        std::size_t m = max_queued.load();
        while (q > m && !max_queued.compare_exchange_weak(m, q)) {
        }
    }
};

constexpr std::size_t kChunk = 64 * 1024;

TEST(BackPressure, SendReturnsFalsePastHighWaterAndOnWritableFollowsTheDrain) {
    Pressure p;
    const std::size_t total = 32u << 20;
    ws::Options o;
    o.compression = false;
    o.high_water = 256 * 1024;
    o.ping_interval = 0ms;
    ws::Handlers h;
    const std::string chunk(kChunk, 'p');
    // A handler that respects back-pressure: sends until told to wait, resumes on_writable.
    auto pump = [&p, chunk, total](ws::Socket& s) {
        while (p.sent.load() < total) {
            const bool more = s.send_binary(chunk);
            p.sent += chunk.size();
            p.note_queued(s.queued());
            if (!more) {
                if (p.false_at_send.load() < 0) {
                    p.false_at_send = static_cast<int>(p.sent.load() / kChunk);
                    p.queued_at_false = s.queued();
                }
                return;
            }
        }
    };
    h.on_open = pump;
    h.on_writable = [&p, pump](ws::Socket& s) {
        ++p.writable;
        pump(s);
    };
    Router router;
    router.websocket("/flood", h, o);
    TestServer server(std::move(router));
    RawWebSocket c(server.port(), 5000);
    c.handshake(upgrade_request("/flood"));
    // Not reading: the queue passes high_water and the handler waits.
    std::this_thread::sleep_for(300ms);
    EXPECT_GT(p.false_at_send.load(), 0);
    EXPECT_GT(p.queued_at_false.load(), o.high_water);
    EXPECT_LT(p.sent.load(), total);
    EXPECT_EQ(p.writable.load(), 0);
    // Reading: on_writable lets it go on, to the last byte.
    EXPECT_EQ(c.read_payload(total), total);
    EXPECT_GE(p.writable.load(), 1);
    // Never more queued than high_water plus what the kernel would not take of one message.
    EXPECT_LE(p.max_queued.load(), o.high_water + kChunk + 64);
}

TEST(BackPressure, AHandlerThatIgnoresItIsClosedPastMaxQueued) {
    Pressure p;
    ws::Options o;
    o.compression = false;
    o.ping_interval = 0ms;
    o.high_water = 256 * 1024;
    o.max_queued = 4u << 20;
    ws::Handlers h;
    const std::string mebibyte(1 << 20, 'm');
    h.on_open = [&p, mebibyte](ws::Socket& s) {
        // 100 MiB to a peer that reads nothing, the return values ignored.
        for (int i = 0; i < 100; ++i) {
            if (!s.send_binary(mebibyte) && p.false_at_send.load() < 0) p.false_at_send = i;
            p.note_queued(s.queued());
        }
    };
    h.on_close = [&p](ws::Socket&, std::uint16_t code, std::string_view) {
        p.close_code = code;
        ++p.closed;
    };
    Router router;
    router.websocket("/flood", h, o);
    ServerConfig config = TestServer::quiet_config();
    config.timeouts.write_stall = 500ms; // how long a peer that reads nothing is waited for
    TestServer server(std::move(router), config);
    RawWebSocket c(server.port(), 5000);
    c.handshake(upgrade_request("/flood"));
    const auto until = Clock::now() + 5s;
    while (p.closed.load() == 0 && Clock::now() < until) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(p.closed.load(), 1);
    EXPECT_EQ(p.close_code.load(), ws::close_code::policy_violation);
    EXPECT_GE(p.false_at_send.load(), 0);
    // Memory bounded: the queue stopped growing at the bound (plus the message that passed it).
    EXPECT_LE(p.max_queued.load(), o.max_queued + (1u << 20) + 64);
    // What the kernel had taken is all the peer gets; then the connection ends — dropped, so
    // over TLS without close_notify, and well before the client's 5 s read timeout.
    const auto reading = Clock::now();
    const std::size_t got = c.read_payload(100u << 20);
    EXPECT_LT(got, 100u << 20);
    EXPECT_LT(Clock::now() - reading, 3s);
}

} // namespace
} // namespace pier::test
