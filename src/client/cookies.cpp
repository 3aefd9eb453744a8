#include "http/char_class.hpp"

#include <pier/cookies.hpp>
#include <pier/date.hpp>

#include <algorithm>

namespace pier::client {

namespace {

using pier::detail::iequals;
using pier::detail::lowercase;

using SysClock = std::chrono::system_clock;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_ip_literal(std::string_view host) {
    if (host.find(':') != std::string_view::npos) return true;
    return !host.empty() && std::all_of(host.begin(), host.end(),
                                        [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// §5.1.3: the host is the domain, or ends with "." + domain and is not an IP address.
bool domain_match(std::string_view host, std::string_view domain) {
    if (host == domain) return true;
    return host.size() > domain.size() && host.ends_with(domain) &&
           host[host.size() - domain.size() - 1] == '.' && !is_ip_literal(host);
}

// §5.1.4: the default path is the request path up to, not including, its last '/'.
std::string default_path(std::string_view request_path) {
    if (request_path.empty() || request_path.front() != '/') return "/";
    const std::size_t last = request_path.rfind('/');
    if (last == 0) return "/";
    return std::string(request_path.substr(0, last));
}

// RFC 6265bis §5.6.1-2: lifetimes are capped at 400 days. The cap also keeps every expiry
// inside system_clock's range (an Expires in 1617 or 9999 would overflow it).
constexpr std::chrono::seconds kMaxAge{std::chrono::hours(24 * 400)};

SysClock::time_point clamp_expiry(std::chrono::sys_seconds t, SysClock::time_point now) {
    const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
    if (t <= now_s) return SysClock::time_point::min(); // already expired
    if (t - now_s > kMaxAge) return now + kMaxAge;
    return SysClock::time_point(t);
}

bool path_match(std::string_view request_path, std::string_view cookie_path) {
    if (request_path.empty()) request_path = "/";
    if (request_path == cookie_path) return true;
    if (!request_path.starts_with(cookie_path)) return false;
    return cookie_path.back() == '/' || request_path[cookie_path.size()] == '/';
}

} // namespace

std::optional<Cookie> parse_set_cookie(std::string_view value, std::string_view host,
                                       std::string_view request_path, SysClock::time_point now) {
    std::string_view pair = value.substr(0, value.find(';'));
    std::string_view attributes =
        pair.size() < value.size() ? value.substr(pair.size() + 1) : std::string_view{};
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    Cookie c;
    c.name = std::string(trim(pair.substr(0, eq)));
    c.value = std::string(trim(pair.substr(eq + 1)));
    if (c.name.empty()) return std::nullopt;
    const std::string h = lowercase(host);
    std::optional<SysClock::time_point> max_age_expiry;
    std::optional<SysClock::time_point> expires;
    std::string domain;
    while (!attributes.empty()) {
        const std::size_t semi = attributes.find(';');
        const std::string_view av = attributes.substr(0, semi);
        attributes =
            semi == std::string_view::npos ? std::string_view{} : attributes.substr(semi + 1);
        const std::size_t aeq = av.find('=');
        const std::string_view name = trim(av.substr(0, aeq));
        const std::string_view val =
            aeq == std::string_view::npos ? std::string_view{} : trim(av.substr(aeq + 1));
        if (iequals(name, "expires")) {
            if (auto t = parse_http_date(val)) expires = clamp_expiry(*t, now);
        } else if (iequals(name, "max-age")) {
            // §5.2.2: a leading digit or '-', then digits; otherwise ignored.
            std::string_view digits = val;
            const bool negative = !digits.empty() && digits.front() == '-';
            if (negative) digits.remove_prefix(1);
            if (digits.empty() || digits.size() > 12 ||
                !std::all_of(digits.begin(), digits.end(),
                             [](char ch) { return ch >= '0' && ch <= '9'; }))
                continue;
            const long long seconds = negative ? 0 : std::stoll(std::string(digits));
            max_age_expiry = seconds <= 0 ? SysClock::time_point::min()
                                          : now + std::min(std::chrono::seconds(seconds), kMaxAge);
        } else if (iequals(name, "domain")) {
            std::string_view d = val;
            if (!d.empty() && d.front() == '.') d.remove_prefix(1);
            domain = lowercase(d);
        } else if (iequals(name, "path")) {
            c.path = !val.empty() && val.front() == '/' ? std::string(val) : std::string();
        } else if (iequals(name, "secure")) {
            c.secure = true;
        } else if (iequals(name, "httponly")) {
            c.http_only = true;
        }
    }
    // §5.3 step 3: Max-Age wins over Expires.
    c.expires = max_age_expiry ? max_age_expiry : expires;
    if (domain.empty()) {
        c.domain = h;
        c.host_only = true;
    } else {
        if (!domain_match(h, domain)) return std::nullopt; // §5.3 step 6
        c.domain = domain;
        c.host_only = false;
    }
    if (c.path.empty()) c.path = default_path(request_path);
    return c;
}

bool CookieJar::store(std::string_view set_cookie, std::string_view host,
                      std::string_view request_path, bool secure_scheme, SysClock::time_point now) {
    std::optional<Cookie> c = parse_set_cookie(set_cookie, host, request_path, now);
    if (!c) return false;
    // A secure cookie set over plain HTTP could later be read over HTTPS by a site it must
    // not trust (RFC 6265bis §5.6 step 8); refuse it.
    if (c->secure && !secure_scheme) return false;
    add(std::move(*c), now);
    return true;
}

void CookieJar::add(Cookie c, SysClock::time_point now) {
    // header_for() relies on a path that is absolute, hence not empty.
    if (c.name.empty() || c.domain.empty()) return;
    if (c.path.empty() || c.path.front() != '/') c.path = "/";
    auto same = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& o) {
        return o.name == c.name && o.domain == c.domain && o.path == c.path;
    });
    const bool expired = c.expires && *c.expires <= now;
    if (same != cookies_.end()) cookies_.erase(same);
    if (expired) return;
    cookies_.push_back(std::move(c));
}

std::string CookieJar::header_for(std::string_view host, std::string_view path, bool secure_scheme,
                                  SysClock::time_point now) const {
    const std::string h = lowercase(host);
    std::vector<const Cookie*> matches;
    for (const Cookie& c : cookies_) {
        if (c.expires && *c.expires <= now) continue;
        if (c.host_only ? h != c.domain : !domain_match(h, c.domain)) continue;
        if (!path_match(path, c.path)) continue;
        if (c.secure && !secure_scheme) continue;
        matches.push_back(&c);
    }
    // Longer paths first, then earlier-created first (§5.4 step 2). std::sort with the
    // position as tie-break rather than stable_sort: no temporary buffer.
    std::sort(matches.begin(), matches.end(), [](const Cookie* a, const Cookie* b) {
        if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
        return a < b; // same vector: address order is creation order
    });
    std::string out;
    for (const Cookie* c : matches) {
        if (!out.empty()) out += "; ";
        out += c->name;
        out += '=';
        out += c->value;
    }
    return out;
}

} // namespace pier::client
