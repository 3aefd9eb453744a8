// set_debuglevel()'s printer: the exchange on stderr in the format of Python's http.client
// ("send: b'...'", "reply: '...'", "header: ..."). Private to the client.
#pragma once

#include <pier/client.hpp>

#include <string_view>

namespace pier::client::detail {

void print_python_style(DebugKind kind, std::string_view text);

} // namespace pier::client::detail
