// The HTTP/1 session on the in-memory transport (as h2o's t/00unit): no sockets, so EAGAIN
// and short counts can be placed at every byte, and what the session wrote is checked byte for
// byte. Each test drives the Connection as the event loop would — on_io() with the events an
// edge-triggered epoll would report — and fires deadlines by advancing the timer wheel.
#include "net/memory_transport.hpp"
#include "server/connection.hpp"
#include "server/worker.hpp"

#include <pier/stream.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace pier::server {
namespace {

using net::MemoryTransport;

// The connection destroys its transport when it closes; the test still reads what was
// written, so the connection gets this stand-in for the rig's transport.
class Borrowed final : public net::Transport {
  public:
    explicit Borrowed(MemoryTransport& t) : t_(t) {}
    int fd() const noexcept override { return -1; }
    net::IoResult read(char* into, std::size_t room) noexcept override {
        return t_.read(into, room);
    }
    net::IoResult writev(const iovec* pieces, int count) noexcept override {
        return t_.writev(pieces, count);
    }
    net::IoResult send_file(int fd, std::uint64_t& offset, std::size_t length) noexcept override {
        return t_.send_file(fd, offset, length);
    }
    void shutdown_write() noexcept override { t_.shutdown_write(); }
    bool has_buffered() const noexcept override { return t_.has_buffered(); }
    std::size_t pending_output() const noexcept override { return t_.pending_output(); }
    net::IoResult flush() noexcept override { return t_.flush(); }

  private:
    MemoryTransport& t_;
};

// One worker (never run: the test is its loop) and one connection on a memory transport.
class Rig {
  public:
    explicit Rig(Router router = default_router()) {
        shared_.config.access_log = AccessLogFormat::off;
        shared_.config.server_header.clear();
        shared_.router = std::move(router);
        worker_ = std::make_unique<Worker>(shared_);
        net::SocketAddress peer;
        peer.length = 0;
        shared_.connections.fetch_add(1);
        conn_ = new Connection(*worker_, std::make_unique<Borrowed>(io_), peer);
        conn_->start();
    }
    ~Rig() {
        if (!closed()) conn_->abort();
        worker_->loop().drain_posted(); // destroys it
    }

    static Router default_router() {
        Router router;
        router.get("/", [](const Request&, Response& res) { res.set_body("hello\n"); });
        router.post("/echo", [](const Request& req, Response& res) {
            res.set_body(std::string(req.body()));
        });
        return router;
    }

    MemoryTransport& io() { return io_; }
    Connection& conn() { return *conn_; }
    ServerConfig& config() { return shared_.config; }
    bool closed() { return conn_ == nullptr || conn_->closed(); }

    /// The client's bytes arrive; the loop reports readable until everything is read, as
    /// edge-triggered epoll reports each new arrival (so a session that stops reading early
    /// is not woken again, as it would not be for real).
    void arrive(std::string_view bytes) {
        io_.feed(bytes);
        pump();
    }
    void pump() {
        for (int guard = 0; guard < 100000 && !closed() && io_.unread() > 0; ++guard) {
            const std::size_t before = io_.unread();
            conn_->on_io(EPOLLIN);
            if (io_.unread() == before) break; // it chose to stop reading
        }
    }
    void writable() {
        if (!closed()) conn_->on_io(EPOLLOUT);
    }
    void hang_up() {
        io_.feed_eof();
        if (!closed()) conn_->on_io(EPOLLIN | EPOLLRDHUP);
    }
    /// Runs what was posted to the loop (a Resume's wake-up).
    void run_posted() {
        worker_->loop().drain_posted();
        if (shared_.connections.load() == 0) conn_ = nullptr; // closed and destroyed there
    }
    /// Fires every deadline due within `ms` from now.
    void advance(std::uint64_t ms) {
        worker_->loop().timers().expire(worker_->loop().now_ms() + ms);
    }

