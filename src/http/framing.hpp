// The message-body length decision of RFC 9112 §6.3, applied once a head is complete.
// Private to the codec.
#pragma once

#include <pier/parser.hpp>

namespace pier::detail {

/// Sets head.body, head.content_length and head.keep_alive, or says why the request's framing
/// cannot be trusted.
ParseError decide_request_framing(RequestHead& head, const Limits& limits) noexcept;

/// Same for a response to a request made with `request_method`.
ParseError decide_response_framing(ResponseHead& head, Method request_method,
                                   const Limits& limits) noexcept;

} // namespace pier::detail
