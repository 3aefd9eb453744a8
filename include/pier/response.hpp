// What a handler fills in: status, fields and a body. The server adds Date, Server and the
// framing (Content-Length; for HEAD the same fields without the body), so a handler only
// says what the response is, not how it travels.
//
// A body is one of: bytes (body(), set_body), a file range sent with sendfile (set_file), or a
// stream pulled as the client takes it (set_stream) — which may say "nothing yet" and wake the
// server later, so a handler can stream from a pipe, a socket or a clock without blocking its
// loop. A handler may also take the request body as it arrives (read_body, on stream_body
// routes), pausing the client when it cannot keep up, or take over the connection after a 101
// (upgrade), or answer later (finish_later: a CGI script or an upstream server replies first).
#pragma once

#include <pier/fields.hpp>
#include <pier/resume.hpp>
#include <pier/status.hpp>
#include <pier/stream.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace pier {

namespace server {
struct ResponseAccess;
}
namespace detail {
// The server side of finish_later(): makes the handle that completes the answer.
struct Finisher {
    virtual Resume finish_handle() = 0;

  protected:
    ~Finisher() = default;
};
} // namespace detail

class Response {
  public:
    int status() const noexcept { return status_; }
    std::string_view reason() const noexcept { return reason_; }
    /// Sets the status; an empty reason means the registry's phrase.
    void set_status(int status, std::string_view reason = {}) {
        status_ = status;
        reason_.assign(reason);
    }
    void set_status(Status status) { set_status(static_cast<int>(status)); }

    Fields& fields() noexcept { return fields_; }
    const Fields& fields() const noexcept { return fields_; }
    /// Replaces a field (validated: throws std::invalid_argument on CR, LF, NUL…).
    void set_header(std::string_view name, std::string_view value) { fields_.set(name, value); }
    /// Adds a field, keeping earlier ones of the same name (Set-Cookie).
    void add_header(std::string_view name, std::string_view value) { fields_.add(name, value); }

    /// The body; `append` to build it up, or assign at once.
    std::string& body() noexcept { return body_; }
    const std::string& body() const noexcept { return body_; }
    void set_body(std::string body, std::string_view content_type = {}) {
        body_ = std::move(body);
        if (!content_type.empty()) set_header("Content-Type", content_type);
    }

    /// The body is `length` bytes of the open file `fd` from `offset`, sent with sendfile
    /// (zero-copy). The response takes ownership of `fd` and closes it — unless `owner` is
    /// given: then `fd` is someone else's (a cache of open files) and stays open while `owner`
    /// lives; the response holds `owner` until the bytes are sent.
    void set_file(int fd, std::uint64_t offset, std::uint64_t length,
                  std::shared_ptr<const void> owner = nullptr);
    struct FileRange {
        int fd = -1;
        std::uint64_t offset = 0;
        std::uint64_t length = 0;
        std::shared_ptr<const void> owner; // set: fd is owner's to close, not ours
        /// Closes the descriptor (or lets go of its owner) and empties the range.
        void release() noexcept;
    };
    const FileRange& file() const noexcept { return file_; }
    bool has_file() const noexcept { return file_.fd >= 0; }

    /// What one pull of a streamed body gives: `more` (the piece appended to `out`, if any,
    /// and more to come), `pending` (nothing ready: the server pulls again only once `resume`
    /// is called, from any thread), or `done` (`out` holds the last bytes, if any).
    enum class Pull : std::uint8_t {
        more,
        pending,
        done
    };
    using Source = std::function<Pull(std::string& out, const Resume& resume)>;
    /// A body of unknown length, pulled piece by piece, each pull only once the client has
    /// taken the piece before. Sent chunked to HTTP/1.1 clients (with trailers()), until close
    /// to HTTP/1.0 ones. It runs on the event loop: it must not block — say `pending` instead.
    void set_stream(Source source) { source_ = std::move(source); }
    /// The same for a producer that always has its next piece: it appends it and returns
    /// false after the last one.
    using Producer = std::function<bool(std::string& out)>;
    void set_stream(Producer producer);
    bool has_stream() const noexcept { return static_cast<bool>(source_); }
    /// Trailer fields sent after a streamed body (HTTP/1.1 only).
    Fields& trailers() noexcept { return trailers_; }

