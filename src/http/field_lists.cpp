#include "http/char_class.hpp"

#include <pier/field_lists.hpp>

namespace pier {

using detail::iequals;
using detail::trim_ows;

namespace {

// Where the next `delimiter` outside a quoted string is, or npos. Quoted strings (RFC 9110
// §5.6.4) may hold ',' and ';', and a backslash inside one escapes the next byte, so `"a\",b"`
// is one element. An unterminated quote runs to the end.
std::size_t find_outside_quotes(std::string_view s, char delimiter) noexcept {
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quoted) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == delimiter) {
            return i;
        }
    }
    return std::string_view::npos;
}

} // namespace

void ListElements::iterator::advance() noexcept {
    while (rest_.data() != nullptr) { // null once the last element has been taken
        const std::size_t comma = find_outside_quotes(rest_, ',');
        const std::string_view element = trim_ows(rest_.substr(0, comma));
        rest_ = comma == std::string_view::npos ? std::string_view() : rest_.substr(comma + 1);
        if (!element.empty()) {
            current_ = element;
            return;
        }
    }
    done_ = true;
    current_ = {};
}

bool has_token(std::string_view list, std::string_view token) noexcept {
    for (std::string_view element : list_elements(list)) {
        if (iequals(trim_ows(element.substr(0, find_outside_quotes(element, ';'))), token))
            return true;
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

namespace {

// "value ; p=1 ; q=0.5" → {value, weight}; false when the value is empty or a q is malformed.
bool parse_weighted_element(std::string_view element, Weighted& out) noexcept {
    std::size_t end = find_outside_quotes(element, ';');
    out.value = trim_ows(element.substr(0, end));
    out.q = 1000;
    if (out.value.empty()) return false;
    while (end != std::string_view::npos) {
        element.remove_prefix(end + 1);
        end = find_outside_quotes(element, ';');
        const std::string_view param = trim_ows(element.substr(0, end));
        const std::size_t eq = param.find('=');
        if (eq == std::string_view::npos) continue; // a bare parameter: not a weight
        if (!iequals(trim_ows(param.substr(0, eq)), "q")) continue;
        const auto q = parse_qvalue(trim_ows(param.substr(eq + 1)));
        if (!q) return false;
        out.q = *q;
    }
    return true;
}

// x-gzip is "equivalent to gzip" (RFC 9110 §8.4.1.3).
std::string_view canonical_coding(std::string_view c) noexcept {
    return iequals(c, "x-gzip") ? std::string_view("gzip") : c;
}

} // namespace

void WeightedElements::iterator::skip_malformed() noexcept {
    for (; at_ != ListElements::iterator(); ++at_)
        if (parse_weighted_element(*at_, current_)) return;
    current_ = {};
}

std::uint16_t accept_encoding_quality(std::string_view accept_encoding,
                                      std::string_view coding) noexcept {
    coding = canonical_coding(coding);
    int explicit_q = -1;
    int star_q = -1;
    for (const Weighted w : weighted_elements(accept_encoding)) {
        if (w.value == "*") {
            if (star_q < 0) star_q = w.q;
        } else if (iequals(canonical_coding(w.value), coding)) {
            if (explicit_q < 0) explicit_q = w.q;
        }
    }
    if (explicit_q >= 0) return static_cast<std::uint16_t>(explicit_q);
    if (star_q >= 0) return static_cast<std::uint16_t>(star_q);
    return iequals(coding, "identity") ? 1000 : 0;
}

} // namespace pier
