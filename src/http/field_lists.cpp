#include "http/char_class.hpp"

#include <pier/field_lists.hpp>

#include <algorithm>

namespace pier {

using detail::iequals;
using detail::trim_ows;

void ListElements::iterator::advance() noexcept {
    for (;;) {
        if (rest_.data() == nullptr) { // input used up
            done_ = true;
            current_ = {};
            return;
        }
        std::size_t i = 0;
        bool quoted = false;
        while (i < rest_.size()) {
            const char c = rest_[i];
            if (quoted) {
                if (c == '\\') {
                    i += 2;
                    continue;
                }
                if (c == '"') quoted = false;
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                break;
            }
            ++i;
        }
        i = std::min(i, rest_.size());
        const std::string_view element = trim_ows(rest_.substr(0, i));
        rest_ = i < rest_.size() ? rest_.substr(i + 1) : std::string_view();
        if (!element.empty()) {
            current_ = element;
            return;
        }
    }
}

bool has_token(std::string_view list, std::string_view token) noexcept {
    for (std::string_view element : list_elements(list)) {
        if (iequals(trim_ows(element.substr(0, element.find(';'))), token)) return true;
    }
    return false;
}

std::string_view to_string(QuotedStringError e) noexcept {
    switch (e) {
    case QuotedStringError::not_quoted:
        return "not a quoted string";
    case QuotedStringError::unterminated:
        return "quoted string not terminated";
    case QuotedStringError::bad_escape:
        return "invalid escape in quoted string";
    case QuotedStringError::invalid_character:
        return "control character in quoted string";
    }
    return "unknown quoted-string error";
}

Result<std::string, QuotedStringError> unquote(std::string_view quoted) {
    if (quoted.empty() || quoted.front() != '"') return QuotedStringError::not_quoted;
    std::string out;
    for (std::size_t i = 1; i < quoted.size(); ++i) {
        const char c = quoted[i];
        if (c == '"') {
            if (i + 1 != quoted.size()) return QuotedStringError::not_quoted; // text after it
            return out;
        }
        if (c == '\\') {
            // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            if (++i == quoted.size()) return QuotedStringError::unterminated;
            if (!detail::is_field_vchar(quoted[i])) return QuotedStringError::bad_escape;
            out.push_back(quoted[i]);
            continue;
        }
        if (!detail::is_field_vchar(c)) return QuotedStringError::invalid_character;
        out.push_back(c);
    }
    return QuotedStringError::unterminated;
}

std::string_view to_string(QvalueError e) noexcept {
    return e == QvalueError::malformed ? "malformed weight" : "weight above 1";
}

Result<std::uint16_t, QvalueError> parse_qvalue(std::string_view text) noexcept {
    // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
    if (text.empty() || !detail::is_digit(text[0])) return QvalueError::malformed;
    if (text[0] > '1') return QvalueError::out_of_range;
    std::uint16_t q = text[0] == '1' ? 1000 : 0;
    if (text.size() == 1) return q;
    if (text[1] != '.' || text.size() > 5) return QvalueError::malformed;
    std::uint16_t scale = 100;
    for (std::size_t i = 2; i < text.size(); ++i, scale /= 10) {
        if (!detail::is_digit(text[i])) return QvalueError::malformed;
        q = static_cast<std::uint16_t>(q + (text[i] - '0') * scale);
    }
    if (q > 1000) return QvalueError::out_of_range;
    return q;
}

namespace detail {

bool parse_weighted_element(std::string_view element, Weighted& out) noexcept {
    std::size_t semi = element.find(';');
    out.value = trim_ows(element.substr(0, semi));
    out.q = 1000;
    if (out.value.empty()) return false;
    while (semi != std::string_view::npos) {
        element.remove_prefix(semi + 1);
        semi = element.find(';');
        const std::string_view param = trim_ows(element.substr(0, semi));
        const std::size_t eq = param.find('=');
        if (eq == std::string_view::npos) continue; // a bare parameter: not a weight
        if (!iequals(trim_ows(param.substr(0, eq)), "q")) continue;
        const auto q = parse_qvalue(trim_ows(param.substr(eq + 1)));
        if (!q) return false;
        out.q = *q;
    }
    return true;
}

} // namespace detail

namespace {

// x-gzip is "equivalent to gzip" (RFC 9110 §8.4.1.3).
std::string_view canonical_coding(std::string_view c) noexcept {
    return iequals(c, "x-gzip") ? std::string_view("gzip") : c;
}

} // namespace

std::uint16_t accept_encoding_quality(std::string_view accept_encoding,
                                      std::string_view coding) noexcept {
    coding = canonical_coding(coding);
    int explicit_q = -1;
    int star_q = -1;
    for_each_weighted(accept_encoding, [&](const Weighted& w) {
        if (w.value == "*") {
            if (star_q < 0) star_q = w.q;
        } else if (iequals(canonical_coding(w.value), coding)) {
            if (explicit_q < 0) explicit_q = w.q;
        }
    });
    if (explicit_q >= 0) return static_cast<std::uint16_t>(explicit_q);
    if (star_q >= 0) return static_cast<std::uint16_t>(star_q);
    return iequals(coding, "identity") ? 1000 : 0;
}

} // namespace pier
