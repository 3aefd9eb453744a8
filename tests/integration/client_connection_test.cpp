// The client Connection against a scripted server: what it returns and the exact bytes it
// sends, for well-formed and malformed answers.
#include "scripted_server.hpp"

#include <pier/client.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

namespace pier::client {
namespace {

using test::Exchange;
using test::ScriptedServer;
using namespace std::chrono_literals;

std::string host_field(const ScriptedServer& s) {
    return "Host: 127.0.0.1:" + std::to_string(s.port()) + "\r\n";
}
std::string get_bytes(const ScriptedServer& s, std::string_view target) {
    return "GET " + std::string(target) + " HTTP/1.1\r\n" + host_field(s) +
           "Accept-Encoding: identity\r\n\r\n";
}

const std::string kOk =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";

TEST(ClientConnection, GetSendsExactBytesAndReadsTheResponse) {
    ScriptedServer server({{Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/index.html");
    Response r = c.getresponse();
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.reason(), "OK");
    EXPECT_EQ(r.version(), 11);
    EXPECT_EQ(r.header("content-type"), "text/plain");
    EXPECT_EQ(r.header("X-Missing", "none"), "none");
    EXPECT_EQ(r.content_length(), 5u);
    EXPECT_FALSE(r.closed());
    EXPECT_EQ(r.read(2), "he");
    EXPECT_EQ(r.read(), "llo");
    EXPECT_TRUE(r.closed());
    EXPECT_EQ(r.read(), "");
    c.close();
    EXPECT_EQ(server.received(0), get_bytes(server, "/index.html"));
}

TEST(ClientConnection, KeepAliveReusesTheConnection) {
    ScriptedServer server({{Exchange{kOk}, Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/a");
    EXPECT_EQ(c.getresponse().read(), "hello");
    EXPECT_FALSE(c.last_request_reused());
    c.request("GET", "/b");
    EXPECT_EQ(c.getresponse().read(), "hello");
    EXPECT_TRUE(c.last_request_reused());
    c.close();
    EXPECT_EQ(server.accepted(), 1u);
    EXPECT_EQ(server.received(0), get_bytes(server, "/a") + get_bytes(server, "/b"));
}

TEST(ClientConnection, ConnectionCloseMeansANewConnection) {
    const std::string closing =
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
    ScriptedServer server({{Exchange{closing}}, {Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/a");
    Response r = c.getresponse();
    EXPECT_TRUE(r.will_close());
    EXPECT_EQ(r.read(), "ok");
    EXPECT_FALSE(c.connected());
    c.request("GET", "/b");
    EXPECT_EQ(c.getresponse().read(), "hello");
    EXPECT_FALSE(c.last_request_reused());
    c.close();
    EXPECT_EQ(server.accepted(), 2u);
    EXPECT_EQ(server.received(1), get_bytes(server, "/b"));
}

TEST(ClientConnection, ARequestSayingCloseIsTheLastOnItsConnection) {
    ScriptedServer server({{Exchange{kOk}}, {Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    Fields f;
    f.add("Connection", "close");
    c.request("GET", "/a", {}, f);
    EXPECT_EQ(c.getresponse().read(), "hello"); // the server did not say close; we did
    EXPECT_FALSE(c.connected());
    c.request("GET", "/b");
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.close();
    EXPECT_EQ(server.accepted(), 2u);
}

TEST(ClientConnection, CloseDelimitedBodyIsReadToTheEndAndNotReused) {
    ScriptedServer server(
        {{Exchange{"HTTP/1.1 200 OK\r\n\r\nuntil the end", "", true}}, {Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/a");
    Response r = c.getresponse();
    EXPECT_EQ(r.content_length(), std::nullopt);
    EXPECT_EQ(r.read(), "until the end");
    c.request("GET", "/b");
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.close();
    EXPECT_EQ(server.accepted(), 2u);
}

TEST(ClientConnection, Http10ResponseWithoutKeepAliveCloses) {
    ScriptedServer server({{Exchange{"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/");
    Response r = c.getresponse();
    EXPECT_EQ(r.version(), 10);
    EXPECT_EQ(r.read(), "ok");
    EXPECT_FALSE(c.connected());
}

TEST(ClientConnection, PostSendsContentLengthAndBody) {
    ScriptedServer server({{Exchange{kOk}, Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    Fields f;
    f.add("Content-Type", "application/json");
    c.request("POST", "/api", "{\"a\":1}", f);
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.request("PUT", "/empty");
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.close();
    EXPECT_EQ(server.received(0),
              "POST /api HTTP/1.1\r\n" + host_field(server) +
                  "Accept-Encoding: identity\r\nContent-Type: application/json\r\n"
                  "Content-Length: 7\r\n\r\n{\"a\":1}"
                  "PUT /empty HTTP/1.1\r\n" +
                  host_field(server) + "Accept-Encoding: identity\r\nContent-Length: 0\r\n\r\n");
}

// What the client sent while `use` ran against a server that answers kOk once.
template <class Use>
std::string bytes_sent(Use use) {
    ScriptedServer server({{Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    use(c);
    c.close();
    return server.received(0);
}

TEST(ClientConnection, CallerFieldsReplaceTheDefaults) {
    Fields f;
    f.add("Host", "example.test");
    f.add("Accept-Encoding", "gzip");
    EXPECT_EQ(bytes_sent([&](Connection& c) {
                  c.request("GET", "/", {}, f);
                  EXPECT_EQ(c.getresponse().read(), "hello");
              }),
              "GET / HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: gzip\r\n\r\n");
}

// Each hop-by-hop or framing field may be put once per request; any other field repeats.
TEST(ClientConnection, HopByHopFieldsOncePerRequest) {
    Connection c("127.0.0.1", 1, 5s); // nothing is sent: putheader only builds the head
    for (const char* name : {"Host", "Content-Length", "Transfer-Encoding", "Connection", "TE",
                             "Upgrade", "Keep-Alive", "Proxy-Connection", "Expect", "Trailer"}) {
        c.putrequest("GET", "/", true, true);
        c.putheader(name, "1");
        EXPECT_THROW(c.putheader(name, "2"), std::invalid_argument) << name;
        c.close();
    }
    c.putrequest("GET", "/", true, true);
    c.putheader("X-Repeat", "1");
    EXPECT_NO_THROW(c.putheader("X-Repeat", "2"));
    EXPECT_NO_THROW(c.putheader("Accept", "a"));
    EXPECT_NO_THROW(c.putheader("Accept", "b"));
}

TEST(ClientConnection, LowLevelCallsAndTheirOrder) {
    ScriptedServer server({{Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    EXPECT_THROW(c.putheader("X-A", "1"), CannotSendHeader);
    EXPECT_THROW(c.endheaders(), CannotSendHeader);
    EXPECT_THROW((void)c.getresponse(), ResponseNotReady);
    c.putrequest("GET", "/low", true, true);
    EXPECT_THROW(c.putrequest("GET", "/again"), CannotSendRequest);
    c.putheader("Host", "h.test");
    EXPECT_THROW(c.putheader("Host", "twice.test"), std::invalid_argument);
    EXPECT_THROW(c.putheader("X-Bad", "a\r\nInjected: 1"), std::invalid_argument);
    EXPECT_THROW(c.putheader("Bad Name", "v"), std::invalid_argument);
    c.putheader("X-Multi", "a", "b", "c");
    c.endheaders();
    EXPECT_THROW(c.putheader("X-Late", "1"), CannotSendHeader);
    Response r = c.getresponse();
    EXPECT_THROW((void)c.getresponse(), ResponseNotReady);
    EXPECT_EQ(r.read(), "hello");
    c.close();
    EXPECT_EQ(server.received(0), "GET /low HTTP/1.1\r\nHost: h.test\r\nX-Multi: a, b, c\r\n\r\n");
}

TEST(ClientConnection, BodySentPieceByPieceAfterEndheaders) {
    // http.client's manual form: the caller frames the body and sends it with send().
    const std::string sent = bytes_sent([](Connection& c) {
        c.putrequest("POST", "/upload");
        c.putheader("Content-Length", "6");
        c.endheaders();
        c.send("abc");
        c.send("def");
        EXPECT_EQ(c.getresponse().read(), "hello");
    });
    EXPECT_NE(sent.find("POST /upload HTTP/1.1\r\nHost: 127.0.0.1:"), std::string::npos);
    EXPECT_TRUE(sent.ends_with("\r\nAccept-Encoding: identity\r\nContent-Length: 6\r\n\r\nabcdef"))
        << sent;
}

TEST(ClientConnection, RequestWithARefusedFieldLeavesTheConnectionUsable) {
    Fields twice;
    twice.add("Connection", "keep-alive");
    twice.add("Connection", "close");
    const std::string sent = bytes_sent([&](Connection& c) {
        EXPECT_THROW(c.request("GET", "/", {}, twice), std::invalid_argument);
        c.putrequest("GET", "/ok", true, true);
        c.endheaders();
        EXPECT_EQ(c.getresponse().read(), "hello");
    });
    EXPECT_EQ(sent, "GET /ok HTTP/1.1\r\n\r\n");
}

TEST(ClientConnection, ControlCharactersInTheTargetAreRefused) {
    Connection c("127.0.0.1", 9, 5s);
    EXPECT_THROW(c.putrequest("GET", "/a b"), InvalidURL);
    EXPECT_THROW(c.putrequest("GET", "/a\r\nX: y"), InvalidURL);
    EXPECT_THROW(Connection("127.0.0.1:http"), InvalidURL);
}

TEST(ClientConnection, HeadAnd204And304HaveNoBody) {
    ScriptedServer server({{
        Exchange{"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"},
        Exchange{"HTTP/1.1 204 No Content\r\n\r\n"},
        Exchange{"HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"},
        Exchange{kOk},
    }});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("HEAD", "/");
    Response head = c.getresponse();
    EXPECT_TRUE(head.closed());
    EXPECT_EQ(head.header("Content-Length"), "1000");
    EXPECT_EQ(head.read(), "");
    for (const int status : {204, 304}) {
        c.request("GET", "/");
        Response r = c.getresponse();
        EXPECT_EQ(r.status(), status);
        EXPECT_TRUE(r.closed());
    }
    c.request("GET", "/");
    EXPECT_EQ(c.getresponse().read(), "hello");
    EXPECT_TRUE(c.last_request_reused());
    c.close();
    EXPECT_EQ(server.accepted(), 1u);
}

TEST(ClientConnection, InterimResponsesAreSkippedAndKept) {
    ScriptedServer server(
        {{Exchange{"HTTP/1.1 100 Continue\r\n\r\n"
                   "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n" +
                   kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/");
    Response r = c.getresponse();
    EXPECT_EQ(r.status(), 200);
    ASSERT_EQ(r.interim().size(), 2u);
    EXPECT_EQ(r.interim()[0].status, 100);
    EXPECT_EQ(r.interim()[1].status, 103);
    EXPECT_EQ(r.interim()[1].fields.get("link"), "</s.css>; rel=preload");
    EXPECT_EQ(r.read(), "hello");
}

TEST(ClientConnection, EndlessInterimResponsesAreRefused) {
    std::string many;
    for (int i = 0; i < 40; ++i) many += "HTTP/1.1 100 Continue\r\n\r\n";
    ScriptedServer server({{Exchange{many + kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/");
    EXPECT_THROW((void)c.getresponse(), ProtocolError);
    EXPECT_FALSE(c.connected());
}

TEST(ClientConnection, ChunkedWithExtensionsAndTrailers) {
    ScriptedServer server({{Exchange{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                     "5;name=value\r\nhello\r\n"
                                     "7\r\n, world\r\n"
                                     "0\r\nX-Checksum: abc\r\n\r\n"},
                            Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/");
    Response r = c.getresponse();
    EXPECT_EQ(r.content_length(), std::nullopt);
    EXPECT_EQ(r.read(3), "hel");
    EXPECT_EQ(r.read(), "lo, world");
    EXPECT_TRUE(r.closed());
    EXPECT_EQ(r.trailers().get("x-checksum"), "abc");
    EXPECT_TRUE(r.headers().get("x-checksum").empty());
    c.request("GET", "/next");
    EXPECT_EQ(c.getresponse().read(), "hello");
    EXPECT_TRUE(c.last_request_reused());
}

// What IncompleteRead reports for a body cut short by the server's close.
std::pair<std::uint64_t, std::optional<std::uint64_t>> incomplete_read_of(std::string reply) {
    ScriptedServer server({{Exchange{std::move(reply), "", true}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/");
    Response r = c.getresponse();
    try {
        (void)r.read();
    } catch (const IncompleteRead& e) {
        EXPECT_TRUE(r.closed());
        EXPECT_FALSE(c.connected());
        return {e.partial(), e.expected()};
    }
    ADD_FAILURE() << "no IncompleteRead";
    return {};
}

TEST(ClientConnection, LargeBodiesAreReadToTheLastByteWithoutStalling) {
    // Large reads ask the kernel to wait for a full buffer (SO_RCVLOWAT) while plenty is still
    // to come; the last stretch, and a pause in the middle, must not stall until a timeout.
    std::string body(3 * 1024 * 1024 + 12345, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 7 % 251);
    const std::string head =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    // The pause comes 200 kB before the end: a read that waited for a full 256 KiB there would
    // sleep until its timeout (1.5 s of the 3 s here, then take what it has).
    const std::size_t tail = 200000;
    Exchange paused{head + body.substr(0, body.size() - tail)};
    paused.rest = body.substr(body.size() - tail);
    paused.pause = 300ms;
    ScriptedServer server({{Exchange{head + body}, paused, Exchange{kOk}}});
    Connection c("127.0.0.1", server.port());
    c.set_timeouts({5s, 3s, 0ms});
    for (int round = 0; round < 2; ++round) {
        const auto start = std::chrono::steady_clock::now();
        c.request("GET", "/big");
        Response r = c.getresponse();
        std::string got;
        std::vector<char> buffer(256 * 1024);
        while (const std::size_t n = r.readinto(buffer)) got.append(buffer.data(), n);
        EXPECT_TRUE(got == body) << "round " << round << ": " << got.size() << " bytes";
        EXPECT_LT(std::chrono::steady_clock::now() - start, 1200ms) << "round " << round;
    }
    c.request("GET", "/next");
    EXPECT_EQ(c.getresponse().read(), "hello");
}

TEST(ClientConnection, TruncatedBodyIsIncompleteRead) {
    const auto [partial, expected] =
        incomplete_read_of("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf!");
    EXPECT_EQ(partial, 5u);
    EXPECT_EQ(expected, 10u);
}

TEST(ClientConnection, TruncatedChunkedBodyIsIncompleteRead) {
    const auto [partial, expected] = incomplete_read_of(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n8\r\nabc");
    EXPECT_EQ(partial, 8u);
    EXPECT_EQ(expected, std::nullopt);
}

TEST(ClientConnection, MalformedChunkSizeIsAProtocolError) {
    ScriptedServer server(
        {{Exchange{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
                   "", true}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/");
    Response r = c.getresponse();
    EXPECT_THROW((void)r.read(), ProtocolError);
}

TEST(ClientConnection, BadStatusLines) {
    for (const char* reply : {"HTTP/1.1 abc OK\r\n\r\n", "ICY 200 OK\r\n\r\n",
                              "HTTP/2.0 200 OK\r\n\r\n", "garbage\r\n\r\n"}) {
        ScriptedServer server({{Exchange{reply, "", true}}});
        Connection c("127.0.0.1", server.port(), 5s);
        c.request("GET", "/");
        EXPECT_THROW((void)c.getresponse(), BadStatusLine) << reply;
        EXPECT_FALSE(c.connected());
    }
}

// The bytes received before the close, as RemoteDisconnected reports them; -1 if not thrown.
long long disconnect_after(const Exchange& reply) {
    ScriptedServer server({{reply}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/");
    try {
        (void)c.getresponse();
    } catch (const RemoteDisconnected& e) {
        return static_cast<long long>(e.received());
    }
    return -1;
}

TEST(ClientConnection, EmptyReplyIsRemoteDisconnected) {
    EXPECT_EQ(disconnect_after(Exchange{"", "", false, true}), 0);
}

TEST(ClientConnection, TruncatedHeadIsRemoteDisconnected) {
    EXPECT_EQ(disconnect_after(Exchange{"HTTP/1.1 200 OK\r\nContent-Le", "", true}), 27);
}

TEST(ClientConnection, ObsFoldIsUnfoldedToASpace) {
    ScriptedServer server({{Exchange{
        "HTTP/1.1 200 OK\r\nX-Folded: first\r\n  second\r\nContent-Length: 2\r\n\r\nok"}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/");
    Response r = c.getresponse();
    EXPECT_EQ(r.header("X-Folded"), "first second");
    EXPECT_EQ(r.read(), "ok");
}

// What real servers send passes (a 70 KB field, 500 fields: curl takes both); past the client
// limits — a 101 KiB line, a 301 KiB head — the answer is refused, not read without end.
TEST(ClientConnection, LargeHeadsPassAndHugeOnesAreRefused) {
    const std::string large_line =
        "HTTP/1.1 200 OK\r\nX-Big: " + std::string(70'000, 'a') + "\r\nContent-Length: 0\r\n\r\n";
    std::string many = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 500; ++i) many += "Set-Cookie: c" + std::to_string(i) + "=v\r\n";
    many += "Content-Length: 0\r\n\r\n";
    for (const std::string& reply : {large_line, many}) {
        ScriptedServer server({{Exchange{reply}}});
        Connection c("127.0.0.1", server.port(), 5s);
        c.request("GET", "/");
        EXPECT_EQ(c.getresponse().status(), 200);
    }
    const std::string huge_line =
        "HTTP/1.1 200 OK\r\nX-Big: " + std::string(101 * 1024, 'a') + "\r\n\r\n";
    std::string huge_head = "HTTP/1.1 200 OK\r\n";
    while (huge_head.size() < 301 * 1024)
        huge_head += "X-Field: " + std::string(1000, 'v') + "\r\n";
    huge_head += "\r\n";
    for (const std::string& reply : {huge_line, huge_head}) {
        ScriptedServer server({{Exchange{reply, "", true}}});
        Connection c("127.0.0.1", server.port(), 5s);
        c.request("GET", "/");
        EXPECT_THROW((void)c.getresponse(), LineTooLong);
    }
}

TEST(ClientConnection, LimitsAreSettable) {
    std::string many = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 150; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
    many += "Content-Length: 0\r\n\r\n";
    ScriptedServer server({{Exchange{many}}});
    Connection c("127.0.0.1", server.port(), 5s);
    Limits limits; // the server's defaults: at most 100 fields
    c.set_limits(limits);
    c.request("GET", "/");
    EXPECT_THROW((void)c.getresponse(), LineTooLong);
}

// GET /a, then GET /b, on one Connection; each must read "hello".
void get_a_then_b(const ScriptedServer& server) {
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/a");
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.request("GET", "/b");
    EXPECT_EQ(c.getresponse().read(), "hello");
}

TEST(ClientConnection, ReusedConnectionClosedByTheServerIsRetriedOnceForGet) {
    ScriptedServer server({{Exchange{kOk}, Exchange{"", "", false, true}}, {Exchange{kOk}}});
    get_a_then_b(server);
    EXPECT_EQ(server.accepted(), 2u);
    EXPECT_EQ(server.received(0), get_bytes(server, "/a") + get_bytes(server, "/b"));
    EXPECT_EQ(server.received(1), get_bytes(server, "/b"));
}

// Bytes past the end of an answer mean the server frames otherwise than we read: the next
// request goes on a new connection instead of reading "EXTRA" as its status line.
TEST(ClientConnection, BytesAfterAnAnswerRetireTheConnection) {
    ScriptedServer server(
        {{Exchange{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA"}}, {Exchange{kOk}}});
    get_a_then_b(server);
    EXPECT_EQ(server.accepted(), 2u);
    EXPECT_EQ(server.received(1), get_bytes(server, "/b"));
}

TEST(ClientConnection, PostIsNotRetried) {
    ScriptedServer server({{Exchange{kOk}, Exchange{"", "", false, true}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/a");
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.request("POST", "/b", "x");
    EXPECT_THROW((void)c.getresponse(), RemoteDisconnected);
    EXPECT_EQ(server.accepted(), 1u);
}

TEST(ClientConnection, IdleConnectionClosedByTheServerIsReplacedBeforeSending) {
    ScriptedServer server({{Exchange{kOk, "", true}}, {Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/a");
    EXPECT_EQ(c.getresponse().read(), "hello");
    std::this_thread::sleep_for(50ms); // the server's FIN arrives
    // A POST, which is never sent on a connection not checked first (a GET idle this briefly
    // is sent unchecked and retried if need be).
    c.request("POST", "/b", "x");
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.close();
    EXPECT_EQ(server.received(0), get_bytes(server, "/a"));
    EXPECT_EQ(server.received(1), "POST /b HTTP/1.1\r\n" + host_field(server) +
                                      "Accept-Encoding: identity\r\nContent-Length: 1\r\n\r\nx");
}

// PUT /up with a 10-byte body, large enough (over 4 bytes) for Expect: 100-continue.
Response put_expecting_continue(Connection& c, Duration wait) {
    c.set_expect_continue(4, wait);
    c.request("PUT", "/up", "0123456789");
    return c.getresponse();
}
std::string expect_continue_head(const ScriptedServer& s) {
    return "PUT /up HTTP/1.1\r\n" + host_field(s) +
           "Accept-Encoding: identity\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n";
}

TEST(ClientConnection, ExpectContinueWaitsForTheGoAhead) {
    Exchange e{kOk};
    e.interim = "HTTP/1.1 100 Continue\r\n\r\n";
    ScriptedServer server({{e}});
    Connection c("127.0.0.1", server.port(), 5s);
    Response r = put_expecting_continue(c, 5s);
    EXPECT_EQ(r.status(), 200);
    EXPECT_TRUE(r.interim().empty()); // the 100 was the go-ahead, consumed by request()
    EXPECT_EQ(r.read(), "hello");
    c.close();
    EXPECT_EQ(server.received(0), expect_continue_head(server) + "0123456789");
}

TEST(ClientConnection, ExpectContinueWithoutAnAnswerSendsTheBodyAfterTheWait) {
    ScriptedServer server({{Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    EXPECT_EQ(put_expecting_continue(c, 100ms).read(), "hello");
    c.close();
    EXPECT_EQ(server.received(0), expect_continue_head(server) + "0123456789");
}

TEST(ClientConnection, AFinalAnswerInsteadOf100ContinueWithholdsTheBody) {
    Exchange e{""};
    e.interim = "HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n\r\nbig";
    e.close_instead = true; // the server reads no body and closes
    ScriptedServer server({{e}});
    Connection c("127.0.0.1", server.port(), 5s);
    Response r = put_expecting_continue(c, 5s);
    EXPECT_EQ(r.status(), 413);
    EXPECT_TRUE(r.will_close());
    EXPECT_EQ(r.read(), "big");
    EXPECT_FALSE(c.connected());
    c.close();
    EXPECT_EQ(server.received(0), expect_continue_head(server));
}

TEST(ClientConnection, AStreamOfUnknownLengthWaitsForTheGoAhead) {
    Exchange e{kOk};
    e.interim = "HTTP/1.1 100 Continue\r\n\r\n";
    ScriptedServer server({{e}});
    Connection c("127.0.0.1", server.port(), 5s);
    bool sent = false;
    c.request_stream(
        "PUT", "/up",
        [&](char* data, std::size_t) -> std::size_t {
            if (sent) return 0;
            sent = true;
            data[0] = 'x';
            return 1;
        },
        std::nullopt);
    EXPECT_TRUE(c.expected_continue_itself());
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.close();
    EXPECT_EQ(server.received(0), "PUT /up HTTP/1.1\r\n" + host_field(server) +
                                      "Accept-Encoding: identity\r\nTransfer-Encoding: "
                                      "chunked\r\nExpect: 100-continue\r\n\r\n1\r\nx\r\n0\r\n\r\n");
}

TEST(ClientConnection, TheCallersExpectIsWaitedOnToo) {
    Exchange e{""};
    e.interim = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    e.close_instead = true;
    ScriptedServer server({{e}});
    Connection c("127.0.0.1", server.port(), 5s);
    Fields f;
    f.add("Expect", "100-continue");
    c.request("POST", "/up", "small", f); // under any threshold: the caller asked
    EXPECT_FALSE(c.expected_continue_itself());
    EXPECT_EQ(c.getresponse().status(), 403);
    c.close();
    EXPECT_EQ(server.received(0), "POST /up HTTP/1.1\r\n" + host_field(server) +
                                      "Accept-Encoding: identity\r\nExpect: "
                                      "100-continue\r\nContent-Length: 5\r\n\r\n");
}

TEST(ClientConnection, AStreamShorterThanItsLengthFailsTheRequest) {
    ScriptedServer server({{Exchange{"", {}, false, true}}});
    Connection c("127.0.0.1", server.port(), 5s);
    bool sent = false;
    EXPECT_THROW(c.request_stream(
                     "PUT", "/up",
                     [&](char* data, std::size_t) -> std::size_t {
                         if (sent) return 0;
                         sent = true;
                         data[0] = 'x';
                         return 1;
                     },
                     10),
                 BodyReadError);
    EXPECT_FALSE(c.connected()); // half a body went: the connection cannot carry another
}

TEST(ClientConnection, ReadTimeout) {
    Exchange slow{kOk};
    slow.delay = 1500ms;
    ScriptedServer server({{slow}});
    Connection c("127.0.0.1", server.port(), 200ms);
    c.request("GET", "/");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW((void)c.getresponse(), TimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(ClientConnection, AnAnswerLaterThanHalfTheTimeoutIsNoTimeout) {
    // The socket timeout is armed with half the time left; waking early must not fail.
    Exchange slow{kOk};
    slow.delay = 450ms;
    ScriptedServer server({{slow, slow}});
    Connection c("127.0.0.1", server.port(), 700ms);
    c.request("GET", "/");
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.set_timeouts({700ms, 0ms, 700ms});
    c.request("GET", "/");
    EXPECT_EQ(c.getresponse().read(), "hello");
}

TEST(ClientConnection, TotalTimeout) {
    Exchange slow{kOk};
    slow.delay = 1500ms;
    ScriptedServer server({{slow}});
    Connection c("127.0.0.1", server.port());
    c.set_timeouts({0ms, 0ms, 300ms});
    c.request("GET", "/");
    EXPECT_THROW((void)c.getresponse(), TimeoutError);
}

TEST(ClientConnection, RefusedConnectionIsConnectError) {
    // A port that was just free: bind, read it, close.
    std::uint16_t port;
    {
        ScriptedServer probe({});
        port = probe.port();
    }
    Connection c("127.0.0.1", port, 2s);
    try {
        c.request("GET", "/");
        FAIL() << "connected";
    } catch (const ConnectError& e) {
        EXPECT_EQ(e.kind(), ConnectError::Kind::connect);
        EXPECT_EQ(e.error(), ECONNREFUSED);
    }
    // Nothing was sent, so the connection is idle again, not "Request-sent".
    EXPECT_THROW(c.request("GET", "/"), ConnectError);
}

TEST(ClientConnection, ConnectTimeout) {
    // A listener that never accepts, its backlog full: the kernel drops further SYNs, so a
    // connect hangs on loopback as it would towards an unreachable host.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(listener, 0), 0);
    socklen_t len = sizeof a;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
    std::vector<int> fillers;
    for (int i = 0; i < 4; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        (void)::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        fillers.push_back(fd);
    }
    std::this_thread::sleep_for(50ms);
    Connection c("127.0.0.1", ntohs(a.sin_port));
    c.set_timeouts({300ms, 0ms, 0ms});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(c.request("GET", "/"), TimeoutError);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, 250ms);
    EXPECT_LT(took, 2s);
    for (const int fd : fillers) ::close(fd);
    ::close(listener);
}

TEST(ClientConnection, StreamedBodyOfUnknownLengthIsChunked) {
    ScriptedServer server({{Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.set_expect_continue(UINT64_MAX, 0ms); // the framing alone (Expect: below)
    int calls = 0;
    c.request_stream(
        "POST", "/s",
        [&](char* data, std::size_t) -> std::size_t {
            if (++calls > 2) return 0;
            data[0] = calls == 1 ? 'a' : 'b';
            data[1] = 'c';
            return 2;
        },
        std::nullopt);
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.close();
    EXPECT_EQ(server.received(0), "POST /s HTTP/1.1\r\n" + host_field(server) +
                                      "Accept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n"
                                      "\r\n2\r\nac\r\n2\r\nbc\r\n0\r\n\r\n");
}

TEST(ClientConnection, DebugLevelPrintsTheExchangeAsPythonDoes) {
    ScriptedServer server({{Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.set_debuglevel(1);
    testing::internal::CaptureStderr();
    c.request("GET", "/d");
    Response r = c.getresponse();
    const std::string printed = testing::internal::GetCapturedStderr();
    EXPECT_NE(printed.find(
                  "send: b'GET /d HTTP/1.1\\r\\nHost: 127.0.0.1:" + std::to_string(server.port()) +
                  "\\r\\nAccept-Encoding: identity\\r\\n\\r\\n'\n"),
              std::string::npos)
        << printed;
    EXPECT_NE(printed.find("reply: 'HTTP/1.1 200 OK\\r\\n'\nheader: Content-Length: 5\n"
                           "header: Content-Type: text/plain\n"),
              std::string::npos)
        << printed;
    EXPECT_EQ(r.read(), "hello");
}

TEST(ClientConnection, UnreadResponseBlocksTheNextRequest) {
    ScriptedServer server({{Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.request("GET", "/");
    Response r = c.getresponse();
    EXPECT_THROW(c.request("GET", "/again"), CannotSendRequest);
    r.close();
    EXPECT_FALSE(c.connected());
}

} // namespace
} // namespace pier::client
