// Message heads out: a status-line or request-line and the field lines, written into one
// contiguous buffer whose size is computed in one pass first, so writing it is one allocation
// at most (none when `out` already has the capacity) and one writev for the caller.
//
// Nothing a caller supplies can split the message: a reason, method, target, field name or
// value holding CR, LF, NUL (or, for names and methods, any non-token byte) is refused and
// nothing is appended — header injection is a bug class this rules out by construction.
#pragma once

#include <pier/fields.hpp>
#include <pier/parser.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pier {

enum class SerializeError : std::uint8_t {
    bad_status,      // not 100–999
    bad_reason,      // CR, LF, NUL or another control (HTAB allowed)
    bad_method,      // not a token
    bad_target,      // empty, or a control, SP or DEL
    bad_field_name,  // not a token
    bad_field_value, // CR, LF, NUL, another control, or leading/trailing whitespace
};
std::string_view to_string(SerializeError e) noexcept;

/// Appends "HTTP/1.x <status> <reason>\r\n", the fields and the empty line. An empty reason
/// takes the registry's phrase. HTTP/0.9 has no head: nothing is appended.
std::optional<SerializeError> append_response_head(std::string& out, Version version, int status,
                                                   std::string_view reason, const Fields& fields);

/// Appends "<method> <target> HTTP/1.x\r\n", the fields and the empty line.
std::optional<SerializeError> append_request_head(std::string& out, std::string_view method,
                                                  std::string_view target, Version version,
                                                  const Fields& fields);

} // namespace pier
