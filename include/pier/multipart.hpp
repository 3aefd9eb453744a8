// multipart/form-data (RFC 7578), the body of a browser upload, over the multipart syntax of
// RFC 2046 §5.1: an incremental, zero-copy parser, and the Content-Disposition of a part.
//
//     auto boundary = pier::multipart_boundary(request.fields.get(pier::FieldId::content_type));
//     if (!boundary) reject(415);
//     pier::MultipartParser mp(*boundary);
//     using S = pier::MultipartParser::Status;
//     for (;;) {                                   // for each run of received bytes `in`
//         auto r = mp.parse(in);
//         in.remove_prefix(r.consumed);
//         switch (r.status) {
//         case S::part:      open(mp.part_fields()); break;  // the part's head
//         case S::data:      write(r.data); break;           // a view into `in`: no copy
//         case S::part_end:  close(); break;
//         case S::done:      return finish();
//         case S::error:     return reject(400, to_string(mp.error()));
//         case S::need_more: /* keep `in`, append what arrives next; at the body's end
//                               with !mp.done(): 400, truncated */ break;
//         }
//     }
//
// Input may be split anywhere, down to single bytes, and the events are the same. The one
// thing parse() may leave unconsumed is a tail that could still be the start of a delimiter
// (CRLF "--" boundary): at most max_held_back() = boundary.size() + 4 bytes. The caller
// keeps those and passes them again, in front of the next input; the parser remembers how
// much of them matched, so they are never scanned twice.
//
// Cost: O(n) in the body, whatever the boundary and however the body is split: the search is a
// memchr for CR, and a CR starts the only possible delimiter (a boundary holds no CR, so a
// partial match that fails can never hide another one inside it). Memory: the current part's
// head, at most MultipartLimits::max_part_head bytes; part content is never copied.
//
// Strictness: a delimiter line is CRLF "--" boundary (the first one may open the body without
// the CRLF), then transport padding (SP / HTAB) and CRLF, or "--" for the close delimiter.
// Anything else after a boundary is an error, neither content nor a delimiter: readers that
// disagree on which it is split one body into different parts, which lets an upload slip past
// a filter in front of the server. Part header lines follow RFC 9112 §5 as request header
// lines do (token name, no space before ":", no obs-fold, no bare CR or LF, no controls but
// HTAB in a value), and a part may carry one Content-Disposition and one Content-Type at most.
#pragma once

#include <pier/fields.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier {

/// The boundary parameter of a multipart/* Content-Type ("multipart/form-data; boundary=x"),
/// unquoted; nullopt when the type is not multipart, has no boundary, or its boundary breaks
/// RFC 2046 §5.1.1 (1 to 70 bchars, not ending in a space).
std::optional<std::string> multipart_boundary(std::string_view content_type);

/// Whether `boundary` is a boundary RFC 2046 allows (see above).
bool is_valid_multipart_boundary(std::string_view boundary) noexcept;

/// What one body may cost. Browsers send a part per form field; 1000 parts and a 16 KiB head
/// are far beyond any form, and bound the work and memory a hostile body can cause.
struct MultipartLimits {
    std::size_t max_parts = 1000;
    /// Bytes of one part's head: its header lines and the empty line after them, plus any
    /// transport padding on the delimiter line before them. Held in memory while it arrives.
    std::size_t max_part_head = std::size_t{16} * 1024;
    /// Bytes before the first delimiter (ignored, never held): a body whose boundary never
    /// comes ends here rather than at the body size limit.
    std::size_t max_preamble = std::size_t{64} * 1024;
};

enum class MultipartError : std::uint8_t {
    none,
    bad_boundary,        // the boundary given to the constructor breaks RFC 2046
    too_many_parts,      // a part past MultipartLimits::max_parts
    part_head_too_large, // a head past MultipartLimits::max_part_head
    preamble_too_large,  // no delimiter within MultipartLimits::max_preamble
    bad_header_line,     // a part header line that is malformed, or a second
                         // Content-Disposition or Content-Type
    bad_delimiter_line,  // a boundary followed by other than padding and CRLF, or "--"
};
std::string_view to_string(MultipartError e) noexcept;

class MultipartParser {
  public:
    enum class Status : std::uint8_t {
        part,      // a part's head is complete: part_fields() holds it until the next part
        data,      // `data` holds part content (never empty), a view into the input
        part_end,  // the current part's content is complete
        done,      // the close delimiter was read; what follows it (the epilogue) is ignored
        need_more, // all usable input consumed (see the held-back tail above)
        error,     // see error(); the body must be refused
    };
    struct Step {
        Status status;
        std::size_t consumed; // bytes of input used, whatever the status
        std::string_view data;
    };

