// Set-Cookie under libFuzzer: whatever a server sends, a cookie the parser accepts has a name,
// an absolute path and a lower-case domain that covers the host, and a fresh jar holding it
// sends it back for that host and path.
#include <pier/cookies.hpp>

#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static constexpr std::string_view hosts[] = {"example.com", "www.Example.com", "127.0.0.1",
                                                 "a.b.c.example.org"};
    const std::string_view host = hosts[data[0] % 4];
    const std::string_view value(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    const auto c = pier::client::parse_set_cookie(value, host, "/dir/page", now);
    if (!c) return 0;
    if (c->name.empty() || c->name.find(';') != std::string::npos) std::abort();
    if (c->path.empty() || c->path.front() != '/') std::abort();
    for (const char ch : c->domain)
        if (ch >= 'A' && ch <= 'Z') std::abort();
    pier::client::CookieJar jar;
    if (!jar.store(value, host, "/dir/page", true, now)) std::abort();
    const bool expired = c->expires && *c->expires <= now;
    const std::string header = jar.header_for(host, c->path, true, now);
    if (expired != header.empty()) std::abort();
    if (!expired && header != c->name + "=" + c->value) std::abort();
    return 0;
}
