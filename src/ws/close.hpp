// The Close frame's payload (RFC 6455 §5.5.1): empty, or a two-byte status code in network
// order followed by a UTF-8 reason.
#pragma once

#include <pier/websocket.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pier::ws::detail {

struct ClosePayload {
    std::uint16_t code = close_code::no_status; // no_status: the frame had no code
    std::string_view reason;                    // a view into the payload
};

/// The peer's Close payload, or the Failure to close with: one byte alone, or a code that may
/// not be sent (§7.4), is a protocol error (1002); a reason that is not UTF-8 is 1007.
std::optional<Failure> parse_close(std::string_view payload, ClosePayload& out) noexcept;

/// The payload of a Close frame: `code` in network order, then `reason` cut at a character
/// boundary to the 123 bytes that fit. no_status gives the empty payload (a Close frame
/// without a code); a code that may not go on the wire is sent as 1011 (internal error).
std::string close_payload(std::uint16_t code, std::string_view reason);

} // namespace pier::ws::detail
