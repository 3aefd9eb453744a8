// The client's reading of one response as a state machine with no I/O: the bytes a
// connection received go in, and out come interim heads, the final head, body bytes (framed
// by Content-Length, chunked or the close) and the end. The event-loop client drives it from
// readiness callbacks; nothing here waits. Private to the client.
//
//     ResponseStream rs(limits);
//     rs.expect(Method::get);                  // a request went out; its answer comes next
//     for (;;) {
//         ResponseStream::Step s = rs.next(pending, at_eof);
//         consume(s.consumed);                 // after using s.data / rs.head()
//         if (s.event == ResponseStream::Event::need_more) break;   // read, then call again
//         ...
//     }
#pragma once

#include <pier/chunked.hpp>
#include <pier/limits.hpp>
#include <pier/method.hpp>
#include <pier/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pier::client::detail {

class ResponseStream {
  public:
    enum class Event : std::uint8_t {
        need_more, // call again with more bytes after the unconsumed ones (or at eof)
        interim,   // a 1xx head (not 101), head() describes it; `consumed` is its size
        head,      // the final head, head() describes it; `consumed` is its size
        data,      // `data` is body bytes (a view into the input)
        done,      // the response ended; keep_alive() says if the connection can carry more
        error,     // message() says what went wrong; the connection must close
    };
    enum class Failure : std::uint8_t {
        none,
        head,         // the head did not parse: error_code() is the codec's reason
        chunked,      // the chunked framing was broken
        closed_early, // the server closed before the head or inside a counted/chunked body
    };
    struct Step {
        Event event = Event::need_more;
        std::size_t consumed = 0;
        std::string_view data;
    };

    explicit ResponseStream(const Limits& limits);

    /// A request with `method` was sent: the next bytes answer it.
    void expect(Method method);
    /// `input`: the bytes received and not yet consumed; `eof`: the server closed its side
    /// after them. Returns after each event; the caller consumes `consumed` bytes of `input`
    /// (only after using views into them) and calls again.
    Step next(std::string_view input, bool eof);

    /// After an interim or head event, until the next call: views into that call's input.
    const ResponseHead& head() const noexcept { return head_; }
    /// Whether a response is being read (expect() was called and it has not ended).
    bool active() const noexcept { return state_ != State::idle; }
    /// Body bytes received so far (before any content decoding).
    std::uint64_t body_received() const noexcept { return received_; }
    /// Whether no byte of the response has arrived yet (a reused connection the server closed
    /// before answering: an idempotent request may be sent again).
    bool nothing_received() const noexcept { return !started_; }
    /// Whether the final head has come (an error after it is in the body).
    bool head_done() const noexcept { return head_done_; }
    bool keep_alive() const noexcept { return keep_alive_; }
    /// In a body framed by Content-Length: the bytes still to come (0 otherwise). A driver may
    /// read up to that many straight into its caller's buffer and report them with
    /// took_body(), skipping a copy through its own.
    std::uint64_t body_remaining() const noexcept {
        return state_ == State::body && kind_ == BodyKind::content_length ? remaining_ : 0;
    }
    void took_body(std::size_t n) noexcept {
        remaining_ -= n;
        received_ += n;
    }
    Failure failure() const noexcept { return failure_; }
    ParseError error_code() const noexcept { return error_; }
    const Fields& trailers() const noexcept { return chunked_.trailers(); }

  private:
    enum class State : std::uint8_t {
        idle,
        head,
        body,
    };
    Step fail(Failure f, ParseError e = ParseError::none);
    Step body_step(std::string_view input, bool eof);

    Limits limits_;
    ResponseParser parser_;
    ResponseHead head_;
    ChunkedDecoder chunked_;
    Method method_ = Method::get;
    State state_ = State::idle;
    BodyKind kind_ = BodyKind::none;
    std::uint64_t remaining_ = 0;
    std::uint64_t received_ = 0;
    bool started_ = false;
    bool head_done_ = false;
    bool keep_alive_ = false;
    Failure failure_ = Failure::none;
    ParseError error_ = ParseError::none;
};

/// The client's exception for the error a stream stopped at: the codec's reason for a bad
/// head, ProtocolError for broken chunked framing, and for a close too early
/// RemoteDisconnected (no answer, or half a head: `unparsed` is what came of it) or
/// IncompleteRead (half a body; `content_length` as announced).
[[noreturn]] void throw_response_error(const ResponseStream& stream, std::string_view unparsed,
                                       std::optional<std::uint64_t> content_length);

} // namespace pier::client::detail
