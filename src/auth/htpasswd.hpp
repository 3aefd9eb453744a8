// The htpasswd file of `pier serve --auth-file`: one `user:hash` per line, as Apache's
// htpasswd writes it.
//
//     const auto file = pier::auth::parse_htpasswd(text);
//     if (!file.error.empty()) die("--auth-file " + path + ": " + file.error);
//
// Lines end in LF or CRLF; the last one need not end at all. Empty lines, lines of only spaces
// and tabs, and lines starting with '#' are skipped. The user name is everything before the
// first ':' (so it never holds one); the hash runs to the next ':' or the end of the line, and
// whatever follows a second ':' is a comment, as Apache and nginx allow.
//
// The file is checked whole when it is loaded, so that a mistake stops the server at start
// rather than locking a user out later: the first problem ends parsing, `entries` is then
// empty and `error` says which line ("line 7: user 'bob' is already defined on line 2").
// Refused: a line without ':', an empty user name or one with a control character, an empty
// hash or one with a space or control character (a stray trailing blank is the usual case), a
// hash hash_kind() does not accept — an unknown format, or a known one truncated or damaged —
// and a user defined twice. Error messages never quote a hash or an unparsed line, which
// might be a password typed in the wrong place.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pier::auth {

struct HtpasswdEntry {
    std::string user;
    std::string hash; // hash_kind(hash) != HashKind::unsupported
    unsigned line;    // 1-based, for messages
};

struct Htpasswd {
    std::vector<HtpasswdEntry> entries; // in file order; user names distinct
    std::string error;                  // empty when the whole file was read
};

/// Bounds on what a file may make the server hold. With these defaults the size binds first:
/// the shortest entry (DES crypt) is 16 bytes, and distinct names soon need more.
struct HtpasswdLimits {
    std::size_t max_size = std::size_t{1} << 20; // bytes
    std::size_t max_entries = 100'000;
};

Htpasswd parse_htpasswd(std::string_view text, const HtpasswdLimits& limits = {});

} // namespace pier::auth
