// The Peer over a stream that records each write: what leaves in one write, and what happens
// when the queue passes its bound.
#include "../ws/ws_test_support.hpp"
#include "net/event_loop.hpp"
#include "websocket/peer.hpp"

#include <pier/loop.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace pier::ws::detail {
namespace {

using test::frame;

class RecordingStream final : public Stream {
  public:
    explicit RecordingStream(Loop& loop) : loop_(loop) {}

    std::size_t write(std::string_view bytes) override {
        writes.emplace_back(bytes);
        queue = queued_after_write;
        return queue;
    }
    std::size_t queued() const noexcept override { return queue; }
    void pause_reading(bool) override {}
    void close() override { closed = true; }
    void abort() override {
        aborted = true;
        if (handlers.on_close) handlers.on_close(*this);
    }
    Loop& loop() noexcept override { return loop_; }
    const std::string& remote_address() const noexcept override { return remote_; }

    StreamHandlers handlers;
    std::vector<std::string> writes;
    std::size_t queued_after_write = 0; // what each write leaves queued
    std::size_t queue = 0;
    bool closed = false;
    bool aborted = false;

  private:
    Loop& loop_;
    std::string remote_ = "127.0.0.1";
};

struct Fixture {
    explicit Fixture(Handlers h, Options o = {}) : loop(base), stream(loop) {
        o.compression = false;
        o.ping_interval = std::chrono::milliseconds(0);
        auto endpoint = std::make_shared<Endpoint>(Endpoint{std::move(h), std::move(o)});
        peer = std::make_shared<Peer>(Role::server, endpoint, "/", "", std::nullopt);
        stream.handlers = peer->stream_handlers();
        stream.handlers.on_open(stream);
    }
    void receive(std::string_view bytes) { stream.handlers.on_data(stream, bytes); }

    net::EventLoop base;
    Loop loop;
    RecordingStream stream;
    std::shared_ptr<Peer> peer;
};

Handlers echo() {
    Handlers h;
    h.on_message = [](Socket& s, const Message& m) {
        if (m.is_text())
            s.send_text(m.data);
        else
            s.send_binary(m.data);
    };
    return h;
}

TEST(Peer, AnswersToTheMessagesOfOneReadLeaveInOneWrite) {
    Fixture f(echo());
    std::string burst;
    std::string expected;
    for (int i = 0; i < 16; ++i) {
        const std::string text = "message " + std::to_string(i);
        burst += frame(Opcode::text, text);
        expected += frame(Opcode::text, text, true, /*masked=*/false);
    }
    burst += frame(Opcode::ping, "p");
    expected += frame(Opcode::pong, "p", true, false);
    f.receive(burst);
    ASSERT_EQ(f.stream.writes.size(), 1u);
    EXPECT_EQ(f.stream.writes[0], expected);
}

TEST(Peer, AHandlersCorkHoldsMessagesUntilUncorked) {
    Fixture f(Handlers{});
    Socket& s = *f.peer;
    s.cork(true);
    EXPECT_TRUE(s.send_text("one"));
    EXPECT_TRUE(s.send_binary("two"));
    EXPECT_TRUE(f.stream.writes.empty());
    EXPECT_EQ(s.queued(), 2 * 2 + 3 + 3u); // held frames count as queued
    s.cork(false);
    ASSERT_EQ(f.stream.writes.size(), 1u);
    EXPECT_EQ(f.stream.writes[0],
              frame(Opcode::text, "one", true, false) + frame(Opcode::binary, "two", true, false));
    EXPECT_TRUE(s.send_text("three")); // uncorked: at once
    EXPECT_EQ(f.stream.writes.size(), 2u);
}

TEST(Peer, ACorkedSocketStillWritesPastSixtyFourKibibytes) {
    Fixture f(Handlers{});
    Socket& s = *f.peer;
    s.cork(true);
    const std::string piece(40 * 1024, 'x');
    s.send_binary(piece);
    EXPECT_TRUE(f.stream.writes.empty());
    s.send_binary(piece); // 80 KiB held: too much to hold
    EXPECT_EQ(f.stream.writes.size(), 1u);
}

// send() said "wait"; then another write (here a pong) empties the stream's queue at once, so
// the stream never reports a drain: on_writable must still come.
TEST(Peer, OnWritableFollowsAQueueEmptiedByAnotherWrite) {
    Options o;
    o.high_water = 100;
    int writable = 0;
    Handlers h;
    h.on_writable = [&writable](Socket&) { ++writable; };
    Fixture f(std::move(h), o);
    f.stream.queued_after_write = 1000;
    EXPECT_FALSE(f.peer->send_binary("past the high-water mark"));
    f.stream.queued_after_write = 0;
    f.receive(frame(Opcode::ping, "p"));
    ASSERT_EQ(f.stream.writes.size(), 2u); // the message, then the pong
    EXPECT_EQ(writable, 0);                // not from inside the write
    f.base.drain_posted();
    EXPECT_EQ(writable, 1);
    f.base.drain_posted();
    EXPECT_EQ(writable, 1); // once
}

TEST(Peer, AQueuePastMaxQueuedDropsTheConnectionAtOnce) {
    Options o;
    o.max_queued = 1000;
    std::uint16_t code = 0;
    Handlers h;
    h.on_close = [&code](Socket&, std::uint16_t c, std::string_view) { code = c; };
    Fixture f(std::move(h), o);
    f.stream.queued_after_write = 1001;
    EXPECT_FALSE(f.peer->send_binary("more than the peer reads"));
    EXPECT_TRUE(f.stream.aborted); // not close(): a Close frame would wait behind the queue
    EXPECT_FALSE(f.stream.closed);
    EXPECT_EQ(code, close_code::policy_violation);
    EXPECT_FALSE(f.peer->open());
    EXPECT_FALSE(f.peer->send_binary("after the end"));
    EXPECT_EQ(f.stream.writes.size(), 1u);
}

} // namespace
} // namespace pier::ws::detail
