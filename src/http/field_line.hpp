// Scanning one field line (RFC 9112 §5): the piece the request, response and trailer parsers
// share, and the codec's innermost loop — defined here so it inlines into each of them.
// Private to the codec.
#pragma once

#include "http/char_class.hpp"
#include "http/scan.hpp"

#include <pier/parser.hpp>

#include <algorithm>
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

namespace field_line_impl {

inline LineScan stop(const char* at, const char* end, const char* limit,
                     ParseError limit_error) noexcept {
    LineScan r;
    if (at >= limit && limit <= end) {
        r.kind = LineScan::failed;
        r.error = limit_error;
    }
    return r; // incomplete otherwise
}

inline LineScan fail(ParseError e) noexcept {
    LineScan r;
    r.kind = LineScan::failed;
    r.error = e;
    return r;
}

} // namespace field_line_impl

/// Scans the rest of a value from `v` (after the colon and any OWS) to its line terminator;
/// used for field lines and for obs-fold continuation lines. Same contract as scan_field_line.
[[gnu::always_inline]] inline LineScan scan_field_value(const char* v, const char* end,
                                                        const char* limit,
                                                        ParseError limit_error) noexcept {
    const char* scan_end = std::min(end, limit);
    // "Name: value": one SP is the rule, more the exception.
    if (v < scan_end && *v == ' ') ++v;
    if (v < scan_end && is_ows(*v)) {
        while (v < scan_end && is_ows(*v)) ++v;
    }
    const char* r = v;
    for (;;) {
        r = find_field_value_end(r, scan_end);
        if (r == scan_end) return field_line_impl::stop(r, end, limit, limit_error);
        if (*r != '\t') break; // HTAB is the one control a value may hold
        ++r;
    }
    LineScan out;
    const char* line_end = r;
    if (*r == '\n') {
        out.next = r + 1;
    } else if (*r == '\r') {
        if (r + 1 == scan_end) return field_line_impl::stop(r + 1, end, limit, limit_error);
        // A CR that does not start CRLF is how request smuggling through line-ending
        // disagreements starts (RFC 9112 §2.2): reject it.
        if (r[1] != '\n') return field_line_impl::fail(ParseError::bare_cr);
        out.next = r + 2;
    } else {
        return field_line_impl::fail(ParseError::bad_field_value); // NUL, DEL or another control
    }
    out.content_end = line_end;
    while (line_end > v && is_ows(line_end[-1])) --line_end;
    out.kind = LineScan::field;
    out.value = std::string_view(v, static_cast<std::size_t>(line_end - v));
    return out;
}

/// Scans the line at `p`. `end` is the end of the received data; `limit` is the first byte the
/// line (its terminator included) may not reach, and `limit_error` what reaching it means.
/// Reaching `limit` is an error only when the data goes that far, so the outcome never depends
/// on how the input was split. Callers bounding the line's content to N bytes pass
/// `p + N + 2` (room for CRLF) and check `content_end - p <= N` themselves: an LF-only line
/// of N + 1 bytes fits that window but not the limit.
[[gnu::always_inline]] inline LineScan scan_field_line(const char* p, const char* end,
                                                       const char* limit,
                                                       ParseError limit_error) noexcept {
    const char* scan_end = std::min(end, limit);
    if (p == scan_end) return field_line_impl::stop(p, end, limit, limit_error);
    if (*p == '\n' || *p == '\r') {
        LineScan out;
        out.content_end = p;
        if (*p == '\n') {
            out.next = p + 1;
        } else {
            if (p + 1 == scan_end) return field_line_impl::stop(p + 1, end, limit, limit_error);
            if (p[1] != '\n') return field_line_impl::fail(ParseError::bare_cr);
            out.next = p + 2;
        }
        out.kind = LineScan::blank;
        return out;
    }
    // A line starting with whitespace continues the previous one (obs-fold): its callers
    // decide; here it can only be an error.
    if (is_ows(*p)) return field_line_impl::fail(ParseError::obs_fold);

    const char* q = p;
    // Four table lookups per branch: names are short, but every request has a dozen.
    while (scan_end - q >= 4 && (kCharClasses[static_cast<unsigned char>(q[0])] &
                                 kCharClasses[static_cast<unsigned char>(q[1])] &
                                 kCharClasses[static_cast<unsigned char>(q[2])] &
                                 kCharClasses[static_cast<unsigned char>(q[3])] & kTchar))
        q += 4;
    while (q < scan_end && is_tchar(*q)) ++q;
    if (q == scan_end) return field_line_impl::stop(q, end, limit, limit_error);
    if (*q != ':') {
        // "Name : value" is rejected, never trimmed: proxies that trim and servers that don't
        // disagree about which field it is (RFC 9112 §5.1).
        if (is_ows(*q)) return field_line_impl::fail(ParseError::whitespace_before_colon);
        return field_line_impl::fail(ParseError::bad_field_name);
    }
    if (q == p) return field_line_impl::fail(ParseError::bad_field_name);
    LineScan out = scan_field_value(q + 1, end, limit, limit_error);
    out.name = std::string_view(p, static_cast<std::size_t>(q - p));
    return out;
}

} // namespace pier::detail
