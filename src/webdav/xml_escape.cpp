#include "webdav/xml_escape.hpp"

#include <cstddef>
#include <cstdint>

namespace pier::webdav {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// Length of the well-formed UTF-8 sequence at text[i] that encodes an XML Char (XML 1.0
// §2.2), or 0 when the bytes there are not one.
std::size_t xml_char_length(std::string_view text, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
    const std::uint8_t b0 = byte(i);
    if (b0 < 0x80) return (b0 >= 0x20 || b0 == '\t' || b0 == '\n' || b0 == '\r') ? 1 : 0;
    std::size_t n;
    std::uint32_t cp;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        cp = b0 & 0x0Fu;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        cp = b0 & 0x07u;
    } else {
        return 0; // a continuation byte, an overlong lead (C0, C1) or beyond U+10FFFF
    }
    if (text.size() - i < n) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (byte(i + k) & 0x3Fu);
    }
    const std::uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF) return 0;    // overlong, or too large
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0; // surrogates
    if (cp == 0xFFFE || cp == 0xFFFF) return 0; // not XML Chars
    return n;
}

template <class Escape>
void append_escaped(std::string& out, std::string_view text, Escape escape) {
    out.reserve(out.size() + text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t n = xml_char_length(text, i);
        if (n == 0) {
            out += kReplacement;
            ++i;
        } else if (n == 1) {
            const std::string_view e = escape(text[i]);
            if (e.empty())
                out += text[i];
            else
                out += e;
            ++i;
        } else {
            out.append(text, i, n);
            i += n;
        }
    }
}

} // namespace

void append_escaped_text(std::string& out, std::string_view text) {
    append_escaped(out, text, [](char c) -> std::string_view {
        switch (c) {
        case '&':
            return "&amp;";
        case '<':
            return "&lt;";
        case '>':
            return "&gt;"; // never part of a "]]>" that a reader would reject
        case '\r':
            return "&#13;";
        default:
            return {};
        }
    });
}

void append_escaped_attribute(std::string& out, std::string_view text) {
    append_escaped(out, text, [](char c) -> std::string_view {
        switch (c) {
        case '&':
            return "&amp;";
        case '<':
            return "&lt;";
        case '>':
            return "&gt;";
        case '"':
            return "&quot;";
        case '\t':
            return "&#9;";
        case '\n':
            return "&#10;";
        case '\r':
            return "&#13;";
        default:
            return {};
        }
    });
}

} // namespace pier::webdav
