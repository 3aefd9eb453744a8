// Scanning one field line (RFC 9112 §5): the piece the request, response and trailer parsers
// share. Private to the codec.
#pragma once

#include <pier/parser.hpp>

#include <string_view>

namespace pier::detail {

struct LineScan {
    enum Kind : std::uint8_t {
        field,      // name and value set; next is the first byte after the line's LF
        blank,      // the empty line that ends a section; next is after it
        incomplete, // the line does not end before the end of the data
        failed,     // see `error`
    };
    Kind kind = incomplete;
    ParseError error = ParseError::none;
    std::string_view name;
    std::string_view value;            // OWS trimmed at both ends
    const char* content_end = nullptr; // where the line terminator (CRLF or LF) starts
    const char* next = nullptr;
};

/// Scans the line at `p`. `end` is the end of the received data; `limit` is the first byte the
/// line (its terminator included) may not reach, and `limit_error` what reaching it means.
/// Reaching `limit` is an error only when the data goes that far, so the outcome never depends
/// on how the input was split. Callers bounding the line's content to N bytes pass
/// `p + N + 2` (room for CRLF) and check `content_end - p <= N` themselves: an LF-only line
/// of N + 1 bytes fits that window but not the limit.
LineScan scan_field_line(const char* p, const char* end, const char* limit,
                         ParseError limit_error) noexcept;

/// Scans the rest of a value from `v` (after the colon and any OWS) to its line terminator;
/// used for field lines and for obs-fold continuation lines. Same contract as above.
LineScan scan_field_value(const char* v, const char* end, const char* limit,
                          ParseError limit_error) noexcept;

} // namespace pier::detail
