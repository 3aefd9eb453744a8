// A request that switches protocols (a WebSocket handshake) on the event-loop client: on 101
// the connection's socket, and the bytes that came after the head, leave the HTTP client for
// the new protocol. Private to the library.
#pragma once

#include "client/async_stream.hpp"

#include <pier/async_client.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace pier::client::detail {

struct Upgraded {
    AsyncResponse head;                  // the answer's head (status 0 after an error)
    std::unique_ptr<AsyncStream> stream; // the socket, when the answer was 101
    std::string leftover;                // what the server sent after the 101's head
};
using UpgradeDone = std::function<void(std::exception_ptr error, Upgraded upgraded)>;

/// Sends `request` on `connection` (which should carry nothing else): `done` gets the error,
/// or the answer with the socket when it is 101 (any other answer: no socket, body unread).
void request_upgrade(AsyncConnection& connection, AsyncRequest request, UpgradeDone done);

} // namespace pier::client::detail
