#include "http/char_class.hpp"
#include "http/field_line.hpp"

#include <pier/chunked.hpp>

#include <algorithm>
#include <cstring>

namespace pier {

void ChunkedDecoder::reset() {
    state_ = State::size;
    saw_digit_ = false;
    ext_ = Ext::before_semicolon;
    chunk_ = 0;
    total_ = 0;
    ext_bytes_ = 0;
    trailer_bytes_ = 0;
    line_.clear();
    trailers_.clear();
    error_ = ParseError::none;
}

ChunkedDecoder::Step ChunkedDecoder::fail(ParseError e, std::size_t consumed) {
    state_ = State::error;
    error_ = e;
    return {Status::error, consumed, {}};
}

ChunkedDecoder::Step ChunkedDecoder::decode(std::string_view input) {
    if (state_ == State::error) return {Status::error, 0, {}};
    if (state_ == State::done) return {Status::done, 0, {}};
    std::size_t i = 0;
    const std::size_t n = input.size();
    while (i < n) {
        const char c = input[i];
        switch (state_) {
        case State::size:
            if (detail::is_hex_digit(c)) {
                if (chunk_ >> 60 != 0) return fail(ParseError::chunk_size_overflow, i);
                chunk_ = chunk_ << 4 | static_cast<std::uint64_t>(detail::hex_value(c));
                saw_digit_ = true;
                ++i;
                break;
            }
            if (!saw_digit_) return fail(ParseError::bad_chunk_size, i);
            state_ = State::after_size;
            break; // re-examine c
        case State::after_size:
            if (c == '\r') {
                state_ = State::size_lf;
                ++i;
            } else if (c == ';' || detail::is_ows(c)) {
                state_ = State::extension;
                ext_ = Ext::before_semicolon; // re-examine c there
            } else {
                return fail(ParseError::bad_chunk_size, i);
            }
            break;
        case State::extension:
            // Extensions are ignored, yet checked to the letter: a recipient that reads a
            // malformed one differently from the next hop is how chunk boundaries get
            // smuggled. Every byte counts against the limit, BWS and quoted text included.
            if (lenient_extensions_) {
                const auto u = static_cast<unsigned char>(c);
                const bool control = (u < 0x20 && c != '\t') || u == 0x7f;
                ext_ = c == '\r' ? Ext::end : control ? Ext::invalid : Ext::before_semicolon;
            } else {
                ext_ = next_extension_state(ext_, c);
            }
            if (ext_ == Ext::invalid) return fail(ParseError::bad_chunk_extension, i);
            if (ext_ == Ext::end) {
                state_ = State::size_lf;
            } else if (++ext_bytes_ > limits_.max_chunk_extension) {
                return fail(ParseError::chunk_extension_too_long, i);
            }
            ++i;
            break;
        case State::size_lf:
            // A bare CR or bare LF here is where front-end and back-end parsers have disagreed
            // about chunk boundaries: only CRLF ends the line.
            if (c != '\n') return fail(ParseError::bare_cr, i);
            ++i;
            if (chunk_ == 0) {
                state_ = State::trailer;
                break;
            }
            if (total_ + chunk_ > limits_.max_body || total_ + chunk_ < total_)
                return fail(ParseError::body_too_large, i);
            state_ = State::data;
            break;
        case State::data: {
            const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_, n - i));
            chunk_ -= take;
            total_ += take;
            if (chunk_ == 0) state_ = State::data_cr;
            return {Status::data, i + take, input.substr(i, take)};
        }
        case State::data_cr:
            if (c != '\r') return fail(ParseError::missing_chunk_crlf, i);
            state_ = State::data_lf;
            ++i;
            break;
        case State::data_lf:
            if (c != '\n') return fail(ParseError::missing_chunk_crlf, i);
            state_ = State::size;
            saw_digit_ = false;
            ext_bytes_ = 0;
            ++i;
            break;
        case State::trailer: {
            const char* lf = static_cast<const char*>(std::memchr(input.data() + i, '\n', n - i));
            const std::size_t stop = lf ? static_cast<std::size_t>(lf - input.data()) + 1 : n;
            trailer_bytes_ += stop - i;
            if (trailer_bytes_ > limits_.max_trailer_section ||
                line_.size() + (stop - i) > limits_.max_field_line + 2)
                return fail(ParseError::trailer_too_large, i);
            line_.append(input.data() + i, stop - i);
            i = stop;
            if (lf == nullptr) break;
            if (!take_trailer_line()) return fail(error_, i);
            if (state_ == State::done) return {Status::done, i, {}};
            break;
        }
        case State::done:
        case State::error:
            return {Status::done, i, {}};
        }
    }
    return {Status::need_more, n, {}};
}

