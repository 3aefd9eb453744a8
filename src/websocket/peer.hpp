// One end of a WebSocket connection after the handshake, either role: the frame codec
// (src/ws/) over a byte stream (include/pier/stream.hpp: the server's after Response::upgrade,
// or the client's own), with the protocol's chores — pongs, idle pings, the closing handshake,
// the send queue's bounds — done here so that handlers only see messages. Private.
#pragma once

#include "ws/reader.hpp"
#include "ws/writer.hpp"

#include <pier/stream.hpp>
#include <pier/websocket_endpoint.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace pier::ws::detail {

/// What every connection of one endpoint (or one client socket) shares.
struct Endpoint {
    Handlers handlers;
    Options options;
};

class Peer final : public Socket, public std::enable_shared_from_this<Peer> {
  public:
    Peer(Role role, std::shared_ptr<const Endpoint> endpoint, std::string target,
         std::string subprotocol, const std::optional<DeflateParams>& deflate);

    /// From the stream's opening until the connection ended.
    bool open() const noexcept { return stream_ != nullptr && !ended_; }
    /// What the stream calls (Response::upgrade's, or the client's): each callback holds this
    /// peer alive.
    StreamHandlers stream_handlers();

    // Socket
    bool send_text(std::string_view text) override;
    bool send_binary(std::string_view bytes) override;
    void ping(std::string_view payload) override;
    void close(std::uint16_t code, std::string_view reason) override;
    std::size_t queued() const noexcept override;
    void cork(bool corked) override;
    void pause_reading(bool paused) override;
    const std::string& subprotocol() const noexcept override { return subprotocol_; }
    const std::string& remote_address() const noexcept override { return remote_; }
    const std::string& target() const noexcept override { return target_; }
    Loop& loop() noexcept override { return stream_->loop(); }
    std::any& user_data() noexcept override { return user_; }

  private:
    using Clock = std::chrono::steady_clock;

    void opened(Stream& stream);
    void received(std::string_view bytes);
    // Runs the reader over what is buffered, until it needs more, a pause, or the end.
    void process();
    void control(const Reader::Step& step);
    bool send(Opcode opcode, std::string_view payload);
    // Writes out_ to the stream; drops the connection past max_queued (1008 to on_close). False
    // when the stream is over (closed for the queue, or by the write itself): then stream_ may be
    // null.
    bool flush_frames();
    // flush_frames(), unless corked and what is held is still small.
    bool flush_unless_corked();
    void fail(std::uint16_t code, std::string_view reason);
    void send_close(std::uint16_t code, std::string_view reason);
    void drained();
    void peer_closed();
    void stream_closed();
    // Tells the handler, once.
    void ended(std::uint16_t code, std::string_view reason);
    void arm_ping();
    void on_ping_timer();

    std::shared_ptr<const Endpoint> endpoint_;
    Stream* stream_ = nullptr; // from opened() until stream_closed()
    std::string target_;
    std::string subprotocol_;
    std::string remote_;
    Reader reader_;
    Writer writer_;
    std::string in_;  // received bytes the reader has not consumed
    std::string out_; // frames being written
    std::any user_;
    Loop::Timer ping_timer_;
    Loop::Timer close_timer_;
    Clock::time_point last_heard_{};
    bool awaiting_pong_ = false;
    bool paused_ = false;
    bool processing_ = false;
    bool corked_ = false;
    bool above_high_water_ = false;
    bool close_sent_ = false;
    bool close_received_ = false;
    bool ended_ = false;
    std::uint16_t close_code_ = close_code::abnormal; // what on_close reports
    std::string close_reason_;
};

} // namespace pier::ws::detail