    /// `boundary` as multipart_boundary() returns it (without the leading "--"). An invalid
    /// one puts the parser in error (MultipartError::bad_boundary) from its first call.
    explicit MultipartParser(std::string_view boundary, const MultipartLimits& limits = {});
    // The part's fields are views into the parser's head buffer: a copy would dangle, a move
    // keeps them (the buffer moves with them).
    MultipartParser(const MultipartParser&) = delete;
    MultipartParser& operator=(const MultipartParser&) = delete;
    MultipartParser(MultipartParser&&) noexcept = default;
    MultipartParser& operator=(MultipartParser&&) noexcept = default;
    ~MultipartParser() = default;

    /// Parses from the front of `input`, which must begin with whatever the previous call left
    /// unconsumed. Returns at each event; the caller drops `consumed` bytes and calls again,
    /// also after a `data` or `part_end` step that used up the input. After done, every input
    /// is consumed and ignored; after error, none is.
    Step parse(std::string_view input);

    /// The header fields of the current part, from its `part` step until the next part.
    const Fields& part_fields() const noexcept { return fields_; }
    MultipartError error() const noexcept { return error_; }
    /// The close delimiter has been read: a body that ends while !done() was cut short.
    bool done() const noexcept { return state_ == State::done; }
    /// Parts whose head has begun.
    std::size_t parts() const noexcept { return parts_; }
    /// The most input parse() ever leaves unconsumed: boundary.size() + 4 (the whole
    /// delimiter; in fact one byte less, since a whole one is always taken).
    std::size_t max_held_back() const noexcept { return delimiter_.size(); }

  private:
    enum class State : std::uint8_t {
        preamble,       // before the first delimiter
        after_boundary, // the byte right after a boundary: "-", padding or CR
        padding,        // transport padding, up to CR
        delimiter_lf,   // LF ending a delimiter line
        close_dash,     // the second "-" of a close delimiter
        head,           // a part's header lines
        data,           // a part's content
        part_end,       // a delimiter was consumed with content before it: part_end is next
        done,
        error,
    };
    // The outcome of a delimiter search from the front of the input.
    struct Search {
        std::size_t content_end; // input before it that is not a delimiter candidate
        std::size_t after;       // past the delimiter if found, else the input's size
        bool found;
    };
    Search search(std::string_view input) noexcept;
    void expect_delimiter(std::size_t already_matched) noexcept;
    Step fail(MultipartError e);
    bool take_head_line();
    bool index_head();

    std::string delimiter_; // CRLF "--" boundary
    MultipartLimits limits_;
    State state_ = State::preamble;
    MultipartError error_ = MultipartError::none;
    // The delimiter search: matched_ bytes of delimiter_ are matched, the first virtual_ of
    // them without being in the input (the CRLF a body may omit before its first delimiter,
    // or the CRLF ending a head, which is also the one before a delimiter when a part has no
    // content), the other held_ at the front of the next input.
    std::size_t matched_ = 0;
    std::size_t virtual_ = 0;
    std::size_t held_ = 0;
    std::size_t preamble_ = 0;   // preamble bytes so far
    std::size_t head_bytes_ = 0; // the current head's bytes so far, padding included
    std::size_t line_start_ = 0; // where in head_ the line being received starts
    std::size_t parts_ = 0;
    std::vector<char> head_; // the current part's head, which fields_ points into
    Fields fields_;
};

/// The Content-Disposition of a part (RFC 7578 §4.2), with the parameter syntax of RFC 6266.
struct ContentDisposition {
    std::string type; // lower-cased: "form-data"
    std::string name; // empty when absent
    /// From filename* (RFC 8187, UTF-8 or ISO-8859-1, decoded to UTF-8) when present, else
    /// from filename, as sent: browsers percent-encode '"', CR and LF there (WHATWG HTML,
    /// "multipart/form-data encoding algorithm") and that is left alone — never use it as a
    /// path without handlers::safe_upload_name.
    std::optional<std::string> filename;
};

/// Parses a Content-Disposition value: `form-data; name="f"; filename="a b.txt"`. Values are
/// tokens or quoted-strings; in a quoted-string a backslash escapes only '"' and '\' and is
/// otherwise itself, as the full Windows paths of old browsers need ("C:\dir\a.txt").
/// Parameter names are case-insensitive; a repeated one, a malformed parameter, a filename*
/// in another charset or with bad percent-encoding gives nullopt.
std::optional<ContentDisposition> parse_content_disposition(std::string_view value);

} // namespace pier
