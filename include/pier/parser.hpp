// The HTTP/1.x message-head parser: request-line or status-line, then field lines, then the
// framing decision of RFC 9112 §6.3 — for the server (requests) and the client (responses).
//
// Contract, in the manner of picohttpparser:
//   - I/O-free and zero-copy: `input` is every byte received so far for this message, starting
//     at its first byte; the parser never copies it, and every view it fills in (method, target,
//     reason, field names and values) points into it. Keep `input` alive and unmoved while the
//     head is in use.
//   - Incremental: call again with the same bytes plus more after `incomplete`; completed lines
//     are not parsed again. If the buffer moved (a reallocation), the parse restarts from the
//     first byte, which costs O(n) — grow buffers geometrically and it stays amortised O(n).
//     Splitting the input anywhere gives exactly the one-shot result, errors included.
//   - `complete` ⇒ head_size() bytes are the head; the content (if any) follows, framed as
//     head.body says (see chunked.hpp for BodyKind::chunked).
//   - `error` ⇒ error() says why and status_for(error()) is the status to answer with; the
//     connection cannot be trusted for another message and must close after that answer.
//   - No allocation per message once the head's Fields has grown to its working size (reuse
//     one head and one parser per connection; call reset() between messages).
//
// Tolerant where the seeds ask for it: LF without CR ends a line; runs of SP/HTAB separate
// request-line parts; empty lines before a request-line are skipped (RFC 9112 §2.2); HTTP/0.9
// simple requests (`GET` and a path) are recognised. Strict where smuggling lives: see ParseError.
#pragma once

#include <pier/fields.hpp>
#include <pier/limits.hpp>
#include <pier/method.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pier {

enum class Version : std::uint8_t {
    http09 = 9, // request-line without a version; answered with the body only
    http10 = 10,
    http11 = 11, // also every HTTP/1.x with x > 1 (RFC 9110 §2.5: same major, highest minor)
};

/// How a message's content is delimited (RFC 9112 §6.3).
enum class BodyKind : std::uint8_t {
    none,           // no content at all
    content_length, // exactly content_length bytes
    chunked,        // chunked transfer coding, ended by the last chunk and trailers
    until_close,    // responses only: everything until the server closes
};

enum class ParseError : std::uint8_t {
    none,
    // request-line / status-line
    bad_request_line,      // 400: not method SP target SP version
    bad_method,            // 400: method is not a token (or is absurdly long)
    bad_target,            // 400: control character or DEL in the request-target
    target_too_long,       // 414
    bad_version,           // 400: not HTTP/DIGIT.DIGIT
    version_not_supported, // 505: HTTP/0.x spelled out, or HTTP/2.0 and above
    http09_not_get,        // 400: an HTTP/0.9 request other than GET
    http09_not_path,       // 400: two words, the second not "/..." (`GET HTTP/1.1`)
    bad_status_line,       // (client) not HTTP-version SP 3DIGIT [SP reason]
    // field lines
    bad_field_name,           // 400: empty, non-token character, or no colon
    whitespace_before_colon,  // 400: RFC 9112 §5.1: MUST reject (smuggling)
    obs_fold,                 // 400: a line starting with SP/HTAB (RFC 9112 §5.2)
    bad_field_value,          // 400: NUL, DEL or another control in a value
    bare_cr,                  // 400: CR not followed by LF (RFC 9112 §2.2)
    field_line_too_long,      // 431
    too_many_fields,          // 431
    header_section_too_large, // 431
    // framing (RFC 9112 §6)
    content_length_with_transfer_encoding, // 400 in a request: the classic smuggling vector
    bad_content_length,                    // 400: not 1*DIGIT, or overflows
    conflicting_content_length,            // 400: several values that differ
    transfer_encoding_in_http10,           // 400: RFC 9112 §6.1
    bad_transfer_encoding,                 // 400: empty or malformed list
    chunked_not_last,                      // 400 in a request: length cannot be determined
    chunked_twice,                         // 400: RFC 9112 §7: MUST NOT apply chunked twice
    unknown_transfer_coding,               // 501: a coding pier does not decode (RFC 9112 §6.1)
    body_too_large,                        // 413
    // chunked coding (chunked.hpp)
    bad_chunk_size,           // 400: not hex
    chunk_size_overflow,      // 400: over 64 bits
    bad_chunk_extension,      // 400
    chunk_extension_too_long, // 400
    missing_chunk_crlf,       // 400: chunk data not followed by CRLF
    trailer_too_large,        // 431
};

/// The status code a server answers a request with when parsing failed with `e`.
int status_for(ParseError e) noexcept;
std::string_view to_string(ParseError e) noexcept;

enum class ParseStatus : std::uint8_t {
    complete,
    incomplete,
    error
};

struct RequestHead {
    std::string_view method_name; // as received; the text is what counts for extension methods
    Method method = Method::get;
    std::string_view target; // raw request-target; see uri.hpp to interpret it
    Version version = Version::http11;
    Fields fields;
    BodyKind body = BodyKind::none;
    std::uint64_t content_length = 0; // when body == content_length
    /// Persistence per RFC 9112 §9.3: HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with
    /// "Connection: keep-alive"; never for HTTP/0.9.
    bool keep_alive = false;
};

struct ResponseHead {
    Version version = Version::http11;
    int status = 0;
    std::string_view reason;
    Fields fields;
    BodyKind body = BodyKind::none;
    std::uint64_t content_length = 0;
    bool keep_alive = false; // false also whenever the body runs until close

    bool is_informational() const noexcept { return status >= 100 && status < 200; }
};

class RequestParser {
  public:
    explicit RequestParser(const Limits& limits = {}) noexcept : limits_(limits) {}

    ParseStatus parse(std::string_view input, RequestHead& head);
    /// Bytes of the head (leading empty lines included) once parse() returned complete.
    std::size_t head_size() const noexcept { return head_size_; }
    ParseError error() const noexcept { return error_; }
    /// Prepares for the next message on the same connection.
    void reset() noexcept;

  private:
    ParseStatus fail(ParseError e) noexcept;

    Limits limits_;
    const char* base_ = nullptr; // input.data() of the previous call
    std::size_t resume_ = 0;     // first byte not yet parsed (always a line start)
    std::size_t head_start_ = 0; // after leading empty lines
    bool line_parsed_ = false;   // request-line done
    std::size_t head_size_ = 0;
    ParseError error_ = ParseError::none;
};

class ResponseParser {
  public:
    explicit ResponseParser(const Limits& limits = {}) noexcept : limits_(limits) {}

    /// `request_method` decides framing: a response to HEAD has no content, nor has a 2xx
    /// response to CONNECT (the connection becomes a tunnel). obs-fold in a response is
    /// replaced by SP (RFC 9112 §5.2); that one value is then copied into the Fields' storage.
    ParseStatus parse(std::string_view input, ResponseHead& head, Method request_method);
    std::size_t head_size() const noexcept { return head_size_; }
    ParseError error() const noexcept { return error_; }
    void reset() noexcept;

  private:
    ParseStatus fail(ParseError e) noexcept;

    Limits limits_;
    const char* base_ = nullptr;
    std::size_t resume_ = 0;
    bool line_parsed_ = false;
    std::size_t head_size_ = 0;
    ParseError error_ = ParseError::none;
};

} // namespace pier
