// An in-memory cookie jar (RFC 6265): Set-Cookie parsing (§5.2), storage with the domain and
// path rules (§5.3), and the Cookie field for a request (§5.4). fetch() keeps one per Session,
// so cookies set by a redirect's response go with the next request.
//
//     pier::client::CookieJar jar;
//     jar.store("id=42; Path=/; HttpOnly", "example.com", "/login", /*secure=*/true);
//     jar.header_for("example.com", "/account", true);   // "id=42"
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::client {

struct Cookie {
    std::string name;
    std::string value;
    std::string domain; // lower-case, no leading dot
    std::string path;
    bool host_only = true; // no Domain attribute: this exact host only
    bool secure = false;
    bool http_only = false;
    std::optional<std::chrono::system_clock::time_point> expires; // nullopt: session cookie
};

/// One Set-Cookie value as received from `host` for a request to `request_path`; nullopt when
/// RFC 6265 says to ignore it (no '=', empty name, a Domain that does not cover `host`).
std::optional<Cookie>
parse_set_cookie(std::string_view value, std::string_view host, std::string_view request_path,
                 std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

class CookieJar {
  public:
    /// Parses and stores (or, for an expired cookie, removes); false when ignored.
    bool store(std::string_view set_cookie, std::string_view host, std::string_view request_path,
               bool secure_scheme,
               std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
    /// "a=1; b=2" for a request, longer paths first (§5.4); empty when none match.
    std::string
    header_for(std::string_view host, std::string_view path, bool secure_scheme,
               std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;
    /// Adds a cookie as it is (read from a cookie file, say), replacing one of the same name,
    /// domain and path; an expired one only removes its namesake.
    void add(Cookie cookie,
             std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
    const std::vector<Cookie>& cookies() const noexcept { return cookies_; }
    void clear() noexcept { cookies_.clear(); }

  private:
    std::vector<Cookie> cookies_;
};

} // namespace pier::client
