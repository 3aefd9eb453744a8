// The Netscape cookie file, as curl's -b FILE reads it and -c FILE writes it: one cookie a
// line, seven tab-separated fields (domain, include-subdomains, path, secure, expiry in Unix
// seconds with 0 for a session cookie, name, value), '#' comments, and a "#HttpOnly_" prefix
// on the domain of an HttpOnly cookie.
//
//     auto cookies = pier::client::parse_cookie_file(text);   // what curl -c wrote
//     std::string out = pier::client::format_cookie_file(cookies);
//
// Parsing is liberal as curl's: blank lines, comments, CRLF and a line with too few fields are
// skipped, never an error. It is also bounded: at most kMaxCookieFileCookies cookies are kept,
// and read_cookie_file() refuses a file over kMaxCookieFileSize.
#pragma once

#include <pier/cookies.hpp>

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pier::client {

inline constexpr std::size_t kMaxCookieFileSize = std::size_t{10} << 20; // 10 MiB
inline constexpr std::size_t kMaxCookieFileCookies = 100'000;

/// A cookie file that cannot be read or written (missing, too large, I/O error).
class CookieFileError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The cookies of a Netscape cookie file, in file order (duplicates and expired ones included:
/// CookieJar::add decides). I/O-free; never throws on content.
std::vector<Cookie> parse_cookie_file(std::string_view text);

/// curl's format: its header, then one line per cookie. Session cookies get expiry 0; a cookie
/// that cannot be written as a line (a tab or line break in a field, an empty name) is left out.
std::string format_cookie_file(const std::vector<Cookie>& cookies);

/// The text of `path` ("-": stdin); throws CookieFileError when it cannot be read or is larger
/// than kMaxCookieFileSize.
std::string read_cookie_file(const std::filesystem::path& path);

/// Writes `text` to `path` ("-": stdout) atomically: a temporary file beside it, then rename,
/// so a reader never sees half a jar. A new file is private (0600); an existing one keeps its
/// mode; what a rename must not replace (a FIFO, a device) is written in place. Throws
/// CookieFileError.
void write_cookie_file(const std::filesystem::path& path, std::string_view text);

} // namespace pier::client
