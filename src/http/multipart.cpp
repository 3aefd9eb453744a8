#include "http/char_class.hpp"
#include "http/field_line.hpp"

#include <pier/media_type.hpp>
#include <pier/multipart.hpp>

#include <cstring>

namespace pier {

using detail::is_ows;
using detail::is_tchar;

std::string_view to_string(MultipartError e) noexcept {
    switch (e) {
    case MultipartError::none:
        return "no error";
    case MultipartError::bad_boundary:
        return "invalid multipart boundary";
    case MultipartError::too_many_parts:
        return "too many parts in a multipart body";
    case MultipartError::part_head_too_large:
        return "multipart part header section too large";
    case MultipartError::preamble_too_large:
        return "no multipart boundary where one was expected";
    case MultipartError::bad_header_line:
        return "invalid multipart part header line";
    case MultipartError::bad_delimiter_line:
        return "invalid multipart boundary line";
    }
    return "unknown multipart error";
}

// bchars (RFC 2046 §5.1.1): DIGIT / ALPHA / "'()+_,-./:=?" / SP, where SP may not end it.
bool is_valid_multipart_boundary(std::string_view boundary) noexcept {
    if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ') return false;
    for (const char c : boundary) {
        if (detail::is_alpha(c) || detail::is_digit(c)) continue;
        if (std::string_view("'()+_,-./:=? ").find(c) == std::string_view::npos) return false;
    }
    return true;
}

std::optional<std::string> multipart_boundary(std::string_view content_type) {
    const auto mt = parse_media_type(content_type);
    if (!mt || mt->type != "multipart") return std::nullopt;
    const auto boundary = mt->parameter("boundary");
    if (!boundary || !is_valid_multipart_boundary(*boundary)) return std::nullopt;
    return std::string(*boundary);
}

MultipartParser::MultipartParser(std::string_view boundary, const MultipartLimits& limits)
    : limits_(limits) {
    delimiter_.reserve(boundary.size() + 4);
    delimiter_.append("\r\n--").append(boundary);
    if (!is_valid_multipart_boundary(boundary)) {
        state_ = State::error;
        error_ = MultipartError::bad_boundary;
    }
    // multipart-body := [preamble CRLF] dash-boundary ... (RFC 2046 §5.1.1): without a
    // preamble, the first delimiter opens the body with no CRLF before it.
    expect_delimiter(2);
}

MultipartParser::Step MultipartParser::fail(MultipartError e) {
    state_ = State::error;
    error_ = e;
    return {Status::error, 0, {}};
}

// The next delimiter may begin with `already_matched` bytes of it (its CRLF) that are not in
// the input.
void MultipartParser::expect_delimiter(std::size_t already_matched) noexcept {
    matched_ = already_matched;
    virtual_ = already_matched;
    held_ = 0;
}

// Looks for delimiter_ from the front of `in`, whose first held_ bytes are the ones the last
// call held back: they match delimiter_[virtual_, matched_) and are not looked at again. A
// delimiter begins with the only CR in it (a boundary holds none), so when a candidate fails
// at byte i, no other candidate can start before i: the scan moves forward only, and each
// byte is looked at no more than twice (the failing one again, as a possible CR).
MultipartParser::Search MultipartParser::search(std::string_view in) noexcept {
    const std::size_t n = in.size();
    const std::size_t m = delimiter_.size();
    std::size_t i = held_;
    std::size_t start = 0; // where the candidate being matched starts in `in`
    for (;;) {
        if (matched_ > 0) {
            while (i < n && matched_ < m && in[i] == delimiter_[matched_]) {
                ++i;
                ++matched_;
            }
            if (matched_ == m) {
                expect_delimiter(0);
                return {start, i, true};
            }
            if (i == n) {
                held_ = n - start;
                return {start, n, false};
            }
            matched_ = 0; // not a delimiter: what it matched is content
            virtual_ = 0;
        }
        const void* cr = std::memchr(in.data() + i, '\r', n - i);
        if (cr == nullptr) {
            held_ = 0;
            return {n, n, false};
        }
        start = static_cast<std::size_t>(static_cast<const char*>(cr) - in.data());
        i = start + 1;
        matched_ = 1;
    }
}

MultipartParser::Step MultipartParser::parse(std::string_view input) {
    const std::size_t n = input.size();
    std::size_t i = 0;
    for (;;) {
        switch (state_) {
        case State::error:
            return {Status::error, 0, {}};
        case State::done:
            // The epilogue: "to be ignored" (RFC 2046 §5.1.1).
            return {Status::done, n, {}};
        case State::part_end:
            state_ = State::after_boundary;
            head_bytes_ = 0;
            return {Status::part_end, i, {}};
        case State::preamble: {
            // A caller that did not pass back what was held back breaks the contract; waiting
            // is the one answer that reads nothing it was not given.
            if (n - i < held_) return {Status::need_more, i, {}};
            const Search s = search(input.substr(i));
            preamble_ += s.content_end;
            if (preamble_ > limits_.max_preamble) return fail(MultipartError::preamble_too_large);
            if (!s.found) return {Status::need_more, i + s.content_end, {}};
            i += s.after;
            state_ = State::after_boundary;
            head_bytes_ = 0;
            break;
        }
        case State::data: {
            if (n - i < held_) return {Status::need_more, i, {}};
            const std::string_view rest = input.substr(i);
            const Search s = search(rest);
            const std::string_view content = rest.substr(0, s.content_end);
            if (s.found) {
                // The delimiter is consumed with the content before it, so the part_end that
                // follows needs no input and nothing is scanned twice.
                if (!content.empty()) {
                    state_ = State::part_end;
                    return {Status::data, i + s.after, content};
                }
                state_ = State::after_boundary;
                head_bytes_ = 0;
                return {Status::part_end, i + s.after, {}};
            }
            if (!content.empty()) return {Status::data, i + s.content_end, content};
            return {Status::need_more, i, {}};
        }
        case State::after_boundary:
            if (i == n) return {Status::need_more, n, {}};
            if (input[i] == '-') {
                state_ = State::close_dash;
                ++i;
            } else if (input[i] == '\r') {
                state_ = State::delimiter_lf;
                ++i;
            } else if (is_ows(input[i])) {
                state_ = State::padding;
            } else {
                // "--boundaryX" is neither content (the boundary may not occur in it) nor a
                // delimiter: refused rather than guessed at.
                return fail(MultipartError::bad_delimiter_line);
            }
            break;
        case State::padding:
            // transport-padding: whitespace a gateway may have added after the boundary; it
            // counts against the next head, so it cannot go on for ever.
            while (i < n && is_ows(input[i])) {
                if (++head_bytes_ > limits_.max_part_head)
                    return fail(MultipartError::part_head_too_large);
                ++i;
            }
            if (i == n) return {Status::need_more, n, {}};
            if (input[i] != '\r') return fail(MultipartError::bad_delimiter_line);
            state_ = State::delimiter_lf;
            ++i;
            break;
        case State::delimiter_lf:
            if (i == n) return {Status::need_more, n, {}};
            if (input[i] != '\n') return fail(MultipartError::bad_delimiter_line);
            ++i;
            if (parts_ == limits_.max_parts) return fail(MultipartError::too_many_parts);
            ++parts_;
            fields_.clear();
            head_.clear();
            line_start_ = 0;
            state_ = State::head;
            break;
        case State::close_dash:
            if (i == n) return {Status::need_more, n, {}};
            if (input[i] != '-') return fail(MultipartError::bad_delimiter_line);
            state_ = State::done;
            return {Status::done, n, {}};
        case State::head: {
            if (i == n) return {Status::need_more, n, {}};
            const char* lf = static_cast<const char*>(std::memchr(input.data() + i, '\n', n - i));
            const std::size_t stop = lf ? static_cast<std::size_t>(lf - input.data()) + 1 : n;
            if (head_bytes_ + (stop - i) > limits_.max_part_head)
                return fail(MultipartError::part_head_too_large);
            head_bytes_ += stop - i;
            head_.insert(head_.end(), input.data() + i, input.data() + stop);
            i = stop;
            if (lf == nullptr) break;
            const std::string_view line(head_.data() + line_start_, head_.size() - line_start_);
            if (line == "\r\n") {
                if (!index_head()) return fail(MultipartError::bad_header_line);
                // This CRLF may also be the one that starts the next delimiter: a part without
                // content ("--b CRLF Name: v CRLF CRLF --b") has no line between them.
                expect_delimiter(2);
                state_ = State::data;
                return {Status::part, i, {}};
            }
            if (!take_head_line()) return fail(MultipartError::bad_header_line);
            line_start_ = head_.size();
            break;
        }
        }
    }
}

namespace {

// Scans the complete header line [p, end), CRLF included; a field line, or failed.
detail::LineScan scan_head_line(const char* p, const char* end) noexcept {
    // `end` as the limit: the line ends with its LF, so the scan stops before reaching it.
    detail::LineScan s = detail::scan_field_line(p, end, end, ParseError::bad_field_value);
    // Only CRLF ends a line. The request parser tolerates a bare LF (RFC 9112 §2.2 allows it);
    // here a reader that did would end a head where a stricter one does not.
    if (s.kind != detail::LineScan::field || s.next != end || *s.content_end != '\r')
        s.kind = detail::LineScan::failed;
    return s;
}

} // namespace

// Checks the line just completed in head_ (from line_start_).
bool MultipartParser::take_head_line() {
    const char* end = head_.data() + head_.size();
    return scan_head_line(head_.data() + line_start_, end).kind == detail::LineScan::field;
}

// Fills fields_ with views into the complete head (every line already checked); refuses a
// second Content-Disposition or Content-Type, which two readers could each take the other of.
bool MultipartParser::index_head() {
    const char* p = head_.data();
    const char* end = p + head_.size() - 2; // before the empty line
    while (p < end) {
        const char* lf =
            static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        const detail::LineScan s = scan_head_line(p, lf + 1);
        const FieldId id = field_id(s.name);
        if ((id == FieldId::content_disposition || id == FieldId::content_type) &&
            fields_.contains(id))
            return false;
        fields_.add_view(s.name, s.value, id);
        p = lf + 1;
    }
    return true;
}

namespace {

// Reads the parameters of a Content-Disposition left to right: RFC 6266 §4.1, whose implied
// LWS (RFC 2616 §2.1) allows whitespace around ";" and "=".
class DispositionReader {
  public:
    explicit DispositionReader(std::string_view text) : text_(detail::trim_ows(text)) {}

