// The client on pier's event loop: requests go out and answers come back through callbacks,
// with no thread per request and no call that waits. A server handler uses it to talk to an
// upstream from its own loop (req.loop()); `pier get -Z` runs many transfers at once on one.
//
//     pier::client::AsyncClient client(req.loop());
//     client.fetch("http://127.0.0.1:9000/a", {}, {
//         .on_head = [](const pier::client::AsyncResponse& r) { ... r.status ... },
//         .on_data = [](std::string_view bytes) { ...; return true; },   // false: stop
//         .on_done = [](std::exception_ptr error) { ... null: the whole answer came ... },
//     });
//
// The connection and response state machine is the blocking client's (the same codec, the
// same framing rules, the same errors of client_errors.hpp, delivered as an exception_ptr);
// only who waits differs. Every call is made on the loop's thread, and the callbacks run
// there. Destroying a client or connection drops what it still had in flight without calling
// back. Not (yet) done here: redirects, cookies and proxies (Session::fetch has them), the
// 100-continue wait (a body goes out with its head), and name resolution runs on the loop's
// thread (getaddrinfo; instant for an address or /etc/hosts, a stall for slow DNS).
#pragma once

#include <pier/client.hpp>
#include <pier/client_response.hpp>
#include <pier/cookies.hpp>
#include <pier/fetch.hpp>
#include <pier/fields.hpp>
#include <pier/limits.hpp>
#include <pier/loop.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::client {

struct AsyncRequest;
class AsyncConnection;
namespace detail {
struct Upgraded;
void request_upgrade(AsyncConnection& connection, AsyncRequest request,
                     std::function<void(std::exception_ptr, Upgraded)> done);
} // namespace detail

struct AsyncRequest {
    std::string method = "GET";
    std::string target = "/"; // origin-form: path and query
    Fields fields;            // Host is added unless given; Content-Length for a body
    std::string body;
};

/// The head of an answer, owned.
struct AsyncResponse {
    int status = 0;
    std::string reason;
    int version = 11;
    Fields fields;
    std::string head_text; // as received
    std::vector<InterimResponse> interim;
    std::optional<std::uint64_t> content_length;
    /// Set by AsyncSession: the URL this answered, after redirects, and how many there were.
    std::string url;
    int redirects = 0;
    /// Every value of `name` joined with ", ", or `fallback`.
    std::string header(std::string_view name, std::string_view fallback = {}) const;
};

struct AsyncHandlers {
    /// The final head (1xx ones are in its `interim`).
    std::function<void(const AsyncResponse&)> on_head;
    /// Body bytes as they arrive (decoded when the options ask); false stops the transfer,
    /// which then ends with on_done(nullptr) and the connection closed.
    std::function<bool(std::string_view)> on_data;
    /// Called once, last: null when the answer came whole, else the error.
    std::function<void(std::exception_ptr)> on_done;
};

struct AsyncOptions {
    Timeouts timeouts;
    TlsOptions tls;
    Limits limits = client_limits();
    /// Undo gzip, deflate, br and zstd content codings (ask for them with Accept-Encoding).
    bool decode_content = false;
    DebugSink debug;
    /// curl's --resolve: "host:port" → IP addresses to connect to, in order, instead of looking
    /// the host up; Host, SNI and certificate verification keep the URL's name.
    std::map<std::string, std::vector<std::string>> resolve;
    /// curl's --unix-socket: every connection goes to this socket (TLS over it for https).
    std::string unix_socket;
};

/// One HTTP/1.1 connection to one origin. Requests queue and go out one after another on it
/// (no pipelining); it reconnects when the server closes between them, and sends an
/// idempotent request once more when a reused connection turns out dead before any answer.
class AsyncConnection {
  public:
    /// port 0: 80, or 443 with `https`. Nothing is connected before the first request.
    AsyncConnection(Loop& loop, std::string host, std::uint16_t port, bool https,
                    AsyncOptions options = {});
    ~AsyncConnection();
    AsyncConnection(const AsyncConnection&) = delete;
    AsyncConnection& operator=(const AsyncConnection&) = delete;

    void request(AsyncRequest request, AsyncHandlers handlers);
    /// Requests queued or in flight.
    std::size_t pending() const noexcept;
    /// Connections made so far (a kept-alive one counts once).
    std::size_t connects() const noexcept;
    class Impl;

  private:
    friend void detail::request_upgrade(AsyncConnection&, AsyncRequest,
                                        std::function<void(std::exception_ptr, detail::Upgraded)>);
    std::shared_ptr<Impl> impl_;
};

/// Up to `max_per_origin` connections to each origin (scheme, host, port), new ones made as
/// requests wait, each kept alive for the next. fetch() takes absolute http:// and https://
/// URLs; a bad URL or another scheme ends at once with on_done(InvalidURL / UnknownProtocol).
class AsyncClient {
  public:
    explicit AsyncClient(Loop& loop, AsyncOptions options = {}, std::size_t max_per_origin = 6);
    ~AsyncClient();
    AsyncClient(const AsyncClient&) = delete;
    AsyncClient& operator=(const AsyncClient&) = delete;

    /// `request.target` is replaced by the URL's path and query.
    void fetch(std::string_view url, AsyncRequest request, AsyncHandlers handlers);
    std::size_t connects() const noexcept;

  private:
    Loop& loop_;
    AsyncOptions options_;
    std::size_t max_per_origin_;
    std::map<std::string, std::vector<std::unique_ptr<AsyncConnection>>> pool_;
};

/// Session::fetch's rules on the event loop — redirects, credentials, cookies (its own jar),
/// the 417 retry, dot-segments — over a few kept-alive connections per origin. on_head gets
/// the final answer (with url and redirects set); the bodies of redirects are read and dropped.
/// Each new connection takes the timeouts, TLS options, decoding, debug sink, --resolve
/// entries and unix socket of the fetch that opens it. Not here yet (on_done gets an
/// HTTPException at once): proxies and streamed bodies (FetchOptions::body_source).
class AsyncSession {
  public:
    explicit AsyncSession(Loop& loop, std::size_t max_per_origin = 6);
    ~AsyncSession();
    AsyncSession(const AsyncSession&) = delete;
    AsyncSession& operator=(const AsyncSession&) = delete;

    void fetch(std::string_view url, const FetchOptions& options, AsyncHandlers handlers);
    CookieJar& cookies() noexcept { return cookies_; }
    std::size_t connects() const noexcept;

  private:
    struct Fetch;
    AsyncConnection& connection_for(const std::string& scheme, const std::string& host,
                                    std::uint16_t port, const FetchOptions& options);

    Loop& loop_;
    std::size_t max_per_origin_;
    CookieJar cookies_;
    std::map<std::string, std::vector<std::unique_ptr<AsyncConnection>>> pool_;
};

namespace detail {
/// Of an origin's connections: an idle one, else a new one while there is room, else the one
/// with the shortest queue.
AsyncConnection& pick_connection(std::vector<std::unique_ptr<AsyncConnection>>& connections,
                                 std::size_t max,
                                 const std::function<std::unique_ptr<AsyncConnection>()>& make);
} // namespace detail

} // namespace pier::client