  private:
    MemoryTransport io_; // outlives the connection
    Shared shared_;
    std::unique_ptr<Worker> worker_;
    Connection* conn_ = nullptr;
};

// Responses without their Date field, so they can be compared whole.
std::string without_date(std::string text) {
    for (std::size_t at = text.find("Date: "); at != std::string::npos; at = text.find("Date: ")) {
        text.erase(at, text.find("\r\n", at) + 2 - at);
    }
    return text;
}

constexpr std::string_view kHello = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";

TEST(Http1Session, PipelinedRequestsAreAnsweredInOrderInOneWrite) {
    Rig rig;
    rig.arrive("GET / HTTP/1.1\r\nHost: t\r\n\r\n"
               "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
               "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(without_date(rig.io().output()),
              std::string(kHello) + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc" +
                  std::string(kHello));
    EXPECT_FALSE(rig.closed());
}

TEST(Http1Session, EveryBodyKindSurvivesReadsOfOneByte) {
    const std::string_view requests[] = {
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world",
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
        "POST /echo HTTP/1.0\r\nContent-Length: 11\r\n\r\nhello world",
    };
    for (std::string_view request : requests) {
        Rig rig;
        rig.io().set_read_chunk(1);
        rig.arrive(request);
        const std::string out = without_date(rig.io().output());
        EXPECT_NE(out.find("\r\n\r\nhello world"), std::string::npos) << request << out;
        EXPECT_EQ(out.rfind("HTTP/1.1 200 OK", 0), 0u) << out;
    }
}

// A transport that holds bytes inside it (TLS decrypts records ahead) must be read on even
// after a short read: no edge will report those bytes again.
TEST(Http1Session, BytesHeldInsideTheTransportAreReadWithoutAnotherEdge) {
    Rig rig;
    rig.io().set_read_chunk(7);
    rig.io().set_reports_buffered(true);
    rig.io().feed("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
    rig.conn().on_io(EPOLLIN); // one edge only
    EXPECT_EQ(without_date(rig.io().output()), std::string(kHello) + std::string(kHello));
}

// The transport refuses to take more at byte k, for every k; the answer resumes on the next
// writable edge and arrives whole, once.
TEST(Http1Session, WouldBlockAtEveryByteOfTheAnswer) {
    Router router;
    router.get("/stream", [](const Request&, Response& res) {
        res.set_stream([n = 0](std::string& out) mutable {
            out += "piece" + std::to_string(n) + ";";
            return ++n < 3;
        });
        res.trailers().set("X-Done", "yes");
    });
    std::string whole;
    {
        Rig rig(router);
        rig.arrive("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
        whole = without_date(rig.io().output());
    }
    ASSERT_NE(whole.find("X-Done: yes"), std::string::npos);
    for (std::size_t k = 0; k < whole.size(); ++k) {
        Rig rig(router);
        rig.io().set_write_budget(k);
        rig.arrive("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
        ASSERT_EQ(rig.io().output().size(), k);
        rig.io().set_write_budget(MemoryTransport::kUnlimited);
        rig.writable();
        // Without Date: the loop over every byte may cross a second boundary.
        ASSERT_EQ(without_date(rig.io().output()), whole) << "blocked at byte " << k;
    }
}

// A transport that keeps what it took (TLS gathering records): the answer counts as sent only
// once that is out, so a connection ends after it, never in the middle of it.
TEST(Http1Session, OutputHeldByTheTransportIsFlushedBeforeTheConnectionEnds) {
    Router router;
    router.get("/big", [](const Request&, Response& res) { res.set_body(std::string(5000, 'b')); });
    std::string whole;
    {
        Rig rig(router);
        rig.arrive("GET /big HTTP/1.1\r\nHost: t\r\n\r\n");
        whole = without_date(rig.io().output());
    }
    for (const bool half_closed : {false, true}) {
        for (const std::size_t k : {std::size_t{0}, std::size_t{10}, whole.size() - 1}) {
            Rig rig(router);
            rig.io().set_gathers(true);
            rig.io().set_write_budget(k);
            rig.io().feed("GET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            if (half_closed)
                rig.hang_up(); // nothing more will come: the session would close at once
            else
                rig.pump();
            ASSERT_GT(rig.io().pending_output(), 0u);
            EXPECT_FALSE(rig.closed()) << "closed with " << k << " bytes out";
            EXPECT_FALSE(rig.io().write_shut());
            rig.io().set_write_budget(MemoryTransport::kUnlimited);
            rig.writable();
            ASSERT_EQ(without_date(rig.io().output()).size(), whole.size() + 19) << k;
            EXPECT_TRUE(rig.closed() || rig.io().write_shut());
        }
    }
}

// A handler whose answer comes later (a CGI script, an upstream): nothing goes out and no
// client deadline runs until it says the response is filled in; then it goes out, and the
// request pipelined behind it after it. Its state lives exactly as long as the exchange.
TEST(Http1Session, AnAnswerLeftForLaterGoesOutWhenTheHandlerSaysSo) {
    Response* later = nullptr;
    Resume finish;
    std::weak_ptr<int> state;
    Router router = Rig::default_router();
    router.get("/later", [&](const Request&, Response& res) {
        auto s = std::make_shared<int>(1);
        state = s;
        later = &res;
        finish = res.finish_later(std::move(s));
    });
    Rig rig(router);
    rig.arrive("GET /later HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_NE(later, nullptr);
    EXPECT_EQ(rig.io().output(), "");
    rig.advance(3600 * 1000); // an hour: the client is not the one being slow
    EXPECT_FALSE(rig.closed());
    EXPECT_FALSE(state.expired());
    later->set_status(201);
    later->set_body("made\n");
    finish();
    EXPECT_EQ(rig.io().output(), ""); // the wake-up runs on the loop
    rig.run_posted();
    EXPECT_EQ(without_date(rig.io().output()),
              "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nmade\n" + std::string(kHello));
    EXPECT_TRUE(state.expired()) << "the exchange ended but its state lives on";
    finish(); // too late: does nothing
    rig.run_posted();
    EXPECT_FALSE(rig.closed());
}

// An answer ready before the request body has ended (a script that answers as it reads) goes
// out at once; the rest of the body still reaches the sink, and the connection goes on.
TEST(Http1Session, AnAnswerFinishedBeforeTheBodyEndsGoesOutAtOnce) {
    Router router = Rig::default_router();
    std::string got;
    Resume finish;
    router.post("/sink",
                [&](const Request&, Response& res) {
                    res.read_body([&](std::string_view piece) { got += piece; }, [](Response&) {});
                    res.set_body("early\n");
                    finish = res.finish_later();
                    finish();
                },
                {.stream_body = true});
    Rig rig(router);
    rig.arrive("POST /sink HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nabc");
    rig.run_posted();
    EXPECT_EQ(without_date(rig.io().output()),
              "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nearly\n");
    rig.io().take_output();
    rig.arrive("defGET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(got, "abcdef");
    EXPECT_EQ(without_date(rig.io().output()), kHello);
}

// And finished after the body ended (a script that answers once it has read its stdin): the
// end of the body must not have silenced the handle.
TEST(Http1Session, AnAnswerFinishedAfterTheBodyEndedGoesOut) {
    Router router;
    Response* later = nullptr;
    Resume finish;
    router.post("/sink",
                [&](const Request&, Response& res) {
                    later = &res;
                    finish = res.finish_later();
                    res.read_body([](std::string_view) {}, [](Response&) {});
                },
                {.stream_body = true});
    Rig rig(router);
    rig.arrive("POST /sink HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
    rig.run_posted();
    EXPECT_EQ(rig.io().output(), "");
    later->set_body("late\n");
    finish();
    rig.run_posted();
    EXPECT_EQ(without_date(rig.io().output()),
              "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nlate\n");
}

// A client that closes while its answer is being made is gone (nginx's rule): the connection
// closes and the handler's state is released, which is how its work learns to stop.
TEST(Http1Session, AClientThatLeavesWhileItsAnswerIsMadeReleasesTheWork) {
    std::weak_ptr<int> state;
    Resume finish;
    Router router;
    router.get("/later", [&](const Request&, Response& res) {
        auto s = std::make_shared<int>(1);
        state = s;
        finish = res.finish_later(std::move(s));
    });
    auto rig = std::make_unique<Rig>(router);
    rig->arrive("GET /later HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_FALSE(state.expired());
    rig->hang_up();
    EXPECT_TRUE(rig->closed());
    rig->run_posted(); // the closed connection is destroyed
    EXPECT_TRUE(state.expired());
    finish(); // the handler finishing now does nothing
    rig->run_posted();
    EXPECT_EQ(rig->io().output(), "");
}

TEST(Http1Session, ShortWritesOfOneByteStillDeliverEverything) {
    Rig rig;
    rig.io().set_write_chunk(1);
    rig.arrive("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(without_date(rig.io().output()), std::string(kHello) + std::string(kHello));
}

// A client that sends and never reads: once a bounded amount of answers waits for it, the
// session stops reading (and so parsing) its requests; they stay in the transport.
TEST(Http1Session, AClientThatNeverReadsStopsBeingRead) {
    Router router;
    router.get("/big",
               [](const Request&, Response& res) { res.set_body(std::string(100000, 'b')); });
    Rig rig(router);
    rig.config().max_pending_output = 300000;
    rig.io().set_write_budget(0);
    rig.io().set_read_chunk(64); // a couple of requests per read
    std::string many;
    for (int i = 0; i < 100; ++i) many += "GET /big HTTP/1.1\r\nHost: t\r\n\r\n";
    rig.arrive(many);
    EXPECT_GT(rig.io().unread(), 0u);
    EXPECT_FALSE(rig.closed());
    // Once it reads, everything is answered.
    rig.io().set_write_budget(MemoryTransport::kUnlimited);
    for (int i = 0; i < 200 && rig.io().unread() > 0; ++i) {
        rig.writable();
        rig.pump();
    }
    rig.writable();
    EXPECT_EQ(rig.io().unread(), 0u);
    std::size_t answers = 0;
    for (std::size_t at = rig.io().output().find("HTTP/1.1 200"); at != std::string::npos;
         at = rig.io().output().find("HTTP/1.1 200", at + 1))
        ++answers;
    EXPECT_EQ(answers, 100u);
}

TEST(Http1Session, UpgradeHandsOverWithTheBytesAlreadyBuffered) {
    Router router;
    router.get("/up", [](const Request&, Response& res) {
        res.upgrade("raw", {.on_data = [](Stream& s, std::string_view bytes) {
                        s.write("<" + std::string(bytes) + ">");
                    }});
    });
    Rig rig(router);
    rig.arrive("GET /up HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: raw\r\n\r\n"
               "GET / HTTP/1.1\r\n\r\n");
    const std::string out = without_date(rig.io().output());
    EXPECT_EQ(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: raw\r\nConnection: Upgrade\r\n"
                   "\r\n<GET / HTTP/1.1\r\n\r\n>");
    rig.arrive("x");
    EXPECT_EQ(rig.io().output().substr(rig.io().output().size() - 3), "<x>");
    rig.hang_up();
    EXPECT_TRUE(rig.closed());
}

TEST(Http1Session, EachStageHasItsOwnDeadline) {
    { // a head that stops arriving: 408
        Rig rig;
        rig.arrive("GET / HTTP/1.1\r\nHo");
        rig.advance(rig.config().timeouts.header.count() + 100);
        EXPECT_EQ(rig.io().output().rfind("HTTP/1.1 408", 0), 0u);
    }
    { // a body that stops arriving: 408 after the body stall, not the header time
        Rig rig;
        rig.config().timeouts.body_stall = std::chrono::milliseconds(60'000);
        rig.arrive("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\nabc");
        rig.advance(rig.config().timeouts.header.count() + 100);
        EXPECT_EQ(rig.io().output(), "");
        rig.advance(60'000 + 100);
        EXPECT_EQ(rig.io().output().rfind("HTTP/1.1 408", 0), 0u);
    }
    { // an idle keep-alive connection: closed quietly after the idle time
        Rig rig;
        rig.arrive("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        rig.advance(rig.config().timeouts.idle.count() - 1000);
        EXPECT_FALSE(rig.closed());
        rig.advance(rig.config().timeouts.idle.count() + 100);
        EXPECT_TRUE(rig.closed());
    }
    { // a client that stops reading: dropped after the write stall
        Rig rig;
        rig.io().set_write_budget(10);
        rig.arrive("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        rig.advance(rig.config().timeouts.idle.count() + 100);
        EXPECT_FALSE(rig.closed()); // not idle: it is being answered
        rig.advance(rig.config().timeouts.write_stall.count() + 100);
        EXPECT_TRUE(rig.closed());
    }
}

TEST(Http1Session, AHalfClosedClientGetsItsAnswersThenTheConnectionCloses) {
    Rig rig;
    rig.io().feed("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
    rig.hang_up();
    EXPECT_EQ(without_date(rig.io().output()), std::string(kHello) + std::string(kHello));
    EXPECT_TRUE(rig.closed());
}

} // namespace
} // namespace pier::server