    std::optional<ContentDisposition> read() {
        ContentDisposition cd;
        if (!read_token(cd.type)) return std::nullopt;
        lower(cd.type);
        std::optional<std::string> filename;
        std::optional<std::string> filename_ext;
        std::string name;
        std::string value;
        for (;;) {
            skip_ows();
            if (done()) break;
            if (!take(';')) return std::nullopt;
            skip_ows();
            if (done() || peek() == ';') continue; // an empty parameter, as media types allow
            if (!read_token(name)) return std::nullopt;
            lower(name);
            if (!note_name(name)) return std::nullopt;
            skip_ows();
            if (!take('=')) return std::nullopt;
            skip_ows();
            if (name.back() == '*') {
                if (!read_ext_value(value)) return std::nullopt;
            } else if (!done() && peek() == '"') {
                if (!read_quoted(value)) return std::nullopt;
            } else if (!read_token(value)) {
                return std::nullopt;
            }
            if (name == "name") cd.name = value;
            if (name == "filename") filename = value;
            if (name == "filename*") filename_ext = value;
        }
        // RFC 6266 §4.3: filename* is preferred when both are present.
        cd.filename = filename_ext ? std::move(filename_ext) : std::move(filename);
        return cd;
    }

  private:
    // Real dispositions carry two or three parameters; the cap bounds the duplicate checks.
    static constexpr std::size_t kMaxParameters = 16;

