// The Netscape cookie-file parser under libFuzzer: whatever a file holds, every cookie read has
// a name, a lower-case domain without a leading dot and an absolute path; writing them and
// reading that back gives the same cookies; and a jar loading them answers without crashing.
#include <pier/cookie_file.hpp>

#include <cstdlib>
#include <string>
#include <string_view>

namespace {

bool same(const pier::client::Cookie& a, const pier::client::Cookie& b) {
    return a.name == b.name && a.value == b.value && a.domain == b.domain && a.path == b.path &&
           a.host_only == b.host_only && a.secure == b.secure && a.http_only == b.http_only &&
           a.expires == b.expires;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto cookies = pier::client::parse_cookie_file(text);
    for (const auto& c : cookies) {
        if (c.name.empty() || c.domain.empty() || c.domain.front() == '.') std::abort();
        if (c.path.empty() || c.path.front() != '/') std::abort();
        for (const char ch : c.domain)
            if (ch >= 'A' && ch <= 'Z') std::abort();
    }
    const std::string written = pier::client::format_cookie_file(cookies);
    const auto again = pier::client::parse_cookie_file(written);
    if (again.size() != cookies.size()) std::abort();
    for (std::size_t i = 0; i < cookies.size(); ++i)
        if (!same(cookies[i], again[i])) std::abort();
    if (pier::client::format_cookie_file(again) != written) std::abort();
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    pier::client::CookieJar jar;
    for (const auto& c : cookies) jar.add(c, now);
    for (const auto& c : jar.cookies()) (void)jar.header_for(c.domain, c.path, true, now);
    return 0;
}
