#include "http/char_class.hpp"

#include <pier/uri.hpp>

#include <arpa/inet.h>
#include <cstring>

namespace pier {

using detail::has_class;
using detail::is_digit;
using detail::is_hex_digit;
using detail::kSubDelim;
using detail::kUnreserved;

namespace {

bool is_ctl_sp_del(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
}

// Every '%' followed by two hex digits.
bool valid_escapes(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') continue;
        if (i + 2 >= s.size()) return false;
        if (!is_hex_digit(s[i + 1]) || !is_hex_digit(s[i + 2])) return false;
        i += 2;
    }
    return true;
}

// Path and query characters of a request-target, with the leniency documented in uri.hpp.
std::optional<UriError> check_target_chars(std::string_view s) noexcept {
    for (char c : s) {
        if (is_ctl_sp_del(c)) return UriError::invalid_character;
        if (c == '#') return UriError::fragment_not_allowed;
    }
    if (!valid_escapes(s)) return UriError::bad_percent_encoding;
    return std::nullopt;
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme(std::string_view s) noexcept {
    if (s.empty() || !detail::is_alpha(s[0])) return false;
    for (char c : s)
        if (!detail::is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
    return true;
}

std::optional<UriError> parse_port(std::string_view text, std::optional<std::uint16_t>& port) {
    port.reset();
    if (text.empty()) return std::nullopt; // "host:" — RFC 3986 port = *DIGIT
    if (text.size() > 5) return UriError::bad_port;
    unsigned value = 0;
    for (char c : text) {
        if (!is_digit(c)) return UriError::bad_port;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return UriError::bad_port;
    port = static_cast<std::uint16_t>(value);
    return std::nullopt;
}

void split_query(std::string_view rest, std::string_view& path, std::string_view& query,
                 bool& has_query) {
    const std::size_t q = rest.find('?');
    path = rest.substr(0, q);
    has_query = q != std::string_view::npos;
    query = has_query ? rest.substr(q + 1) : std::string_view();
}

} // namespace

std::string_view to_string(UriError e) noexcept {
    switch (e) {
    case UriError::empty:
        return "empty URI";
    case UriError::invalid_character:
        return "invalid character in URI";
    case UriError::bad_percent_encoding:
        return "malformed percent-encoding";
    case UriError::decoded_nul:
        return "percent-encoded NUL";
    case UriError::bad_scheme:
        return "unsupported or malformed scheme";
    case UriError::bad_host:
        return "invalid host";
    case UriError::bad_ipv6:
        return "invalid IPv6 address";
    case UriError::bad_port:
        return "invalid port";
    case UriError::missing_port:
        return "authority-form without a port";
    case UriError::userinfo_not_allowed:
        return "user information not allowed here";
    case UriError::fragment_not_allowed:
        return "fragment not allowed in a request target";
    }
    return "unknown URI error";
}

Result<Authority, UriError> parse_authority(std::string_view text, bool allow_userinfo) {
    Authority a;
    if (const std::size_t at = text.rfind('@'); at != std::string_view::npos) {
        if (!allow_userinfo) return UriError::userinfo_not_allowed;
        a.userinfo = text.substr(0, at);
        for (char c : a.userinfo)
            if (!has_class(c, kUnreserved | kSubDelim) && c != ':' && c != '%')
                return UriError::invalid_character;
        if (!valid_escapes(a.userinfo)) return UriError::bad_percent_encoding;
        text.remove_prefix(at + 1);
    }
    std::string_view port_part;
    bool has_port = false;
    if (!text.empty() && text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) return UriError::bad_ipv6;
        a.host = text.substr(1, close - 1);
        a.is_ipv6 = true;
        // inet_pton wants a C string; an IPv6 literal is at most 45 characters.
        char buf[64];
        if (a.host.empty() || a.host.size() >= sizeof buf) return UriError::bad_ipv6;
        std::memcpy(buf, a.host.data(), a.host.size());
        buf[a.host.size()] = '\0';
        in6_addr addr{};
        if (inet_pton(AF_INET6, buf, &addr) != 1) return UriError::bad_ipv6; // zones, IPvFuture
        const std::string_view after = text.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return UriError::bad_host;
            port_part = after.substr(1);
            has_port = true;
        }
    } else {
        const std::size_t colon = text.rfind(':');
        a.host = text.substr(0, colon);
        if (colon != std::string_view::npos) {
            port_part = text.substr(colon + 1);
            has_port = true;
        }
        // reg-name = *( unreserved / pct-encoded / sub-delims ); IPv4 is a reg-name too.
        for (char c : a.host) {
            if (is_ctl_sp_del(c)) return UriError::invalid_character;
            if (!has_class(c, kUnreserved | kSubDelim) && c != '%') return UriError::bad_host;
        }
        if (!valid_escapes(a.host)) return UriError::bad_percent_encoding;
    }
    if (has_port) {
        a.port_text = port_part;
        if (auto e = parse_port(port_part, a.port)) return *e;
    }
    return a;
}

Result<RequestTarget, UriError> parse_request_target(std::string_view target) {
    RequestTarget t;
    if (target.empty()) return UriError::empty;
    if (target == "*") {
        t.form = TargetForm::asterisk;
        return t;
    }
    if (target.front() == '/') {
        if (auto e = check_target_chars(target)) return *e;
        split_query(target, t.path, t.query, t.has_query);
        return t;
    }
    if (const std::size_t colon = target.find("://");
        colon != std::string_view::npos && is_scheme(target.substr(0, colon))) {
        t.form = TargetForm::absolute;
        t.scheme = target.substr(0, colon);
        const std::string_view rest = target.substr(colon + 3);
        const std::size_t end = rest.find_first_of("/?#");
        auto auth = parse_authority(rest.substr(0, end));
        if (!auth) return auth.error();
        if (auth->host.empty()) return UriError::bad_host; // RFC 9110 §4.2.1
        t.authority = *auth;
        const std::string_view tail = end == std::string_view::npos ? "" : rest.substr(end);
        if (auto e = check_target_chars(tail)) return *e;
        split_query(tail, t.path, t.query, t.has_query);
        if (t.path.empty()) t.path = "/";
        return t;
    }
    // authority-form: host ":" port, for CONNECT (RFC 9112 §3.2.3).
    for (char c : target)
        if (is_ctl_sp_del(c)) return UriError::invalid_character;
    auto auth = parse_authority(target);
    if (!auth) return auth.error();
    if (auth->host.empty()) return UriError::bad_host;
    if (!auth->port) return UriError::missing_port;
    t.form = TargetForm::authority;
    t.authority = *auth;
    return t;
}

bool Url::is_https() const noexcept {
    return detail::iequals(scheme, "https");
}

Result<Url, UriError> parse_url(std::string_view text) {
    Url u;
    if (text.empty()) return UriError::empty;
    const std::size_t colon = text.find("://");
    if (colon == std::string_view::npos || !is_scheme(text.substr(0, colon)))
        return UriError::bad_scheme;
    u.scheme = text.substr(0, colon);
    if (!detail::iequals(u.scheme, "http") && !detail::iequals(u.scheme, "https"))
        return UriError::bad_scheme;
    std::string_view rest = text.substr(colon + 3);
    if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
        u.fragment = rest.substr(hash + 1);
        u.has_fragment = true;
        rest = rest.substr(0, hash);
    }
    const std::size_t end = rest.find_first_of("/?");
    auto auth = parse_authority(rest.substr(0, end), true);
    if (!auth) return auth.error();
    if (auth->host.empty()) return UriError::bad_host;
    u.userinfo = auth->userinfo;
    u.host = auth->host;
    u.is_ipv6 = auth->is_ipv6;
    u.port = auth->port;
    const std::string_view tail = end == std::string_view::npos ? "" : rest.substr(end);
    for (char c : tail)
        if (is_ctl_sp_del(c)) return UriError::invalid_character;
    if (!valid_escapes(tail)) return UriError::bad_percent_encoding;
    split_query(tail, u.path, u.query, u.has_query);
    return u;
}

