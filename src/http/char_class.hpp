// Character classes of RFC 9110 §5.6 and RFC 3986, as 256-entry tables: one load per byte,
// no branches, the same tables for the vocabulary and the codec.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pier::detail {

enum CharClass : std::uint8_t {
    kTchar = 1 << 0,      // token: ALPHA DIGIT and !#$%&'*+-.^_`|~   (RFC 9110 §5.6.2)
    kFieldVchar = 1 << 1, // field-value content: VCHAR, SP, HTAB, obs-text   (RFC 9110 §5.5)
    kUnreserved = 1 << 2, // ALPHA DIGIT - . _ ~   (RFC 3986 §2.3)
    kSubDelim = 1 << 3,   // ! $ & ' ( ) * + , ; =   (RFC 3986 §2.2)
    kHexDigit = 1 << 4,
    kDigit = 1 << 5,
    kAlpha = 1 << 6,
};

constexpr std::array<std::uint8_t, 256> make_char_classes() {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        std::uint8_t m = 0;
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        if (alpha) m |= kAlpha;
        if (digit) m |= kDigit;
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) m |= kHexDigit;
        if (alpha || digit ||
            std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos)
            m |= kTchar;
        if ((c >= 0x21 && c <= 0x7e) || c == ' ' || c == '\t' || c >= 0x80) m |= kFieldVchar;
        if (alpha || digit || c == '-' || c == '.' || c == '_' || c == '~') m |= kUnreserved;
        if (std::string_view("!$&'()*+,;=").find(char(c)) != std::string_view::npos) m |= kSubDelim;
        t[static_cast<std::size_t>(c)] = m;
    }
    return t;
}

inline constexpr std::array<std::uint8_t, 256> kCharClasses = make_char_classes();

constexpr bool has_class(char c, std::uint8_t cls) noexcept {
    return (kCharClasses[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_tchar(char c) noexcept {
    return has_class(c, kTchar);
}
constexpr bool is_field_vchar(char c) noexcept {
    return has_class(c, kFieldVchar);
}
/// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (RFC 9110 §5.6.4): field-vchar
/// less DQUOTE and "\".
constexpr bool is_qdtext(char c) noexcept {
    return is_field_vchar(c) && c != '"' && c != '\\';
}
constexpr bool is_digit(char c) noexcept {
    return has_class(c, kDigit);
}
constexpr bool is_hex_digit(char c) noexcept {
    return has_class(c, kHexDigit);
}
constexpr bool is_alpha(char c) noexcept {
    return has_class(c, kAlpha);
}
constexpr bool is_ows(char c) noexcept {
    return c == ' ' || c == '\t';
}

constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

/// Value of a hex digit; only meaningful when is_hex_digit(c).
constexpr int hex_value(char c) noexcept {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

constexpr char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
}

/// An ASCII-lowercased copy: hosts, schemes, cookie domains and names compared without case.
inline std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = to_lower(c);
    return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}

/// Strips optional whitespace (SP / HTAB) from both ends.
constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

} // namespace pier::detail
