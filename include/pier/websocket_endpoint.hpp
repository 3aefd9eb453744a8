// A WebSocket endpoint on pier's server: the handshake (RFC 6455 §4), then messages both ways
// with permessage-deflate, automatic pongs, idle pings, the closing handshake and a bounded
// send queue — the handler sees whole messages and a Socket to answer on.
//
//     pier::ws::Handlers echo;
//     echo.on_message = [](pier::ws::Socket& s, const pier::ws::Message& m) {
//         m.is_text() ? s.send_text(m.data) : s.send_binary(m.data);
//     };
//     router.websocket("/echo", echo);
//
// Every callback runs on the connection's loop, and every call on a Socket must be made there
// (from a callback, or a task posted with socket.loop().post()). A Socket is valid from
// on_open until on_close has returned.
#pragma once

#include <pier/limits.hpp>
#include <pier/loop.hpp>
#include <pier/request.hpp>
#include <pier/response.hpp>
#include <pier/router.hpp>
#include <pier/websocket.hpp>

#include <any>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::ws {

struct Message {
    Opcode opcode = Opcode::text; // text or binary
    std::string_view data;        // valid during the call
    bool is_text() const noexcept { return opcode == Opcode::text; }
};

class Socket {
  public:
    /// Queues a whole message. False when the queue has passed the high-water mark (the
    /// message is queued all the same): wait for on_writable before sending more. A handler
    /// that keeps sending past max_queued is a bug or a peer that does not read: the
    /// connection is dropped at once (on_close gets 1008), with it what was queued. Text must be
    /// UTF-8 (std::invalid_argument otherwise: a peer must fail the connection on bad text).
    virtual bool send_text(std::string_view text) = 0;
    virtual bool send_binary(std::string_view bytes) = 0;
    virtual void ping(std::string_view payload = {}) = 0;
    /// Starts the closing handshake: the peer's Close is awaited (up to close_timeout), then
    /// the connection ends and on_close runs. `code` must be valid on the wire (1000–1003,
    /// 1007–1011, 3000–4999; else 1000 is sent) and the reason at most 123 bytes (cut).
    virtual void close(std::uint16_t code = close_code::normal, std::string_view reason = {}) = 0;
    /// Bytes waiting to be written.
    virtual std::size_t queued() const noexcept = 0;
    /// While corked, messages sent are held (up to 64 KiB) and go out together at
    /// cork(false): many small messages in one write. Messages read at once are handed to
    /// on_message under a cork of the socket's own, so what a handler answers to a burst
    /// leaves in one write at the end of it.
    virtual void cork(bool corked) = 0;
    /// Stops (or restarts) reading messages: the peer is slowed by TCP.
    virtual void pause_reading(bool paused) = 0;
    virtual const std::string& subprotocol() const noexcept = 0;
    virtual const std::string& remote_address() const noexcept = 0;
    /// The request target of the handshake (path and query).
    virtual const std::string& target() const noexcept = 0;
    virtual Loop& loop() noexcept = 0;
    /// The handler's own state for this connection.
    virtual std::any& user_data() noexcept = 0;

  protected:
    ~Socket() = default;
};

struct Handlers {
    std::function<void(Socket&)> on_open = nullptr;
    std::function<void(Socket&, const Message&)> on_message = nullptr;
    /// Everything queued has been written, after a send returned false.
    std::function<void(Socket&)> on_writable = nullptr;
    /// The connection is over: the peer's close code and reason (1005: its Close had no code;
    /// 1006: it went away without a Close; or the code we failed the connection with).
    std::function<void(Socket&, std::uint16_t code, std::string_view reason)> on_close = nullptr;
};

/// A WebSocket's settings, for a server endpoint and for a client (pier::client::WebSocket).
struct Options {
    /// Server: subprotocols in order of preference; the first one the client offers is
    /// chosen. Client: the ones to offer.
    std::vector<std::string> subprotocols;
    /// Server only: the Origin check (RFC 6455 §10.2); false answers 403. Unset: every origin.
    std::function<bool(const Request&)> allow = nullptr;
    /// permessage-deflate: a server accepts a client's offer, a client offers it.
    bool compression = true;
    DeflateConfig deflate;
    /// max_ws_message, max_ws_frame and max_ws_fragments bound what the peer sends.
    Limits limits;
    /// A peer silent this long gets a ping; silent as long again after it, it is dropped
    /// (1006). Zero: no pings.
    std::chrono::milliseconds ping_interval{30'000};
    /// How long close() waits for the peer's Close before ending the connection.
    std::chrono::milliseconds close_timeout{5'000};
    /// send_* returns false past this many queued bytes...
    std::size_t high_water = std::size_t{1} << 20;
    /// ...and the connection is closed (1008) past this many.
    std::size_t max_queued = std::size_t{64} << 20;
};

/// A route handler that upgrades to WebSocket: a request that is not a WebSocket handshake gets
/// 400 (426 with Sec-WebSocket-Version: 13 for another version, or no Upgrade at all).
Handler endpoint(Handlers handlers, Options options = {});

} // namespace pier::ws