// ---- reference resolution (RFC 3986 §5.2) ------------------------------------------------

namespace {

// RFC 3986 Appendix B: the five components of any URI reference.
struct Parts {
    std::string_view scheme, authority, path, query, fragment;
    bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

Parts split(std::string_view s) {
    Parts p;
    const std::size_t colon = s.find(':');
    const std::size_t first_delim = s.find_first_of("/?#");
    if (colon != std::string_view::npos && colon < first_delim && is_scheme(s.substr(0, colon))) {
        p.scheme = s.substr(0, colon);
        p.has_scheme = true;
        s.remove_prefix(colon + 1);
    }
    if (s.substr(0, 2) == "//") {
        s.remove_prefix(2);
        const std::size_t end = s.find_first_of("/?#");
        p.authority = s.substr(0, end);
        p.has_authority = true;
        s = end == std::string_view::npos ? "" : s.substr(end);
    }
    if (const std::size_t hash = s.find('#'); hash != std::string_view::npos) {
        p.fragment = s.substr(hash + 1);
        p.has_fragment = true;
        s = s.substr(0, hash);
    }
    if (const std::size_t q = s.find('?'); q != std::string_view::npos) {
        p.query = s.substr(q + 1);
        p.has_query = true;
        s = s.substr(0, q);
    }
    p.path = s;
    return p;
}

// RFC 3986 §5.2.3
std::string merge(const Parts& base, std::string_view ref_path) {
    std::string out;
    if (base.has_authority && base.path.empty()) {
        out = "/";
    } else if (const std::size_t slash = base.path.rfind('/'); slash != std::string_view::npos) {
        out.assign(base.path.substr(0, slash + 1));
    }
    out.append(ref_path);
    return out;
}

} // namespace

std::string resolve_reference(std::string_view base_text, std::string_view reference) {
    const Parts base = split(base_text);
    const Parts ref = split(reference);
    Parts t;
    std::string path;
    if (ref.has_scheme) {
        t = ref;
        path = remove_dot_segments(ref.path);
    } else {
        if (ref.has_authority) {
            t.authority = ref.authority;
            t.has_authority = true;
            path = remove_dot_segments(ref.path);
            t.query = ref.query;
            t.has_query = ref.has_query;
        } else {
            if (ref.path.empty()) {
                path = std::string(base.path);
                t.query = ref.has_query ? ref.query : base.query;
                t.has_query = ref.has_query || base.has_query;
            } else {
                path = remove_dot_segments(ref.path.front() == '/' ? std::string(ref.path)
                                                                   : merge(base, ref.path));
                t.query = ref.query;
                t.has_query = ref.has_query;
            }
            t.authority = base.authority;
            t.has_authority = base.has_authority;
        }
        t.scheme = base.scheme;
        t.has_scheme = base.has_scheme;
    }
    t.fragment = ref.fragment;
    t.has_fragment = ref.has_fragment;
    // RFC 3986 §5.3
    std::string out;
    if (t.has_scheme) out.append(t.scheme).append(":");
    if (t.has_authority) out.append("//").append(t.authority);
    out += path;
    if (t.has_query) out.append("?").append(t.query);
    if (t.has_fragment) out.append("#").append(t.fragment);
    return out;
}

// ---- percent-coding ------------------------------------------------------------------------

std::optional<UriError> percent_decode_into(std::string_view text, std::string& out,
                                            PercentDecode options) {
    out.clear();
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+' && options.plus_as_space) {
            out.push_back(' ');
        } else if (c != '%') {
            out.push_back(c);
        } else {
            if (i + 2 >= text.size()) return UriError::bad_percent_encoding;
            if (!is_hex_digit(text[i + 1]) || !is_hex_digit(text[i + 2]))
                return UriError::bad_percent_encoding;
            const char decoded = static_cast<char>(detail::hex_value(text[i + 1]) * 16 +
                                                   detail::hex_value(text[i + 2]));
            if (decoded == '\0' && options.reject_nul) return UriError::decoded_nul;
            out.push_back(decoded);
            i += 2;
        }
    }
    return std::nullopt;
}

