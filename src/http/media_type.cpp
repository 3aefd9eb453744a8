#include "http/char_class.hpp"

#include <pier/field_lists.hpp>
#include <pier/media_type.hpp>

namespace pier {

using detail::is_ows;
using detail::is_tchar;

std::string_view to_string(MediaTypeError e) noexcept {
    switch (e) {
    case MediaTypeError::empty:
        return "empty media type";
    case MediaTypeError::bad_type:
        return "invalid type";
    case MediaTypeError::missing_slash:
        return "missing '/' after the type";
    case MediaTypeError::bad_subtype:
        return "invalid subtype";
    case MediaTypeError::bad_parameter_name:
        return "invalid parameter name";
    case MediaTypeError::missing_equals:
        return "parameter without '='";
    case MediaTypeError::bad_parameter_value:
        return "invalid parameter value";
    case MediaTypeError::trailing_characters:
        return "unexpected characters after the media type";
    }
    return "unknown media type error";
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = detail::to_lower(c);
    return out;
}

std::size_t token_length(std::string_view s, std::size_t from) noexcept {
    std::size_t i = from;
    while (i < s.size() && is_tchar(s[i])) ++i;
    return i - from;
}

// Length of the quoted-string starting at s[from] (a '"'), or 0 if it is not one.
std::size_t quoted_length(std::string_view s, std::size_t from) noexcept {
    for (std::size_t i = from + 1; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
            continue;
        }
        if (s[i] == '"') return i - from + 1;
    }
    return 0;
}

} // namespace

Result<MediaType, MediaTypeError> parse_media_type(std::string_view text) {
    text = detail::trim_ows(text);
    if (text.empty()) return MediaTypeError::empty;
    MediaType mt;
    std::size_t i = token_length(text, 0);
    if (i == 0) return MediaTypeError::bad_type;
    mt.type = lower(text.substr(0, i));
    if (i == text.size() || text[i] != '/') {
        return i < text.size() && text[i] != ';' && !is_ows(text[i])
                   ? MediaTypeError::bad_type
                   : MediaTypeError::missing_slash;
    }
    ++i;
    const std::size_t sub = token_length(text, i);
    if (sub == 0) return MediaTypeError::bad_subtype;
    mt.subtype = lower(text.substr(i, sub));
    i += sub;
    // parameters = *( OWS ";" OWS [ parameter ] )
    for (;;) {
        while (i < text.size() && is_ows(text[i])) ++i;
        if (i == text.size()) break;
        if (text[i] != ';') return MediaTypeError::trailing_characters;
        ++i;
        while (i < text.size() && is_ows(text[i])) ++i;
        if (i == text.size() || text[i] == ';') continue; // an empty parameter
        const std::size_t name_len = token_length(text, i);
        if (name_len == 0) return MediaTypeError::bad_parameter_name;
        std::string name = lower(text.substr(i, name_len));
        i += name_len;
        // parameter = name "=" value, no whitespace around "=" (RFC 9110 §5.6.6).
        if (i == text.size() || text[i] != '=') return MediaTypeError::missing_equals;
        ++i;
        std::string value;
        if (i < text.size() && text[i] == '"') {
            const std::size_t q = quoted_length(text, i);
            if (q == 0) return MediaTypeError::bad_parameter_value;
            auto unquoted = unquote(text.substr(i, q));
            if (!unquoted) return MediaTypeError::bad_parameter_value;
            value = std::move(*unquoted);
            i += q;
        } else {
            const std::size_t v = token_length(text, i);
            if (v == 0) return MediaTypeError::bad_parameter_value;
            value.assign(text.substr(i, v));
            i += v;
        }
        // Charset names are case-insensitive (RFC 9110 §8.3.2): one spelling for all.
        if (name == "charset") value = lower(value);
        mt.parameters.emplace_back(std::move(name), std::move(value));
    }
    return mt;
}

std::optional<std::string_view> MediaType::parameter(std::string_view name) const noexcept {
    for (const auto& [n, v] : parameters)
        if (detail::iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

std::string MediaType::charset() const {
    const auto c = parameter("charset");
    return c ? lower(*c) : std::string();
}

bool MediaType::matches(std::string_view t, std::string_view s) const noexcept {
    const bool type_ok = t == "*" || type == "*" || detail::iequals(type, t);
    const bool sub_ok = s == "*" || subtype == "*" || detail::iequals(subtype, s);
    return type_ok && sub_ok;
}

std::string MediaType::to_string() const {
    std::string out = type + "/" + subtype;
    for (const auto& [name, value] : parameters) {
        out += ';';
        out += name;
        out += '=';
        if (!value.empty() && detail::is_token(value)) {
            out += value;
        } else {
            out += '"';
            for (char c : value) {
                if (c == '"' || c == '\\') out += '\\';
                out += c;
            }
            out += '"';
        }
    }
    return out;
}

} // namespace pier
