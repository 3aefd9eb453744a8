// Media types (RFC 9110 §8.3.1): type "/" subtype *( OWS ";" OWS parameter ).
//
//     auto mt = pier::parse_media_type("Text/HTML; Charset=\"utf-8\"");
//     mt->type == "text"; mt->subtype == "html"; mt->charset() == "utf-8";
//     mt->to_string() == "text/html;charset=utf-8"
#pragma once

#include <pier/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pier {

enum class MediaTypeError : std::uint8_t {
    empty,               // nothing but whitespace
    bad_type,            // the type is not a token
    missing_slash,       // no "/" after the type
    bad_subtype,         // the subtype is not a token
    bad_parameter_name,  // a parameter name is not a token
    missing_equals,      // a parameter without "=" (or with whitespace around it)
    bad_parameter_value, // neither a token nor a valid quoted string
    trailing_characters, // something after the last parameter that is not one
};
std::string_view to_string(MediaTypeError e) noexcept;

struct MediaType {
    std::string type;    // lower-cased: media types are case-insensitive
    std::string subtype; // lower-cased
    /// Names lower-cased, values unquoted (and the charset's lower-cased), in order. A repeated name keeps its first value in
    /// parameter() (RFC 9110 leaves duplicates undefined; the first is what was meant first).
    std::vector<std::pair<std::string, std::string>> parameters;

    std::optional<std::string_view> parameter(std::string_view name) const noexcept;
    /// The charset parameter, lower-cased ("UTF-8" and "utf-8" are the same charset).
    std::string charset() const;
    /// Whether this type matches type/subtype, "*" on either side matching anything (as in
    /// Accept: "text/*", "*/*").
    bool matches(std::string_view type, std::string_view subtype) const noexcept;
    /// The canonical form: "text/html;charset=utf-8"; values quoted only when they must be.
    std::string to_string() const;
};

Result<MediaType, MediaTypeError> parse_media_type(std::string_view text);

} // namespace pier