// One step of chunk-ext (RFC 9112 §7.1.1), whose values may be quoted-strings (RFC 9110
// §5.6.4). BWS is allowed only where the grammar names it: before ";", around "=".
ChunkedDecoder::Ext ChunkedDecoder::next_extension_state(Ext at, char c) noexcept {
    using detail::is_ows;
    using detail::is_tchar;
    // What may follow a complete name or value: the next extension, the end of the line, or
    // BWS — which only a ";" (or, after a name, an "=") may follow.
    const auto after_word = [c](Ext on_bws) {
        if (c == ';') return Ext::before_name;
        if (c == '\r') return Ext::end;
        return is_ows(c) ? on_bws : Ext::invalid;
    };
    switch (at) {
    case Ext::before_semicolon:
        if (is_ows(c)) return Ext::before_semicolon;
        return c == ';' ? Ext::before_name : Ext::invalid;
    case Ext::before_name:
        if (is_ows(c)) return Ext::before_name;
        return is_tchar(c) ? Ext::name : Ext::invalid;
    case Ext::name:
        if (is_tchar(c)) return Ext::name;
        if (c == '=') return Ext::before_value;
        return after_word(Ext::after_name);
    case Ext::after_name:
        if (is_ows(c)) return Ext::after_name;
        if (c == '=') return Ext::before_value;
        return c == ';' ? Ext::before_name : Ext::invalid;
    case Ext::before_value:
        if (is_ows(c)) return Ext::before_value;
        if (c == '"') return Ext::quoted_value;
        return is_tchar(c) ? Ext::token_value : Ext::invalid;
    case Ext::token_value:
        if (is_tchar(c)) return Ext::token_value;
        return after_word(Ext::after_value);
    case Ext::quoted_value:
        if (c == '"') return Ext::after_quote;
        if (c == '\\') return Ext::quoted_pair;
        return detail::is_qdtext(c) ? Ext::quoted_value : Ext::invalid;
    case Ext::quoted_pair:
        // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ): exactly field-vchar.
        return detail::is_field_vchar(c) ? Ext::quoted_value : Ext::invalid;
    case Ext::after_quote:
        return after_word(Ext::after_value);
    case Ext::after_value:
        if (is_ows(c)) return Ext::after_value;
        return c == ';' ? Ext::before_name : Ext::invalid;
    case Ext::end:
    case Ext::invalid:
        break;
    }
    return Ext::invalid;
}

// Parses the complete line in line_ (LF included): a trailer field, or the empty line.
bool ChunkedDecoder::take_trailer_line() {
    const char* p = line_.data();
    const char* end = p + line_.size();
    const detail::LineScan s =
        detail::scan_field_line(p, end, end + 1, ParseError::trailer_too_large);
    if (s.kind == detail::LineScan::blank && s.next == end) {
        state_ = State::done;
    } else if (s.kind == detail::LineScan::field && s.next == end) {
        if (trailers_.size() >= limits_.max_fields) {
            error_ = ParseError::trailer_too_large;
            return false;
        }
        trailers_.add(s.name, s.value);
    } else {
        error_ = s.kind == detail::LineScan::failed ? s.error : ParseError::bare_cr;
        return false;
    }
    line_.clear();
    return true;
}

void append_chunk_header(std::string& out, std::uint64_t size) {
    char buf[16 + 2];
    char* p = buf + sizeof buf;
    *--p = '\n';
    *--p = '\r';
    do {
        *--p = "0123456789abcdef"[size & 0xf];
        size >>= 4;
    } while (size != 0);
    out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

void append_chunk_end(std::string& out) {
    out.append("\r\n");
}

void append_last_chunk(std::string& out, const Fields* trailers) {
    out.append("0\r\n");
    if (trailers != nullptr) {
        for (const Field& f : *trailers) {
            out.append(f.name);
            out.append(": ");
            out.append(f.value);
            out.append("\r\n");
        }
    }
    out.append("\r\n");
}

} // namespace pier
