// A WebSocket client (RFC 6455) on pier's event loop, for ws:// and wss:// URLs: the handshake
// over the event-loop HTTP client (TLS verified as everywhere in the client), then the same
// Socket and Handlers a server endpoint gets (websocket_endpoint.hpp), with every frame masked
// by a key from OpenSSL's CSPRNG.
//
//     pier::ws::Handlers h;
//     h.on_open = [](pier::ws::Socket& s) { s.send_text("hello"); };
//     h.on_message = [](pier::ws::Socket& s, const pier::ws::Message& m) { ...; s.close(); };
//     pier::client::WebSocket ws(loop, "wss://example.org/chat", h, {},
//                                [](std::exception_ptr e) { ... the handshake failed ... });
#pragma once

#include <pier/client.hpp>
#include <pier/client_errors.hpp>
#include <pier/fields.hpp>
#include <pier/loop.hpp>
#include <pier/websocket_endpoint.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace pier::client {

struct WebSocketOptions {
    /// Subprotocols to offer, deflate, limits, pings, queue bounds (ws::Options::allow is a
    /// server's only).
    ws::Options ws;
    /// Extra fields for the handshake request (Origin, Authorization, Cookie...).
    Fields fields;
    TlsOptions tls;
    /// connect, and read for each wait of the handshake; total bounds the whole handshake.
    Timeouts timeouts{Duration(10'000), Duration(10'000), Duration(0)};
    DebugSink debug;
};

/// The server answered the handshake with something other than the 101 asked for, or with a
/// 101 that does not agree to what was asked (RFC 6455 §4.2.2).
class WebSocketHandshakeError : public HTTPException {
  public:
    WebSocketHandshakeError(const std::string& what, int status)
        : HTTPException(what), status_(status) {}
    /// The answer's status (101 when the 101 itself was wrong).
    int status() const noexcept { return status_; }

  private:
    int status_;
};

class WebSocket {
  public:
    /// Starts connecting at once; `handlers.on_open` follows the handshake, or `on_error` (an
    /// exception of client_errors.hpp, WebSocketHandshakeError among them) ends it: InvalidURL
    /// or UnknownProtocol for a URL that is not ws:// or wss://.
    WebSocket(Loop& loop, std::string_view url, ws::Handlers handlers,
              WebSocketOptions options = {},
              std::function<void(std::exception_ptr)> on_error = nullptr);
    /// Drops the connection without calling back.
    ~WebSocket();
    WebSocket(const WebSocket&) = delete;
    WebSocket& operator=(const WebSocket&) = delete;

    /// The open socket (between on_open and on_close), else null.
    ws::Socket* socket() noexcept;
    struct State;

  private:
    std::shared_ptr<State> state_;
};

} // namespace pier::client