Result<std::string, UriError> percent_decode(std::string_view text, PercentDecode options) {
    std::string out;
    if (auto e = percent_decode_into(text, out, options)) return *e;
    return out;
}

namespace {

enum class Keep : std::uint8_t {
    component,
    path,
    escaped_target
};

bool kept(char c, Keep keep) noexcept {
    if (keep == Keep::escaped_target) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f;
    }
    return has_class(c, kUnreserved | kSubDelim) || c == ':' || c == '@' ||
           (keep == Keep::path && c == '/');
}

std::string encode(std::string_view text, Keep keep) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (kept(c, keep)) {
            out.push_back(c);
        } else {
            const auto u = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xf]);
        }
    }
    return out;
}

} // namespace

std::string percent_encode_path(std::string_view text) {
    return encode(text, Keep::path);
}
std::string percent_encode_component(std::string_view text) {
    return encode(text, Keep::component);
}
std::string percent_encode_raw_bytes(std::string_view target) {
    return encode(target, Keep::escaped_target);
}

// ---- paths ---------------------------------------------------------------------------------

std::string remove_dot_segments(std::string_view input) {
    // RFC 3986 §5.2.4, step by step: rules A to E over an input buffer and an output buffer.
    std::string out;
    out.reserve(input.size());
    auto starts = [&](std::string_view p) { return input.substr(0, p.size()) == p; };
    auto pop_last_segment = [&] {
        const std::size_t slash = out.rfind('/');
        out.erase(slash == std::string::npos ? 0 : slash);
    };
    while (!input.empty()) {
        if (starts("../")) {
            input.remove_prefix(3);
        } else if (starts("./")) {
            input.remove_prefix(2);
        } else if (starts("/./")) {
            input.remove_prefix(2);
        } else if (input == "/.") {
            input = "/";
        } else if (starts("/../")) {
            input.remove_prefix(3);
            pop_last_segment();
        } else if (input == "/..") {
            input = "/";
            pop_last_segment();
        } else if (input == "." || input == "..") {
            input = {};
        } else {
            const std::size_t next = input.find('/', input.front() == '/' ? 1 : 0);
            out.append(input.substr(0, next));
            input = next == std::string_view::npos ? std::string_view() : input.substr(next);
        }
    }
    return out;
}

std::string_view collapse_leading_slashes(std::string_view path) noexcept {
    while (path.size() > 1 && path[0] == '/' && path[1] == '/') path.remove_prefix(1);
    return path;
}

void QueryParams::iterator::advance() noexcept {
    for (;;) {
        if (last_) {
            done_ = true;
            current_ = {};
            return;
        }
        const std::size_t amp = rest_.find('&');
        const std::string_view pair = rest_.substr(0, amp);
        if (amp == std::string_view::npos) {
            last_ = true;
            rest_ = rest_.substr(rest_.size());
        } else {
            rest_ = rest_.substr(amp + 1);
        }
        if (pair.empty()) continue; // "a=1&&b=2"
        const std::size_t eq = pair.find('=');
        current_ = {pair.substr(0, eq), eq == std::string_view::npos ? "" : pair.substr(eq + 1)};
        return;
    }
}

} // namespace pier
