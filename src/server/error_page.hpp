// Error responses in the shape of Python's BaseHTTPRequestHandler.send_error: the status, an
// HTML page with code, message and explanation (escaped), text/html;charset=utf-8.
#pragma once

#include <pier/response.hpp>

#include <string>
#include <string_view>

namespace pier::server {

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

/// Makes `response` the error page for `status`; `message` defaults to the reason phrase and
/// `explain` to the status's long description.
void fill_error(Response& response, int status, std::string_view message = {},
                std::string_view explain = {});

} // namespace pier::server
