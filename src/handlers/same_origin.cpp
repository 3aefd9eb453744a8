#include "handlers/same_origin.hpp"

#include "http/char_class.hpp"

#include <pier/uri.hpp>

#include <cstdint>
#include <string>

namespace pier::handlers {
namespace {

std::uint16_t default_port(std::string_view scheme) {
    return scheme == "https" ? 443 : 80;
}

// Origin's serialisation (RFC 6454 §6.2): scheme "://" host [ ":" port ], lower-case.
bool same_origin(std::string_view origin, const Request& request) {
    const std::size_t sep = origin.find("://");
    if (sep == std::string_view::npos) return false;
    const std::string_view scheme = origin.substr(0, sep);
    if (!detail::iequals(scheme, request.scheme())) return false;
    const auto theirs = parse_authority(origin.substr(sep + 3));
    const auto ours = parse_authority(request.host());
    if (!theirs || !ours) return false;
    if (!detail::iequals(theirs.value().host, ours.value().host)) return false;
    const std::uint16_t fallback = default_port(request.scheme());
    return theirs.value().port.value_or(fallback) == ours.value().port.value_or(fallback);
}

} // namespace

bool is_cross_site(const Request& request) {
    // Fetch Metadata, when sent, is the browser's own verdict; "same-site" is another origin
    // of the same site (a sibling subdomain), which must not write here either.
    const std::string_view site = request.header("Sec-Fetch-Site");
    if (!site.empty()) return !(site == "same-origin" || site == "none");
    const std::string_view origin = request.header("Origin");
    if (origin.empty()) return false;  // not a browser's cross-origin request
    if (origin == "null") return true; // a sandboxed frame, a data: URL, a file:// page
    return !same_origin(origin, request);
}

} // namespace pier::handlers
