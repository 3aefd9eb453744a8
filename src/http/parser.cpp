// Request and response heads: the start line here, field lines in field_line.cpp, the framing
// decision in framing.cpp. Reading order: parse() at the bottom of each half.
#include "http/char_class.hpp"
#include "http/field_line.hpp"
#include "http/field_table.hpp"
#include "http/framing.hpp"
#include "http/scan.hpp"

#include <pier/parser.hpp>

#include <algorithm>
#include <cstring>

namespace pier {
namespace {

using detail::is_ows;
using detail::LineScan;

// Longer method names are not methods anyone registered; refuse before scanning kilobytes.
constexpr std::size_t kMaxMethod = 64;

enum class Step : std::uint8_t {
    done,
    incomplete,
    error
};

struct StartLine {
    Step step = Step::incomplete;
    ParseError error = ParseError::none;
    const char* next = nullptr; // after the line's terminator
};

// The window a field line may occupy: its content (max_field_line) and a CRLF, within the
// header section.
const char* field_line_limit(const char* p, const char* section_end, const Limits& limits) {
    return std::min(section_end, p + limits.max_field_line + 2);
}

StartLine line_error(ParseError e) {
    StartLine s;
    s.step = Step::error;
    s.error = e;
    return s;
}

const char* skip_ows(const char* p, const char* end) noexcept {
    while (p < end && is_ows(*p)) ++p;
    return p;
}

// Expects the line terminator (after optional trailing SP/HTAB) at p.
StartLine end_of_line(const char* p, const char* end, ParseError otherwise) {
    p = skip_ows(p, end);
    if (p == end) return {};
    StartLine s;
    if (*p == '\n') {
        s.next = p + 1;
    } else if (*p == '\r') {
        if (p + 1 == end) return {};
        if (p[1] != '\n') return line_error(ParseError::bare_cr);
        s.next = p + 2;
    } else {
        return line_error(otherwise);
    }
    s.step = Step::done;
    return s;
}

// HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3). Needs 8 bytes.
enum class VersionParse : std::uint8_t {
    ok,
    malformed,
    unsupported
};

VersionParse parse_version(const char* p, Version& out) noexcept {
    // "HTTP/" as one 4-byte and one 1-byte compare: memcmp is a library call here.
    std::uint32_t http;
    std::memcpy(&http, p, 4);
    std::uint32_t expected;
    std::memcpy(&expected, "HTTP", 4);
    if (http != expected || p[4] != '/' || !detail::is_digit(p[5]) || p[6] != '.' ||
        !detail::is_digit(p[7]))
        return VersionParse::malformed;
    if (p[5] != '1') return VersionParse::unsupported;
    out = p[7] == '0' ? Version::http10 : Version::http11;
    return VersionParse::ok;
}

// request-line = method SP request-target SP HTTP-version, with runs of SP/HTAB tolerated
// between the parts and before the terminator, as Python's http.server does.
StartLine parse_request_line(const char* p, const char* end, const Limits& limits,
                             RequestHead& head) {
    const char* m_end = p;
    const char* m_limit = std::min(end, p + kMaxMethod + 1);
    while (m_end < m_limit && detail::is_tchar(*m_end)) ++m_end;
    if (m_end == p + kMaxMethod + 1) return line_error(ParseError::bad_method);
    if (m_end == end) return {};
    if (!is_ows(*m_end)) {
        if (*m_end == '\r' && m_end == p) return line_error(ParseError::bare_cr);
        if (*m_end == '\r' || *m_end == '\n') return line_error(ParseError::bad_request_line);
        return line_error(ParseError::bad_method);
    }
    if (m_end == p) return line_error(ParseError::bad_request_line); // leading whitespace

    const char* t = skip_ows(m_end, end);
    if (t == end) return {};
    if (*t == '\r' || *t == '\n') return line_error(ParseError::bad_request_line);
    const char* t_limit = t + limits.max_target + 1;
    const char* t_end = detail::find_target_end(t, std::min(end, t_limit));
    if (t_end == t_limit) return line_error(ParseError::target_too_long);
    if (t_end == end) return {};
    if (!is_ows(*t_end) && *t_end != '\r' && *t_end != '\n')
        return line_error(ParseError::bad_target);

    head.method_name = std::string_view(p, static_cast<std::size_t>(m_end - p));
    head.method = parse_method(head.method_name).value_or(Method::extension);
    head.target = std::string_view(t, static_cast<std::size_t>(t_end - t));

    const char* v = skip_ows(t_end, end);
    if (v == end) return {};
    if (*v == '\r' || *v == '\n') {
        // No version: an HTTP/0.9 simple request, `GET /path` — it only ever had GET and a
        // path. Any other second word (`GET HTTP/1.1`) is an HTTP/1.x request missing a part,
        // which must not be answered as a request for that word.
        StartLine s = end_of_line(v, end, ParseError::bad_request_line);
        if (s.step != Step::done) return s;
        if (head.target.front() != '/') return line_error(ParseError::http09_not_path);
        if (head.method != Method::get) return line_error(ParseError::http09_not_get);
        head.version = Version::http09;
        return s;
    }
    if (end - v < 8) return {};
    switch (parse_version(v, head.version)) {
    case VersionParse::malformed:
        return line_error(ParseError::bad_version);
    case VersionParse::unsupported: {
        // Only a well-formed line earns 505; anything after the version makes it a 400.
        StartLine s = end_of_line(v + 8, end, ParseError::bad_version);
        if (s.step == Step::done) return line_error(ParseError::version_not_supported);
        return s;
    }
    case VersionParse::ok:
        break;
    }
    return end_of_line(v + 8, end, ParseError::bad_version);
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ]; the SP before an empty
// reason is often missing in practice, so it is optional.
StartLine parse_status_line(const char* p, const char* end, const char* limit, ResponseHead& head) {
    const char* scan_end = std::min(end, limit);
    const char* lf =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(scan_end - p)));
    // Over the limit (limits.hpp: max_field_line bounds the status line too) is "too long",
    // which the client reports as LineTooLong, as http.client does.
    if (lf == nullptr) {
        if (scan_end == limit && limit <= end) return line_error(ParseError::field_line_too_long);
        return {};
    }
    const char* line_end = (lf > p && lf[-1] == '\r') ? lf - 1 : lf;
    const auto len = static_cast<std::size_t>(line_end - p);
    if (line_end > limit - 2) return line_error(ParseError::field_line_too_long);
    if (len < 12 || parse_version(p, head.version) != VersionParse::ok || p[8] != ' ' ||
        !detail::is_digit(p[9]) || !detail::is_digit(p[10]) || !detail::is_digit(p[11]) ||
        p[9] == '0' || (len > 12 && p[12] != ' '))
        return line_error(ParseError::bad_status_line);
    head.status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    head.reason = len > 13 ? std::string_view(p + 13, len - 13) : std::string_view();
    if (std::find(head.reason.begin(), head.reason.end(), '\r') != head.reason.end())
        return line_error(ParseError::bare_cr);
    StartLine s;
    s.step = Step::done;
    s.next = lf + 1;
    return s;
}

} // namespace

