// The chunked transfer coding (RFC 9112 §7.1): an incremental, zero-copy decoder and the
// encoder's pieces.
//
//     pier::ChunkedDecoder dec;
//     for (;;) {                                  // for each run of received bytes `in`
//         auto r = dec.decode(in);
//         in.remove_prefix(r.consumed);
//         if (!r.data.empty()) sink(r.data);      // a view into `in`: no copy
//         if (r.status == ChunkedDecoder::Status::done) break;   // trailers() now valid
//         if (r.status == ChunkedDecoder::Status::error) reject(dec.error());
//         if (r.status == ChunkedDecoder::Status::need_more) { /* read more into `in` */ }
//     }
//
// Input may be split anywhere, down to single bytes. Extensions are checked against the
// grammar of RFC 9112 §7.1.1, bounded and ignored. Trailer fields go to their own collection —
// never merged into the header fields, since a trailer must not be able to smuggle in, say, a
// second Content-Length.
#pragma once

#include <pier/fields.hpp>
#include <pier/limits.hpp>
#include <pier/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pier {

class ChunkedDecoder {
  public:
    enum class Status : std::uint8_t {
        data,      // consumed some input; `data` holds content (possibly empty); call again
        need_more, // all input consumed, the message is not finished
        done,      // last chunk and trailer section read; `consumed` excludes what follows
        error,     // see error(); the connection must close
    };
    struct Step {
        Status status;
        std::size_t consumed; // bytes of input used, whatever the status
        std::string_view data;
    };

    explicit ChunkedDecoder(const Limits& limits = {}) : limits_(limits) {}

    /// A client reading a response tolerates what the RFC 9112 §7.1.1 grammar does not allow
    /// after a chunk size (stray whitespace, a malformed extension), as curl and Python do:
    /// it never acts on extensions, and the bytes up to CRLF are still bounded and free of
    /// controls. A server keeps the default, strict: a request that two parsers could frame
    /// differently is refused.
    void set_lenient_extensions(bool lenient) noexcept { lenient_extensions_ = lenient; }

    /// Decodes from the front of `input`; returns at the end of each run of chunk data so the
    /// caller can take it before the next chunk's framing is read.
    Step decode(std::string_view input);

    ParseError error() const noexcept { return error_; }
    /// Content bytes decoded so far.
    std::uint64_t content_size() const noexcept { return total_; }
    const Fields& trailers() const noexcept { return trailers_; }
    void reset();

  private:
    enum class State : std::uint8_t {
        size,       // hex digits of chunk-size
        after_size, // the byte after them: CR, or the start of chunk-ext
        extension,  // chunk-ext, up to CR: where in it is ext_
        size_lf,    // LF ending the chunk-size line
        data,       // chunk content
        data_cr,    // CR after chunk content
        data_lf,    // LF after chunk content
        trailer,    // trailer field lines, then the empty line
        done,
        error,
    };
    // Where in chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) the
    // decoder is (RFC 9112 §7.1.1), so a line split anywhere resumes in the grammar.
    enum class Ext : std::uint8_t {
        before_semicolon, // BWS after chunk-size
        before_name,      // BWS after ";"
        name,             // in chunk-ext-name (a token)
        after_name,       // BWS after the name: "=" or the next ";"
        before_value,     // BWS after "="
        token_value,      // in a token chunk-ext-val
        quoted_value,     // in a quoted-string chunk-ext-val
        quoted_pair,      // after "\" in it
        after_quote,      // right after the closing DQUOTE
        after_value,      // BWS after a value: only the next ";" may follow
        end,              // CR: the chunk-size line is over
        invalid,
    };
    static Ext next_extension_state(Ext at, char c) noexcept;
    Step fail(ParseError e, std::size_t consumed);
    bool take_trailer_line();

    Limits limits_;
    State state_ = State::size;
    bool saw_digit_ = false;
    bool lenient_extensions_ = false;
    Ext ext_ = Ext::before_semicolon;
    std::uint64_t chunk_ = 0;   // size of the current chunk, then bytes left in it
    std::uint64_t total_ = 0;   // content bytes so far
    std::size_t ext_bytes_ = 0; // chunk-ext bytes on the current line
    std::size_t trailer_bytes_ = 0;
    std::string line_; // the trailer line being assembled
    Fields trailers_;
    ParseError error_ = ParseError::none;
};

/// Appends a chunk-size line for `size` bytes of content ("1a2b\r\n"). A size of 0 is the
/// last chunk: use append_last_chunk instead.
void append_chunk_header(std::string& out, std::uint64_t size);
/// Appends the CRLF that ends a chunk's content.
void append_chunk_end(std::string& out);
/// Appends the last chunk, the trailer fields (if any) and the empty line that ends the
/// message.
void append_last_chunk(std::string& out, const Fields* trailers = nullptr);

} // namespace pier
