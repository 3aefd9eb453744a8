// What the client's half of the handshake (handshake.cpp) asks of permessage-deflate's
// negotiation (permessage_deflate.cpp).
#pragma once

#include <pier/websocket.hpp>

#include <optional>
#include <string_view>

namespace pier::ws::detail {

/// Whether an extension element names permessage-deflate.
bool names_deflate(std::string_view element) noexcept;

/// A server's answer (one Sec-WebSocket-Extensions element naming permessage-deflate) to the
/// offer deflate_offer(config) made, or nullopt if the client must fail the connection
/// (RFC 7692 §5): invalid parameters, a window larger than asked, a requested parameter left out.
std::optional<DeflateParams> accept_deflate_answer(std::string_view element,
                                                   const DeflateConfig& config);

} // namespace pier::ws::detail
