#include "http/framing.hpp"

#include "http/char_class.hpp"
#include "http/field_table.hpp"

#include <pier/field_lists.hpp>
#include <pier/status.hpp>

namespace pier::detail {
namespace {

// Content-Length = 1*DIGIT (RFC 9110 §8.6). A list of identical values ("5, 5", or the field
// repeated) may be taken as one value; anything else — signs, hex, inner spaces, differing
// values — is an error, because two parsers reading it differently is request smuggling.
ParseError parse_content_length(const Fields& fields, std::uint64_t& out) noexcept {
    bool seen = false;
    for (std::string_view field_value : fields.values(FieldId::content_length)) {
        std::size_t elements = 0;
        for (std::string_view element : list_elements(field_value)) {
            ++elements;
            std::uint64_t n = 0;
            for (char c : element) {
                if (!is_digit(c)) return ParseError::bad_content_length;
                const auto digit = static_cast<std::uint64_t>(c - '0');
                if (n > (UINT64_MAX - digit) / 10) return ParseError::bad_content_length;
                n = n * 10 + digit;
            }
            if (seen && n != out) return ParseError::conflicting_content_length;
            out = n;
            seen = true;
        }
        if (elements == 0) return ParseError::bad_content_length; // empty value
    }
    return ParseError::none;
}

struct TransferCodings {
    ParseError error = ParseError::none;
    bool chunked_last = false;
    bool other_coding = false; // a coding before chunked (gzip, chunked), which pier won't decode
};

// Transfer-Encoding = #transfer-coding (RFC 9112 §6.1), over every such field line in order.
TransferCodings parse_transfer_codings(const Fields& fields) noexcept {
    TransferCodings t;
    bool any = false;
    bool chunked_seen = false;
    for (std::string_view field_value : fields.values(FieldId::transfer_encoding)) {
        for (std::string_view element : list_elements(field_value)) {
            any = true;
            // transfer-coding = token *( OWS ";" OWS transfer-parameter )
            const std::string_view coding = trim_ows(element.substr(0, element.find(';')));
            if (!is_token(coding)) {
                t.error = ParseError::bad_transfer_encoding;
                return t;
            }
            if (iequals(coding, "chunked")) {
                if (chunked_seen) {
                    t.error = ParseError::chunked_twice;
                    return t;
                }
                chunked_seen = true;
                t.chunked_last = true;
            } else {
                if (chunked_seen) t.chunked_last = false; // "chunked, gzip"
                t.other_coding = true;
            }
        }
    }
    if (!any) t.error = ParseError::bad_transfer_encoding;
    return t;
}

// Case-insensitive match of a field value against a lower-case option name. Word compares
// with case folding are exact here: values hold no controls but HTAB, which folds onto no
// letter, digit or '-'.
bool is_option(std::string_view value, std::string_view name) noexcept {
    return value.size() == name.size() && token_iequals(value.data(), name.data(), name.size());
}

// Whether a field value holds more than one element (or quoting to undo).
bool is_list(std::string_view value) noexcept {
    for (char c : value)
        if (c == ',' || c == '"') return true;
    return false;
}

// RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
// Connection options are plain tokens; one pass over them answers both questions.
bool persistent(Version version, const Fields& f) noexcept {
    bool keep_alive = false;
    for (std::string_view value : f.values(FieldId::connection)) {
        // The usual values, whole: no list to split.
        if (is_option(value, "close")) return false;
        if (is_option(value, "keep-alive")) {
            keep_alive = true;
            continue;
        }
        if (!is_list(value)) continue; // one option, neither of those
        for (std::string_view option : list_elements(value)) {
            if (is_option(option, "close")) return false;
            if (is_option(option, "keep-alive")) keep_alive = true;
        }
    }
    return version == Version::http11 || keep_alive;
}

// RFC 9112 §6.3 (6): Content-Length frames the message, within the body limit.
template <class Head>
ParseError apply_content_length(Head& head, const Limits& limits) noexcept {
    const ParseError e = parse_content_length(head.fields, head.content_length);
    if (e != ParseError::none) return e;
    if (head.content_length > limits.max_body) return ParseError::body_too_large;
    head.body = head.content_length == 0 ? BodyKind::none : BodyKind::content_length;
    return ParseError::none;
}

} // namespace

ParseError decide_request_framing(RequestHead& head, const Limits& limits) noexcept {
    const Fields& f = head.fields;
    head.keep_alive = persistent(head.version, f);
    head.content_length = 0;
    head.body = BodyKind::none;

    if (f.count(FieldId::transfer_encoding) != 0) {
        // RFC 9112 §6.1: an HTTP/1.0 intermediary would not have understood it; treat the
        // framing as faulty. And with Content-Length as well, two parsers can disagree on
        // where this request ends: reject rather than pick one (the smuggling classic).
        if (head.version == Version::http10) return ParseError::transfer_encoding_in_http10;
        if (f.count(FieldId::content_length) != 0)
            return ParseError::content_length_with_transfer_encoding;
        const TransferCodings t = parse_transfer_codings(f);
        if (t.error != ParseError::none) return t.error;
        // RFC 9112 §6.3 (4): without chunked last, a request's length cannot be determined.
        if (!t.chunked_last) return ParseError::chunked_not_last;
        // RFC 9112 §6.1: a coding the server does not understand → 501.
        if (t.other_coding) return ParseError::unknown_transfer_coding;
        head.body = BodyKind::chunked;
        return ParseError::none;
    }
    if (f.count(FieldId::content_length) != 0) return apply_content_length(head, limits);
    return ParseError::none;
}

ParseError decide_response_framing(ResponseHead& head, Method request_method,
                                   const Limits& limits) noexcept {
    const Fields& f = head.fields;
    head.keep_alive = persistent(head.version, f);
    head.content_length = 0;
    head.body = BodyKind::none;

    // RFC 9112 §6.3 (1) and (2): no content, whatever the fields say.
    if (request_method == Method::head || !status_allows_content(head.status)) {
        return ParseError::none;
    }
    if (request_method == Method::connect && head.status / 100 == 2) {
        head.keep_alive = false; // the connection is a tunnel now
        return ParseError::none;
    }
    if (f.count(FieldId::transfer_encoding) != 0) {
        const TransferCodings t = parse_transfer_codings(f);
        if (t.error != ParseError::none) return t.error;
        // (3) Transfer-Encoding overrides Content-Length; such a message "ought to be handled
        // as an error" for reuse, so the connection closes after it.
        if (f.count(FieldId::content_length) != 0) head.keep_alive = false;
        if (!t.chunked_last) {
            head.body = BodyKind::until_close;
            head.keep_alive = false;
            return ParseError::none;
        }
        if (t.other_coding) return ParseError::unknown_transfer_coding;
        head.body = BodyKind::chunked;
        return ParseError::none;
    }
    if (f.count(FieldId::content_length) != 0) return apply_content_length(head, limits);
    // (8) Neither: the content runs until the server closes.
    head.body = BodyKind::until_close;
    head.keep_alive = false;
    return ParseError::none;
}

} // namespace pier::detail