// ---- requests --------------------------------------------------------------------------------

void RequestParser::reset() noexcept {
    base_ = nullptr;
    resume_ = 0;
    head_start_ = 0;
    line_parsed_ = false;
    head_size_ = 0;
    error_ = ParseError::none;
}

ParseStatus RequestParser::fail(ParseError e) noexcept {
    error_ = e;
    return ParseStatus::error;
}

ParseStatus RequestParser::parse(std::string_view input, RequestHead& head) {
    if (error_ != ParseError::none) return ParseStatus::error;
    if (input.data() != base_ || resume_ == 0) {
        // First call for this message, or the buffer moved: start from the first byte.
        reset();
        base_ = input.data();
        head.fields.clear();
    }
    const char* const begin = input.data();
    const char* const end = begin + input.size();
    const char* p = begin + resume_;

    if (!line_parsed_) {
        // RFC 9112 §2.2: ignore empty lines received before the request-line.
        while (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')))
            p += *p == '\n' ? 1 : 2;
        if (static_cast<std::size_t>(p - begin) > limits_.max_header_section)
            return fail(ParseError::header_section_too_large);
        if (p == end || (*p == '\r' && p + 1 == end)) {
            resume_ = 0; // nothing but empty lines yet; keep them out of the state
            base_ = nullptr;
            return ParseStatus::incomplete;
        }
        head_start_ = static_cast<std::size_t>(p - begin);
        const char* section_end = begin + head_start_ + limits_.max_header_section;
        const StartLine s = parse_request_line(p, std::min(end, section_end), limits_, head);
        if (s.step == Step::error) return fail(s.error);
        if (s.step == Step::incomplete) {
            if (section_end <= end) return fail(ParseError::header_section_too_large);
            resume_ = static_cast<std::size_t>(p - begin); // re-read the line when more arrives
            if (resume_ == 0) base_ = nullptr;
            return ParseStatus::incomplete;
        }
        line_parsed_ = true;
        p = s.next;
        resume_ = static_cast<std::size_t>(p - begin);
        if (head.version == Version::http09) {
            // A simple request has no header section and no content.
            head_size_ = resume_;
            base_ = nullptr;
            head.body = BodyKind::none;
            head.content_length = 0;
            head.keep_alive = false;
            return ParseStatus::complete;
        }
    }

    const char* section_end = begin + head_start_ + limits_.max_header_section;
    for (;;) {
        const char* limit = field_line_limit(p, section_end, limits_);
        const ParseError limit_error = limit == section_end ? ParseError::header_section_too_large
                                                            : ParseError::field_line_too_long;
        const LineScan line = detail::scan_field_line(p, end, limit, limit_error);
        switch (line.kind) {
        case LineScan::incomplete:
            resume_ = static_cast<std::size_t>(p - begin);
            return ParseStatus::incomplete;
        case LineScan::failed:
            return fail(line.error);
        case LineScan::blank: {
            head_size_ = static_cast<std::size_t>(line.next - begin);
            base_ = nullptr; // a further call starts over instead of re-adding fields
            const ParseError e = detail::decide_request_framing(head, limits_);
            if (e != ParseError::none) return fail(e);
            return ParseStatus::complete;
        }
        case LineScan::field:
            if (line.content_end - p > static_cast<std::ptrdiff_t>(limits_.max_field_line))
                return fail(ParseError::field_line_too_long);
            if (head.fields.size() >= limits_.max_fields) return fail(ParseError::too_many_fields);
            head.fields.add_view(line.name, line.value, detail::field_id_of_token(line.name));
            p = line.next;
            break;
        }
    }
}

// ---- responses -------------------------------------------------------------------------------

void ResponseParser::reset() noexcept {
    base_ = nullptr;
    resume_ = 0;
    line_parsed_ = false;
    head_size_ = 0;
    error_ = ParseError::none;
}

ParseStatus ResponseParser::fail(ParseError e) noexcept {
    error_ = e;
    return ParseStatus::error;
}

ParseStatus ResponseParser::parse(std::string_view input, ResponseHead& head,
                                  Method request_method) {
    if (error_ != ParseError::none) return ParseStatus::error;
    if (input.data() != base_ || resume_ == 0) {
        reset();
        base_ = input.data();
        head.fields.clear();
    }
    const char* const begin = input.data();
    const char* const end = begin + input.size();
    const char* const section_end = begin + limits_.max_header_section;
    const char* p = begin + resume_;

    if (!line_parsed_) {
        const char* limit = field_line_limit(p, section_end, limits_);
        const StartLine s = parse_status_line(p, end, limit, head);
        if (s.step == Step::error) return fail(s.error);
        if (s.step == Step::incomplete) {
            base_ = nullptr; // nothing kept: the next call starts over
            return ParseStatus::incomplete;
        }
        line_parsed_ = true;
        p = s.next;
        resume_ = static_cast<std::size_t>(p - begin);
    }

    std::string unfolded;
    for (;;) {
        const char* limit = field_line_limit(p, section_end, limits_);
        const ParseError limit_error = limit == section_end ? ParseError::header_section_too_large
                                                            : ParseError::field_line_too_long;
        const LineScan line = detail::scan_field_line(p, end, limit, limit_error);
        if (line.kind == LineScan::incomplete) {
            resume_ = static_cast<std::size_t>(p - begin);
            return ParseStatus::incomplete;
        }
        if (line.kind == LineScan::failed) return fail(line.error);
        if (line.kind == LineScan::blank) {
            head_size_ = static_cast<std::size_t>(line.next - begin);
            base_ = nullptr; // a further call starts over instead of re-adding fields
            const ParseError e = detail::decide_response_framing(head, request_method, limits_);
            if (e != ParseError::none) return fail(e);
            return ParseStatus::complete;
        }
        if (line.content_end - p > static_cast<std::ptrdiff_t>(limits_.max_field_line))
            return fail(ParseError::field_line_too_long);
        if (head.fields.size() >= limits_.max_fields) return fail(ParseError::too_many_fields);

        // Whether the next line continues this one (obs-fold) is known only once its first
        // byte has arrived.
        const char* next = line.next;
        if (next == end) {
            resume_ = static_cast<std::size_t>(p - begin);
            return ParseStatus::incomplete;
        }
        if (!is_ows(*next)) {
            head.fields.add_view(line.name, line.value, detail::field_id_of_token(line.name));
            p = next;
            continue;
        }
        // RFC 9112 §5.2: a user agent replaces each obs-fold with SP before interpreting.
        unfolded.assign(line.value);
        while (next < end && is_ows(*next)) {
            const char* cont_limit = field_line_limit(next, section_end, limits_);
            const LineScan cont = detail::scan_field_value(next, end, cont_limit, limit_error);
            if (cont.kind == LineScan::failed) return fail(cont.error);
            if (cont.kind == LineScan::field &&
                cont.content_end - next > static_cast<std::ptrdiff_t>(limits_.max_field_line))
                return fail(ParseError::field_line_too_long);
            if (cont.kind == LineScan::incomplete || cont.next == end) {
                resume_ = static_cast<std::size_t>(p - begin);
                return ParseStatus::incomplete;
            }
            if (!cont.value.empty()) {
                if (!unfolded.empty()) unfolded.push_back(' ');
                unfolded.append(cont.value);
            }
            next = cont.next;
        }
        if (head.fields.try_add(line.name, unfolded)) return fail(ParseError::bad_field_value);
        p = next;
    }
}

// ---- errors ----------------------------------------------------------------------------------

int status_for(ParseError e) noexcept {
    switch (e) {
    case ParseError::target_too_long:
        return 414;
    case ParseError::field_line_too_long:
    case ParseError::too_many_fields:
    case ParseError::header_section_too_large:
    case ParseError::trailer_too_large:
        return 431;
    case ParseError::body_too_large:
        return 413;
    case ParseError::unknown_transfer_coding:
        return 501;
    case ParseError::version_not_supported:
        return 505;
    default:
        return 400;
    }
}

std::string_view to_string(ParseError e) noexcept {
    switch (e) {
    case ParseError::none:
        return "no error";
    case ParseError::bad_request_line:
        return "malformed request line";
    case ParseError::bad_method:
        return "invalid method";
    case ParseError::bad_target:
        return "invalid character in request target";
    case ParseError::target_too_long:
        return "request target too long";
    case ParseError::bad_version:
        return "malformed HTTP version";
    case ParseError::version_not_supported:
        return "HTTP version not supported";
    case ParseError::http09_not_get:
        return "HTTP/0.9 request other than GET";
    case ParseError::http09_not_path:
        return "HTTP/0.9 request whose target is not a path";
    case ParseError::bad_status_line:
        return "malformed status line";
    case ParseError::bad_field_name:
        return "invalid field name";
    case ParseError::whitespace_before_colon:
        return "whitespace between field name and colon";
    case ParseError::obs_fold:
        return "obsolete line folding";
    case ParseError::bad_field_value:
        return "invalid character in field value";
    case ParseError::bare_cr:
        return "CR not followed by LF";
    case ParseError::field_line_too_long:
        return "field line too long";
    case ParseError::too_many_fields:
        return "too many header fields";
    case ParseError::header_section_too_large:
        return "header section too large";
    case ParseError::content_length_with_transfer_encoding:
        return "both Content-Length and Transfer-Encoding";
    case ParseError::bad_content_length:
        return "invalid Content-Length";
    case ParseError::conflicting_content_length:
        return "conflicting Content-Length values";
    case ParseError::transfer_encoding_in_http10:
        return "Transfer-Encoding in an HTTP/1.0 request";
    case ParseError::bad_transfer_encoding:
        return "invalid Transfer-Encoding";
    case ParseError::chunked_not_last:
        return "chunked is not the final transfer coding";
    case ParseError::chunked_twice:
        return "chunked applied more than once";
    case ParseError::unknown_transfer_coding:
        return "unsupported transfer coding";
    case ParseError::body_too_large:
        return "content too large";
    case ParseError::bad_chunk_size:
        return "invalid chunk size";
    case ParseError::chunk_size_overflow:
        return "chunk size overflows";
    case ParseError::bad_chunk_extension:
        return "invalid chunk extension";
    case ParseError::chunk_extension_too_long:
        return "chunk extension too long";
    case ParseError::missing_chunk_crlf:
        return "chunk data not followed by CRLF";
    case ParseError::trailer_too_large:
        return "trailer section too large";
    }
    return "unknown parse error";
}

} // namespace pier
