// What a handler fills in: status, fields and a body. The server adds Date, Server and the
// framing (Content-Length; for HEAD the same fields without the body), so a handler only
// says what the response is, not how it travels.
#pragma once

#include <pier/fields.hpp>
#include <pier/status.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace pier {

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

    /// A body of unknown length, produced piece by piece as the client takes it: `producer`
    /// appends the next piece to its argument and returns false after the last one. Sent
    /// chunked to HTTP/1.1 clients (with trailers()), until close to HTTP/1.0 ones. It runs on
    /// the event loop: it must not block.
    using Producer = std::function<bool(std::string& out)>;
    void set_stream(Producer producer) { producer_ = std::move(producer); }
    bool has_stream() const noexcept { return static_cast<bool>(producer_); }
    Producer& stream() noexcept { return producer_; }
    /// Trailer fields sent after a streamed body (HTTP/1.1 only).
    Fields& trailers() noexcept { return trailers_; }

    /// Takes the request body as it arrives (routes with stream_body only): `on_data` gets
    /// each piece, `on_end` fills in the response once the body is complete. The Request
    /// given to the handler is no longer valid in either: copy what they need.
    using BodySink = std::function<void(std::string_view piece)>;
    using BodyEnd = std::function<void(Response& response)>;
    void read_body(BodySink on_data, BodyEnd on_end) {
        body_sink_ = std::move(on_data);
        body_end_ = std::move(on_end);
    }
    bool reads_body() const noexcept { return static_cast<bool>(body_sink_); }
    BodySink& body_sink() noexcept { return body_sink_; }
    BodyEnd& body_end() noexcept { return body_end_; }

    /// Leaves the rest of the work to the server's blocking pool, off the event loop: for a
    /// handler that finds it has something slow to do (a directory of 10,000 entries to list,
    /// a call that blocks). `job` runs on a pool thread once the handler has returned and fills
    /// in this response; the Request the handler got stays valid until the job returns, but
    /// the job must copy what it needs from it (it outlives the handler's scope).
    using Job = std::function<void(Response& response)>;
    void finish_blocking(Job job) { job_ = std::move(job); }
    bool has_blocking_job() const noexcept { return static_cast<bool>(job_); }
    Job take_blocking_job() noexcept { return std::exchange(job_, nullptr); }

    /// Asks the server to close the connection after this response.
    void close_connection() noexcept { close_ = true; }
    bool closes_connection() const noexcept { return close_; }

    /// Clears everything for reuse on the next request of the connection.
    void reset() {
        status_ = 200;
        reason_.clear();
        fields_.clear();
        body_.clear();
        close_ = false;
        release_file();
        producer_ = nullptr;
        trailers_.clear();
        body_sink_ = nullptr;
        body_end_ = nullptr;
        job_ = nullptr;
    }
    /// Gives up the file without closing it (the server took it over).
    FileRange take_file() noexcept { return std::exchange(file_, FileRange{}); }

    Response() = default;
    Response(const Response&) = delete;
    Response& operator=(const Response&) = delete;
    ~Response() { release_file(); }

  private:
    int status_ = 200;
    std::string reason_;
    Fields fields_;
    void release_file() noexcept;

    std::string body_;
    bool close_ = false;
    FileRange file_;
    Producer producer_;
    Fields trailers_;
    BodySink body_sink_;
    BodyEnd body_end_;
    Job job_;
};

} // namespace pier