    bool done() const noexcept { return at_ == text_.size(); }
    char peek() const noexcept { return text_[at_]; }
    bool take(char c) noexcept {
        if (done() || peek() != c) return false;
        ++at_;
        return true;
    }
    void skip_ows() noexcept {
        while (!done() && is_ows(peek())) ++at_;
    }
    static void lower(std::string& s) noexcept {
        for (char& c : s) c = detail::to_lower(c);
    }
    bool read_token(std::string& out) {
        const std::size_t from = at_;
        while (!done() && is_tchar(peek())) ++at_;
        out.assign(text_.substr(from, at_ - from));
        return at_ != from;
    }
    // A repeated parameter is refused: which of two "filename"s is the file's name is a
    // question two readers answer differently.
    bool note_name(const std::string& name) {
        for (const std::string& seen : seen_)
            if (seen == name) return false;
        if (seen_.size() == kMaxParameters) return false;
        seen_.push_back(name);
        return true;
    }
    bool read_quoted(std::string& out) {
        out.clear();
        ++at_; // the opening DQUOTE
        while (!done()) {
            const char c = text_[at_++];
            if (c == '"') return true;
            if (c == '\\' && !done() && (peek() == '"' || peek() == '\\')) {
                out.push_back(text_[at_++]);
            } else if (c == '\\' || detail::is_qdtext(c)) {
                // A backslash before anything else is itself: old browsers sent full Windows
                // paths ("C:\dir\a.txt") unescaped, and WHATWG HTML escapes only '"' (as %22).
                out.push_back(c);
            } else {
                return false; // a control character
            }
        }
        return false; // no closing DQUOTE
    }
    // ext-value = charset "'" [ language ] "'" value-chars (RFC 8187 §3.2.1), decoded to
    // UTF-8. ISO-8859-1 is accepted as RFC 5987 did; any other charset is refused.
    bool read_ext_value(std::string& out) {
        const std::size_t from = at_;
        while (!done() && !is_ows(peek()) && peek() != ';') ++at_;
        std::string_view v = text_.substr(from, at_ - from);
        const std::size_t q1 = v.find('\'');
        if (q1 == std::string_view::npos) return false;
        const std::string_view charset = v.substr(0, q1);
        const bool utf8 = detail::iequals(charset, "UTF-8");
        if (!utf8 && !detail::iequals(charset, "ISO-8859-1")) return false;
        v.remove_prefix(q1 + 1);
        const std::size_t q2 = v.find('\'');
        if (q2 == std::string_view::npos) return false;
        for (const char c : v.substr(0, q2)) // language: a Language-Tag's characters
            if (!detail::is_alpha(c) && !detail::is_digit(c) && c != '-') return false;
        v.remove_prefix(q2 + 1);
        out.clear();
        for (std::size_t i = 0; i < v.size(); ++i) {
            auto byte = static_cast<unsigned char>(v[i]);
            if (byte == '%') {
                if (v.size() - i < 3 || !detail::is_hex_digit(v[i + 1]) ||
                    !detail::is_hex_digit(v[i + 2]))
                    return false;
                byte = static_cast<unsigned char>(detail::hex_value(v[i + 1]) << 4 |
                                                  detail::hex_value(v[i + 2]));
                i += 2;
            } else if (!is_tchar(v[i]) || v[i] == '*' || v[i] == '\'') {
                return false; // attr-char is a tchar but for "*", "'" and "%"
            }
            if (utf8 || byte < 0x80) {
                out.push_back(static_cast<char>(byte));
            } else {
                out.push_back(static_cast<char>(0xc0 | byte >> 6));
                out.push_back(static_cast<char>(0x80 | (byte & 0x3f)));
            }
        }
        return true;
    }

    std::string_view text_;
    std::size_t at_ = 0;
    std::vector<std::string> seen_;
};

} // namespace

std::optional<ContentDisposition> parse_content_disposition(std::string_view value) {
    return DispositionReader(value).read();
}

} // namespace pier
