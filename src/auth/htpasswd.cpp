#include "auth/htpasswd.hpp"

#include "auth/password.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

namespace pier::auth {

namespace {

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::string at_line(unsigned line, std::string_view what) {
    return "line " + std::to_string(line) + ": " + std::string(what);
}

// Why `user:hash` on line `line` is refused, or empty when it is accepted. `seen` holds the
// users of the lines before it.
std::string check_entry(std::string_view user, std::string_view hash, unsigned line,
                        const std::unordered_map<std::string_view, unsigned>& seen) {
    if (user.empty()) return at_line(line, "empty user name");
    if (std::any_of(user.begin(), user.end(), is_control))
        return at_line(line, "the user name contains a control character");
    // From here on the name is safe to quote.
    const std::string quoted = "'" + std::string(user) + "'";
    if (hash.empty()) return at_line(line, "no hash for user " + quoted);
    if (std::any_of(hash.begin(), hash.end(), [](char c) { return c == ' ' || is_control(c); }))
        return at_line(line,
                       "the hash for user " + quoted + " contains a space or a control character");
    if (hash_kind(hash) == HashKind::unsupported)
        return at_line(line, "the hash for user " + quoted +
                                 " is damaged or in a format pier does not accept (pier accepts "
                                 "bcrypt, SHA-256-crypt, SHA-512-crypt, yescrypt, apr1, {SHA} "
                                 "and DES crypt)");
    if (const auto it = seen.find(user); it != seen.end())
        return at_line(line, "user " + quoted + " is already defined on line " +
                                 std::to_string(it->second));
    return {};
}

Htpasswd failed(std::string error) {
    return {{}, std::move(error)};
}

} // namespace

Htpasswd parse_htpasswd(std::string_view text, const HtpasswdLimits& limits) {
    if (text.size() > limits.max_size)
        return failed("the file has " + std::to_string(text.size()) +
                      " bytes; pier reads at most " + std::to_string(limits.max_size));
    Htpasswd out;
    // Views into `text`, which outlives the map.
    std::unordered_map<std::string_view, unsigned> seen;
    unsigned number = 0;
    while (!text.empty()) {
        ++number;
        const std::size_t lf = text.find('\n');
        std::string_view line = text.substr(0, lf);
        text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (is_blank(line) || line.starts_with('#')) continue;

        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            return failed(at_line(number, "no ':' between user name and hash"));
        const std::string_view user = line.substr(0, colon);
        const std::string_view rest = line.substr(colon + 1);
        const std::string_view hash = rest.substr(0, rest.find(':'));
        if (std::string error = check_entry(user, hash, number, seen); !error.empty())
            return failed(std::move(error));
        if (out.entries.size() == limits.max_entries)
            return failed(
                at_line(number, "more than " + std::to_string(limits.max_entries) + " users"));
        seen.emplace(user, number);
        out.entries.push_back({std::string(user), std::string(hash), number});
    }
    return out;
}

} // namespace pier::auth
