#include "http/char_class.hpp"

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
    case MediaTypeError::space_around_equals:
        return "whitespace around '=' in a parameter";
    case MediaTypeError::bad_parameter_value:
        return "invalid parameter value";
    case MediaTypeError::unterminated_quote:
        return "quoted parameter value without closing quote";
    case MediaTypeError::bad_escape:
        return "backslash escaping a control character";
    case MediaTypeError::duplicate_parameter:
        return "parameter given twice";
    case MediaTypeError::too_many_parameters:
        return "too many parameters";
    case MediaTypeError::trailing_characters:
        return "unexpected characters after the media type";
    }
    return "unknown media type error";
}

namespace {

// Reads the media type left to right; at_ is the next unread byte of text_.
class MediaTypeReader {
  public:
    explicit MediaTypeReader(std::string_view text) noexcept : text_(text) {}

    Result<MediaType, MediaTypeError> read() {
        MediaType mt;
        if (!read_lowered_token(mt.type)) return MediaTypeError::bad_type;
        if (!take('/')) {
            // "text html" and "text;x=y" lack the slash; "te(xt/html" has a bad type.
            return done() || peek() == ';' || is_ows(peek()) ? MediaTypeError::missing_slash
                                                             : MediaTypeError::bad_type;
        }
        if (!read_lowered_token(mt.subtype) || !at_parameters_boundary())
            return MediaTypeError::bad_subtype;
        // parameters = *( OWS ";" OWS [ parameter ] )
        for (;;) {
            skip_ows();
            if (done()) return mt;
            if (!take(';')) return MediaTypeError::trailing_characters;
            skip_ows();
            if (done() || peek() == ';') continue; // an empty parameter
            if (const auto e = read_parameter(mt)) return *e;
        }
    }

  private:
    bool done() const noexcept { return at_ == text_.size(); }
    char peek() const noexcept { return text_[at_]; }
    bool take(char c) noexcept {
        if (done() || peek() != c) return false;
        ++at_;
        return true;
    }
    // Where a subtype or a token value may end: "text/ht(ml" has a bad subtype, not a good
    // one followed by junk.
    bool at_parameters_boundary() const noexcept {
        return done() || peek() == ';' || is_ows(peek());
    }
    void skip_ows() noexcept {
        while (!done() && is_ows(peek())) ++at_;
    }

    bool read_lowered_token(std::string& out) {
        const std::size_t start = at_;
        while (!done() && is_tchar(peek())) out.push_back(detail::to_lower(text_[at_++]));
        return at_ != start;
    }

    // parameter = parameter-name "=" parameter-value (RFC 9110 §5.6.6)
    std::optional<MediaTypeError> read_parameter(MediaType& mt) {
        std::string name;
        if (!read_lowered_token(name)) return MediaTypeError::bad_parameter_name;
        if (!done() && is_ows(peek())) {
            skip_ows();
            return take('=') ? MediaTypeError::space_around_equals : MediaTypeError::missing_equals;
        }
        if (!at_parameters_boundary() && peek() != '=') return MediaTypeError::bad_parameter_name;
        if (!take('=')) return MediaTypeError::missing_equals;
        if (!done() && is_ows(peek())) return MediaTypeError::space_around_equals;
        std::string value;
        if (take('"')) {
            if (const auto e = read_quoted_rest(value)) return *e;
        } else {
            const std::size_t start = at_;
            while (!done() && is_tchar(peek())) ++at_;
            if (at_ == start || !at_parameters_boundary())
                return MediaTypeError::bad_parameter_value;
            value.assign(text_.substr(start, at_ - start));
        }
        if (mt.parameter(name)) return MediaTypeError::duplicate_parameter;
        if (mt.parameters.size() == kMaxMediaTypeParameters)
            return MediaTypeError::too_many_parameters;
        // Charset names are case-insensitive (RFC 9110 §8.3.2): one spelling for all.
        if (name == "charset")
            for (char& c : value) c = detail::to_lower(c);
        mt.parameters.emplace_back(std::move(name), std::move(value));
        return std::nullopt;
    }

    // The rest of a quoted-string after its opening DQUOTE (RFC 9110 §5.6.4), unescaped:
    //   qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
    //   quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
    std::optional<MediaTypeError> read_quoted_rest(std::string& value) {
        for (;;) {
            if (done()) return MediaTypeError::unterminated_quote;
            const char c = text_[at_++];
            if (c == '"') return std::nullopt;
            if (c == '\\') {
                if (done()) return MediaTypeError::unterminated_quote;
                if (!detail::is_field_vchar(peek())) return MediaTypeError::bad_escape;
                value.push_back(text_[at_++]);
            } else if (detail::is_field_vchar(c)) {
                value.push_back(c);
            } else {
                return MediaTypeError::bad_parameter_value; // a control character
            }
        }
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

} // namespace

Result<MediaType, MediaTypeError> parse_media_type(std::string_view text) {
    text = detail::trim_ows(text);
    if (text.empty()) return MediaTypeError::empty;
    return MediaTypeReader(text).read();
}

std::optional<std::string_view> MediaType::parameter(std::string_view name) const noexcept {
    for (const auto& [n, v] : parameters)
        if (detail::iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

std::string_view MediaType::charset() const noexcept {
    return parameter("charset").value_or(std::string_view());
}

bool MediaType::matches(std::string_view t, std::string_view s) const noexcept {
    const bool type_ok = t == "*" || type == "*" || detail::iequals(type, t);
    const bool subtype_ok = s == "*" || subtype == "*" || detail::iequals(subtype, s);
    return type_ok && subtype_ok;
}

std::string MediaType::to_string() const {
    std::string out;
    out.reserve(type.size() + 1 + subtype.size());
    out.append(type).append(1, '/').append(subtype);
    for (const auto& [name, value] : parameters) {
        out.append(1, ';').append(name).append(1, '=');
        if (detail::is_token(value)) {
            out += value;
            continue;
        }
        out += '"';
        for (char c : value) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out;
}

} // namespace pier
