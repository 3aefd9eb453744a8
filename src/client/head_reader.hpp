// Reading one response head off a channel, shared by getresponse(), the 100-continue wait and
// the proxy tunnel. Private to the client.
#pragma once

#include "client/channel.hpp"

#include <pier/parser.hpp>

#include <cstddef>

namespace pier::client::detail {

/// Parses the response head at the front of ch.pending(), reading more as needed. Returns its
/// size; `head` holds views into ch.pending() until the buffer is next changed. Throws
/// RemoteDisconnected, BadStatusLine, LineTooLong, ProtocolError, TimeoutError.
std::size_t read_response_head(Channel& ch, Method method, ResponseParser& parser,
                               ResponseHead& head);

/// The client's exception for a response the codec refused.
[[noreturn]] void throw_parse_error(ParseError e, std::string_view head_start);

} // namespace pier::client::detail
