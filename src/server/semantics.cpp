#include "server/semantics.hpp"

#include "http/char_class.hpp"

#include <arpa/inet.h>

namespace pier::server {
namespace {

Verdict refuse(int status, std::string_view message) {
    Verdict v;
    v.status = status;
    v.message = message;
    return v;
}

// Host = uri-host [ ":" port ] (RFC 9110 §7.2): a reg-name, IPv4 or [IPv6] literal, and an
// optional decimal port.
bool valid_host(std::string_view host) {
    if (host.empty()) return false;
    std::string_view name = host;
    std::string_view port;
    if (host.front() == '[') {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos) return false;
        const std::string literal(host.substr(1, close - 1));
        in6_addr a{};
        if (inet_pton(AF_INET6, literal.c_str(), &a) != 1) return false;
        const std::string_view after = host.substr(close + 1);
        if (!after.empty() && after.front() != ':') return false;
        port = after.empty() ? after : after.substr(1);
        name = {};
    } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
        name = host.substr(0, colon);
        port = host.substr(colon + 1);
    }
    for (char c : name)
        if (!detail::has_class(c, detail::kUnreserved | detail::kSubDelim) && c != '%')
            return false;
    if (port.size() > 5) return false;
    unsigned value = 0;
    for (char c : port) {
        if (!detail::is_digit(c)) return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value <= 65535;
}

// Splits "/p?q" and applies Python's gh-87389 guard: a path starting with "//" would be read
// by browsers as a scheme-relative URL in a redirect built from it.
void split_path(std::string_view target, Verdict& v) {
    const std::size_t q = target.find('?');
    std::string_view path = target.substr(0, q);
    if (q != std::string_view::npos) v.query = target.substr(q + 1);
    while (path.size() > 1 && path[0] == '/' && path[1] == '/') path.remove_prefix(1);
    v.path = path;
}

} // namespace

Verdict check_request(const RequestHead& head, const ServerConfig& config) {
    Verdict v;
    const Fields& f = head.fields;

    // RFC 9112 §3.2: an HTTP/1.1 request has exactly one valid Host; so does any that sends one.
    const std::size_t hosts = f.count(FieldId::host);
    if (head.version == Version::http11 && hosts == 0) return refuse(400, "Missing Host header");
    if (hosts > 1) return refuse(400, "Multiple Host headers");
    if (hosts == 1) {
        v.host = f.get(FieldId::host);
        if (!valid_host(v.host)) return refuse(400, "Invalid Host header");
    }

    const std::string_view target = head.target;
    if (target == "*") {
        if (head.method != Method::options)
            return refuse(400, "Asterisk-form target outside OPTIONS");
        v.path = target;
    } else if (!target.empty() && target.front() == '/') {
        split_path(target, v);
    } else if (const std::size_t scheme_end = target.find("://");
               scheme_end != std::string_view::npos && scheme_end > 0) {
        // Absolute-form: its authority wins over Host (RFC 9112 §3.2.2).
        const std::string_view rest = target.substr(scheme_end + 3);
        const std::size_t slash = rest.find_first_of("/?");
        v.host = rest.substr(0, slash);
        if (!valid_host(v.host)) return refuse(400, "Invalid authority in request target");
        const std::string_view path = slash == std::string_view::npos ? "/" : rest.substr(slash);
        split_path(path.front() == '?' ? std::string_view("/") : path, v);
        if (path.front() == '?') v.query = path.substr(1);
    } else if (head.method == Method::connect) {
        return refuse(501, "CONNECT is not supported by this server");
    } else {
        return refuse(400, "Invalid request target");
    }

    switch (head.method) {
    case Method::connect:
        return refuse(501, "CONNECT is not supported by this server");
    case Method::trace:
        if (!config.enable_trace) return refuse(405, "TRACE is disabled");
        break;
    case Method::extension:
        return refuse(501, "Unsupported method");
    default:
        break;
    }

    // RFC 9110 §10.1.1: 100-continue is the only expectation; others get 417. An HTTP/1.0
    // client cannot have meant it, so it is ignored there.
    if (f.count(FieldId::expect) != 0) {
        const std::string_view expect = f.get(FieldId::expect);
        if (!detail::iequals(expect, "100-continue")) return refuse(417, "Expectation Failed");
        v.expect_continue = head.version == Version::http11 && head.body != BodyKind::none;
    }
    return v;
}

} // namespace pier::server
