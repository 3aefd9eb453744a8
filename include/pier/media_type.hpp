// Media types (RFC 9110 §8.3.1): type "/" subtype *( OWS ";" OWS [ parameter ] ), as in
// Content-Type.
//
//     auto mt = pier::parse_media_type("Text/HTML; Charset=\"UTF-8\"");
//     mt->type == "text"; mt->subtype == "html"; mt->charset() == "utf-8";
//     mt->to_string() == "text/html;charset=utf-8"
#pragma once

#include <pier/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pier {

enum class MediaTypeError : std::uint8_t {
    empty,               // nothing but whitespace
    bad_type,            // the type is missing or not a token
    missing_slash,       // no "/" after the type
    bad_subtype,         // the subtype is missing or not a token
    bad_parameter_name,  // a parameter name is not a token
    missing_equals,      // a parameter name not followed by "="
    space_around_equals, // "name = value": RFC 9110 §5.6.6 allows no whitespace there
    bad_parameter_value, // a value that is empty, not a token, or has a control in its quotes
    unterminated_quote,  // a quoted value without its closing DQUOTE
    bad_escape,          // a backslash in a quoted value escaping a control character
    duplicate_parameter, // the same parameter name twice (case-insensitively)
    too_many_parameters, // more than kMaxMediaTypeParameters
    trailing_characters, // after whitespace, something other than ";"
};
std::string_view to_string(MediaTypeError e) noexcept;

/// Parameters one media type may carry. Real ones carry one to three; the cap bounds the memory
/// and the duplicate checks an 8 KiB Content-Type of ";a=1;b=1;…" could otherwise cost.
inline constexpr std::size_t kMaxMediaTypeParameters = 64;

/// A parsed media type. Type, subtype and parameter names are lower-cased (they are
/// case-insensitive, RFC 9110 §8.3.1); values are unquoted, with each quoted-pair resolved, and
/// kept as sent except charset's, which is lower-cased because charset names are
/// case-insensitive (§8.3.2). Parameters keep their order.
struct MediaType {
    std::string type;
    std::string subtype;
    std::vector<std::pair<std::string, std::string>> parameters;

    /// The value of parameter `name` (compared case-insensitively), if present.
    std::optional<std::string_view> parameter(std::string_view name) const noexcept;
    /// The charset parameter; empty if there is none.
    std::string_view charset() const noexcept;
    /// Whether this type falls under `type`/`subtype`, where "*" on either side matches
    /// anything, as in Accept's "text/*" and "*/*" (RFC 9110 §12.5.1). Case-insensitive.
    bool matches(std::string_view type, std::string_view subtype) const noexcept;
    /// The canonical form: no whitespace, "text/html;charset=utf-8". A value is quoted only
    /// when it is not a token, with '"' and '\' escaped. Parsing the result of a parsed
    /// MediaType gives an equal MediaType.
    std::string to_string() const;

    /// The same spelling after normalisation (parameters compared in order).
    bool operator==(const MediaType&) const = default;
};

/// Parses a media type such as a Content-Type field value. OWS around the whole value and
/// around each ";" is tolerated; empty parameters ("a/b;;c=d", a trailing ";") are skipped, as
/// the grammar allows. A repeated parameter name is an error, not a choice between two values:
/// RFC 6838 §4.3 calls it one, and two readers picking different "boundary"s of a multipart
/// body is how a filter in front of a server gets bypassed.
Result<MediaType, MediaTypeError> parse_media_type(std::string_view text);

} // namespace pier
