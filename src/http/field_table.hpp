// The codec's way into the known-field table: the parser has already checked that a name is a
// token, so it skips the check field_id() makes. Private.
#pragma once

#include <pier/fields.hpp>

#include <string_view>

namespace pier::detail {

/// field_id() for a name already known to be a token.
FieldId field_id_of_token(std::string_view token) noexcept;

} // namespace pier::detail
