// A response read by the client (Python's http.client.HTTPResponse). The head is read by
// Connection::getresponse(); the body is streamed on demand:
//
//     pier::client::Response r = conn.getresponse();
//     if (r.status() == 200) {
//         char buf[65536];
//         while (std::size_t n = r.readinto(buf)) sink(buf, n);   // or r.read(), r.read(n)
//     }
//
// Interim responses (100 Continue, 103 Early Hints) are skipped and kept in interim(). A
// response without content (HEAD, 204, 304, 1xx) is closed() at once. A body that ends before
// its length (or its last chunk) throws IncompleteRead. When the body is finished the
// connection is reused if the server allows it, otherwise closed.
#pragma once

#include <pier/fields.hpp>
#include <pier/method.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pier::client {

namespace detail {
struct Channel;
struct BodyReaderState;
class ResponseStream;
} // namespace detail

/// A 1xx response seen before the final one.
struct InterimResponse {
    int status = 0;
    std::string reason;
    Fields fields; // owns its text
};

/// The connection a response came over, for curl's -w (%{remote_ip}, %{time_connect}...).
/// Taken once per connection: the addresses by getpeername / getsockname, the times by one
/// clock read after each step.
struct ConnectionInfo {
    std::string remote_ip; // "127.0.0.1", "::1"; empty over a unix socket
    std::uint16_t remote_port = 0;
    std::string local_ip;
    std::uint16_t local_port = 0;
    std::string unix_socket;                           // the path, over a unix socket
    std::chrono::steady_clock::time_point connected{}; // TCP (or unix) connect done
    std::chrono::steady_clock::time_point tls_done{};  // TLS handshake done; epoch for plain
};

class Response {
  public:
    Response();
    Response(Response&&) noexcept;
    Response& operator=(Response&&) noexcept;
    ~Response();

    int status() const noexcept { return status_; }
    const std::string& reason() const noexcept { return reason_; }
    /// 10 or 11, as Python's HTTPResponse.version.
    int version() const noexcept { return version_; }
    /// Every value of `name` joined with ", " (Python's getheader), or `fallback`.
    std::string header(std::string_view name, std::string_view fallback = {}) const;
    const Fields& headers() const noexcept { return fields_; }
    /// The head exactly as received: status line, field lines, the empty line.
    std::string_view head_text() const noexcept {
        return head_text_ ? std::string_view(*head_text_) : std::string_view();
    }
    /// Trailer fields of a chunked body, once it has been read to its end.
    const Fields& trailers() const noexcept;
    const std::vector<InterimResponse>& interim() const noexcept { return interim_; }
    /// Content-Length as announced, when the body is framed by it.
    std::optional<std::uint64_t> content_length() const noexcept { return content_length_; }
    /// Whether the connection is kept open for another request after this body.
    bool will_close() const noexcept { return !keep_alive_; }

    /// Up to `n` bytes of the body (fewer only at its end); empty at the end.
    std::string read(std::size_t n);
    /// The rest of the body.
    std::string read();
    /// Fills `buffer` with the next body bytes; 0 at the end. For a large body of known length
    /// it waits (as Python's buffered readinto does) until the buffer can be filled, up to
    /// 256 KiB, or the read timeout is half over: fewer, larger reads.
    std::size_t readinto(std::span<char> buffer);
    /// The body is finished or the response was closed.
    bool closed() const noexcept { return closed_; }
    /// Stops reading; an unfinished body means the connection cannot be reused.
    void close() noexcept;
    /// Bytes of the body as received (before content decoding).
    std::uint64_t bytes_received() const noexcept { return received_; }

    /// The connection this response came over (a default one for a Response not read yet).
    const ConnectionInfo& connection_info() const noexcept;
    /// Whether that connection had carried a request before: its connect times are then not
    /// this request's (curl reports them as 0).
    bool reused_connection() const noexcept { return reused_; }
    /// When the request's head went out, and when the first byte of an answer to it (an
    /// interim 1xx included) arrived: curl's pretransfer and starttransfer.
    std::chrono::steady_clock::time_point request_sent() const noexcept { return sent_; }
    std::chrono::steady_clock::time_point first_byte() const noexcept { return first_byte_; }

    /// Set by fetch(): the URL this response answered, after redirects.
    const std::string& url() const noexcept { return url_; }
    int redirects() const noexcept { return redirects_; }
    void set_url(std::string url, int redirects) {
        url_ = std::move(url);
        redirects_ = redirects;
    }

  private:
    friend class Connection;
    void start(std::shared_ptr<detail::Channel> channel, std::string head, Method method,
               bool decode, std::unique_ptr<detail::ResponseStream> stream);
    std::size_t read_raw(std::span<char> buffer);
    void end_counted_body() noexcept;
    std::size_t read_decoded(std::span<char> buffer);
    void finish() noexcept;

    std::shared_ptr<detail::Channel> channel_;
    std::unique_ptr<std::string> head_text_; // the fields below are views into it: never moves
    int status_ = 0;
    std::string reason_;
    int version_ = 11;
    Fields fields_;
    std::vector<InterimResponse> interim_;
    std::optional<std::uint64_t> content_length_;
    bool keep_alive_ = false;
    bool closed_ = true;
    std::uint64_t received_ = 0;
    std::unique_ptr<detail::BodyReaderState> body_;
    std::string url_;
    int redirects_ = 0;
    std::shared_ptr<const ConnectionInfo> connection_info_;
    std::chrono::steady_clock::time_point sent_{};
    std::chrono::steady_clock::time_point first_byte_{};
    bool reused_ = false;
};

} // namespace pier::client
