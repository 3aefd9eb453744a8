// Cross-site request forgery: a page on another site can make a visitor's browser send a
// form POST (or, with CORS preflight skipped for simple requests, a few other methods) to
// this server, with the visitor's cookies or cached Basic credentials. Browsers say where a
// request comes from — Sec-Fetch-Site (Fetch Metadata) and Origin (RFC 6454) — and a request
// that changes something and says "another site" is refused. Clients that are not browsers
// (curl, scripts) send neither and are not affected.
#pragma once

#include <pier/request.hpp>

namespace pier::handlers {

/// True when the browser that sent `request` says it comes from another origin.
bool is_cross_site(const Request& request);

} // namespace pier::handlers
