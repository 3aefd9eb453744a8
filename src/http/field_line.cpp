#include "http/field_line.hpp"

#include "http/char_class.hpp"
#include "http/scan.hpp"

#include <algorithm>

namespace pier::detail {
namespace {

LineScan stop(const char* at, const char* end, const char* limit, ParseError limit_error) noexcept {
    LineScan r;
    if (at >= limit && limit <= end) {
        r.kind = LineScan::failed;
        r.error = limit_error;
    }
    return r; // incomplete otherwise
}

LineScan fail(ParseError e) noexcept {
    LineScan r;
    r.kind = LineScan::failed;
    r.error = e;
    return r;
}

} // namespace

LineScan scan_field_value(const char* v, const char* end, const char* limit,
                          ParseError limit_error) noexcept {
    const char* scan_end = std::min(end, limit);
    while (v < scan_end && is_ows(*v)) ++v;
    const char* r = v;
    for (;;) {
        r = find_field_value_end(r, scan_end);
        if (r == scan_end) return stop(r, end, limit, limit_error);
        if (*r != '\t') break; // HTAB is the one control a value may hold
        ++r;
    }
    LineScan out;
    const char* line_end = r;
    if (*r == '\n') {
        out.next = r + 1;
    } else if (*r == '\r') {
        if (r + 1 == scan_end) return stop(r + 1, end, limit, limit_error);
        // A CR that does not start CRLF is how request smuggling through line-ending
        // disagreements starts (RFC 9112 §2.2): reject it.
        if (r[1] != '\n') return fail(ParseError::bare_cr);
        out.next = r + 2;
    } else {
        return fail(ParseError::bad_field_value); // NUL, DEL or another control
    }
    out.content_end = line_end;
    while (line_end > v && is_ows(line_end[-1])) --line_end;
    out.kind = LineScan::field;
    out.value = std::string_view(v, static_cast<std::size_t>(line_end - v));
    return out;
}

LineScan scan_field_line(const char* p, const char* end, const char* limit,
                         ParseError limit_error) noexcept {
    const char* scan_end = std::min(end, limit);
    if (p == scan_end) return stop(p, end, limit, limit_error);
    if (*p == '\n' || *p == '\r') {
        LineScan out;
        out.content_end = p;
        if (*p == '\n') {
            out.next = p + 1;
        } else {
            if (p + 1 == scan_end) return stop(p + 1, end, limit, limit_error);
            if (p[1] != '\n') return fail(ParseError::bare_cr);
            out.next = p + 2;
        }
        out.kind = LineScan::blank;
        return out;
    }
    // A line starting with whitespace continues the previous one (obs-fold): its callers
    // decide; here it can only be an error.
    if (is_ows(*p)) return fail(ParseError::obs_fold);

    const char* q = p;
    while (q < scan_end && is_tchar(*q)) ++q;
    if (q == scan_end) return stop(q, end, limit, limit_error);
    if (*q != ':') {
        // "Name : value" is rejected, never trimmed: proxies that trim and servers that don't
        // disagree about which field it is (RFC 9112 §5.1).
        if (is_ows(*q)) return fail(ParseError::whitespace_before_colon);
        return fail(ParseError::bad_field_name);
    }
    if (q == p) return fail(ParseError::bad_field_name);
    LineScan out = scan_field_value(q + 1, end, limit, limit_error);
    out.name = std::string_view(p, static_cast<std::size_t>(q - p));
    return out;
}

} // namespace pier::detail
