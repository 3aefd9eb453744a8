#include "auth/basic_credentials.hpp"

#include <algorithm>
#include <cstdint>

namespace pier::auth {

namespace {

constexpr std::string_view kScheme = "Basic";

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// auth-scheme is a case-insensitive token (RFC 9110 §11.1).
bool is_basic_scheme(std::string_view s) {
    return std::equal(s.begin(), s.end(), kScheme.begin(), kScheme.end(),
                      [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
}

// The value of a digit of RFC 4648 §4's alphabet, or -1.
int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Strict base64: a multiple of four characters, '=' only as the final padding, and the bits
// the padding leaves over all zero. Anything looser gives one credential several spellings,
// which is how a filter that matches on the encoded form is walked around.
std::optional<std::string> decode_base64(std::string_view in) {
    if (in.size() % 4 != 0) return std::nullopt;
    const std::size_t padding = in.ends_with("==") ? 2 : in.ends_with('=') ? 1 : 0;
    if (in.size() / 4 * 3 - padding > kMaxBasicCredentials) return std::nullopt;
    const std::string_view digits = in.substr(0, in.size() - padding);
    std::string out;
    out.reserve(in.size() / 4 * 3);
    std::uint32_t bits = 0; // only the low `count` are pending
    int count = 0;
    for (const char c : digits) {
        const int v = base64_value(c);
        if (v < 0) return std::nullopt;
        bits = bits << 6 | static_cast<std::uint32_t>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>(bits >> count & 0xff);
        }
    }
    if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;
    return out;
}

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

} // namespace

std::optional<BasicCredentials> parse_basic_authorization(std::string_view v) {
    // credentials = auth-scheme [ 1*SP token68 ] (RFC 9110 §11.4); Basic requires the token.
    if (v.size() <= kScheme.size() || !is_basic_scheme(v.substr(0, kScheme.size())) ||
        v[kScheme.size()] != ' ')
        return std::nullopt;
    v.remove_prefix(kScheme.size());
    v.remove_prefix(std::min(v.find_first_not_of(' '), v.size()));
    while (v.ends_with(' ') || v.ends_with('\t')) v.remove_suffix(1);
    if (v.empty()) return std::nullopt;

    const std::optional<std::string> decoded = decode_base64(v);
    if (!decoded) return std::nullopt;
    // user-id may not contain ':' (RFC 7617 §2), so the first one is the separator.
    const std::size_t colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    // Controls are excluded by the RFC's grammar; a NUL or CR could also cut a name short, or
    // forge a line, in whatever logs or compares it downstream.
    if (std::any_of(decoded->begin(), decoded->end(), is_control)) return std::nullopt;
    return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

} // namespace pier::auth