    /// Takes the request body as it arrives (routes with stream_body only): `on_data` gets
    /// each piece and says whether to go on (`more`) or to stop reading from the client
    /// (`pause`) until it calls `resume` — the client is slowed by TCP, nothing is buffered
    /// meanwhile. `on_end` fills in the response once the body is complete. The Request given
    /// to the handler is no longer valid in either: copy what they need.
    enum class Intake : std::uint8_t {
        more,
        pause
    };
    using BodySink = std::function<Intake(std::string_view piece, const Resume& resume)>;
    using BodyEnd = std::function<void(Response& response)>;
    void read_body(BodySink on_data, BodyEnd on_end) {
        body_sink_ = std::move(on_data);
        body_end_ = std::move(on_end);
    }
    /// The same for a sink that always keeps up.
    void read_body(std::function<void(std::string_view piece)> on_data, BodyEnd on_end);
    bool reads_body() const noexcept { return static_cast<bool>(body_sink_); }

    /// Answers `101 Switching Protocols` to `protocol` (RFC 9110 §7.8) and hands the connection
    /// to `handlers` once the 101 has gone out (see stream.hpp): bytes the client sent after
    /// its request head go to on_data first, and nothing after the 101 is read as HTTP. Only
    /// for an HTTP/1.1 request whose Upgrade field names `protocol` and whose Connection field
    /// lists "upgrade"; otherwise the server answers 500 (a handler bug) instead.
    void upgrade(std::string_view protocol, StreamHandlers handlers);
    bool upgrades() const noexcept { return static_cast<bool>(upgrade_); }

    /// Leaves the rest of the work to the server's blocking pool, off the event loop: for a
    /// handler that finds it has something slow to do (a directory of 10,000 entries to list,
    /// a call that blocks). `job` runs on a pool thread once the handler has returned and fills
    /// in this response; the Request the handler got stays valid until the job returns, but
    /// the job must copy what it needs from it (it outlives the handler's scope).
    using Job = std::function<void(Response& response)>;
    void finish_blocking(Job job) { job_ = std::move(job); }

    /// The answer is not ready when the handler returns — a CGI script or an upstream server
    /// has not replied yet. Keep the returned handle; once this response is filled in
    /// (status, fields, a body of any kind — on the loop's thread, or on another thread before
    /// calling the handle), call it, and the server sends the response as if the handler had
    /// just returned. Until then nothing more is read from the client (a read_body sink still
    /// gets the whole body first) and no client deadline runs: the handler keeps its own.
    /// `state` is kept until the exchange ends, the answer sent or the client gone, so its
    /// destructor is where work nobody waits for any more is stopped. A client that closes its
    /// side meanwhile is taken as gone (as nginx does) and the connection is closed.
    Resume finish_later(std::shared_ptr<void> state = nullptr);
    bool finishes_later() const noexcept { return later_; }

    /// Asks the server to close the connection after this response.
    void close_connection() noexcept { close_ = true; }
    bool closes_connection() const noexcept { return close_; }

    /// Forgets everything set so far, to start the answer over (a finish_later stays: the
    /// answer still comes later, and its state lives on).
    void clear();

    Response() = default;
    Response(const Response&) = delete;
    Response& operator=(const Response&) = delete;
    ~Response() { release_file(); }

  private:
    // The server's side of a response: taking the body, the sink, the job (response_access.hpp).
    friend struct server::ResponseAccess;
    void release_file() noexcept;

    int status_ = 200;
    std::string reason_;
    Fields fields_;
    std::string body_;
    bool close_ = false;
    bool later_ = false;
    bool raw_ = false; // the stream is the whole response, head included (CGI's NPH scripts)
    FileRange file_;
    Source source_;
    Fields trailers_;
    BodySink body_sink_;
    BodyEnd body_end_;
    Job job_;
    std::unique_ptr<StreamHandlers> upgrade_; // rare: kept out of line
    std::shared_ptr<void> later_state_;
    detail::Finisher* finisher_ = nullptr; // set by the server before the handler runs
};

} // namespace pier
