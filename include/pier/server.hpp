// pier's HTTP/1.x server: Python's HTTPServer + BaseHTTPRequestHandler, event-driven and
// multi-core. One event loop per worker thread, each with its own SO_REUSEPORT listener;
// a connection lives on one loop for life.
//
//     pier::ServerConfig config;
//     config.port = 8000;
//     pier::Server server(config, [](const pier::Request& req, pier::Response& res) {
//         res.set_body("hello\n", "text/plain");
//     });
//     std::string error;
//     if (!server.listen(error)) { std::fprintf(stderr, "%s\n", error.c_str()); return 1; }
//     server.run();   // until stop() (from a signal handler's thread, for instance)
#pragma once

#include <pier/limits.hpp>
#include <pier/request.hpp>
#include <pier/response.hpp>
#include <pier/router.hpp>
#include <pier/tls.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pier {

enum class AccessLogFormat : std::uint8_t {
    python,   // host - - [25/Nov/2026 06:14:45] "GET / HTTP/1.1" 200 -
    common,   // Common Log Format, with the byte count
    combined, // Common plus Referer and User-Agent
    off,
};

struct Timeouts {
    /// A TLS handshake must be done within this (slow handshakes hold a loop's CPU).
    std::chrono::milliseconds handshake{10'000};
    /// The whole header section must arrive within this (slowloris).
    std::chrono::milliseconds header{10'000};
    /// An idle keep-alive connection is closed after this.
    std::chrono::milliseconds idle{15'000};
    /// A body that stops arriving for this long ends the connection.
    std::chrono::milliseconds body_stall{30'000};
    /// A client that stops reading its response for this long is dropped.
    std::chrono::milliseconds write_stall{30'000};
    /// After the last answer of a connection, how long what the client still sends is read
    /// and discarded (so it never gets a reset in place of that answer).
    std::chrono::milliseconds linger{2'000};
    /// On stop(): how long in-flight requests may still take.
    std::chrono::milliseconds shutdown_grace{5'000};
};

struct ServerConfig {
    /// Numeric address; empty = every interface, IPv4 and IPv6 (one dual-stack socket).
    std::string host;
    std::uint16_t port = 8000; // 0 = any free port; see Server::port()
    unsigned threads = 0;      // 0 = one per core
    Limits limits;
    Timeouts timeouts;
    /// Accept a connection only once its first bytes arrive (TCP_DEFER_ACCEPT, as nginx's
    /// `listen ... deferred`), and answer that first request before registering it with
    /// epoll: a one-request connection then costs no readiness round trip. A client that
    /// connects and says nothing is seen after about a second (then the header timeout runs).
    bool defer_accept = true;
    /// Open connections over all workers; beyond it new ones get 503 with Retry-After.
    std::size_t max_connections = 10'000;
    /// Bytes of answers a client has not read yet beyond which its connection stops reading
    /// (and so parsing) further pipelined requests.
    std::size_t max_pending_output = std::size_t{1} << 20;
    /// HTTPS when it has a certificate (tls.hpp); plain HTTP otherwise.
    TlsConfig tls;
    /// The Server field; empty = none.
    std::string server_header = "pier";
    bool enable_trace = false;
    /// Methods outside RFC 9110's (method.hpp's Method::extension) that reach the handler,
    /// by exact name ("PROPFIND"); any other is answered 501 before it does.
    std::vector<std::string> extension_methods;
    /// Threads for blocking routes, and how many of their jobs may wait; a full queue → 503.
    unsigned blocking_threads = 8;
    std::size_t max_blocking_queue = 1024;
    AccessLogFormat access_log = AccessLogFormat::python;
    std::FILE* log = stderr;
};

class Server {
  public:
    /// Every request goes to `handler`, on the event loop: it must not block.
    Server(ServerConfig config, Handler handler);
    Server(ServerConfig config, Router router);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Opens the listening sockets. False, with a message, when the address is busy or
    /// invalid.
    bool listen(std::string& error);
    /// The bound port (the one the kernel picked when the configured port was 0).
    std::uint16_t port() const noexcept;
    /// Serves until stop(); returns once every worker has finished.
    void run();
    /// HTTPS: reads the configured certificates and keys again. New handshakes get the new
    /// ones, open connections keep theirs; on any error (a missing file, a key that does not
    /// match) the old ones keep serving and `error` says why. Callable from any thread.
    bool reload_tls(std::string& error);
    bool tls_enabled() const noexcept;
    /// Whether files can go out by kernel TLS (SSL_sendfile): only when the kernel has the tls
    /// module; otherwise they are read and encrypted in user space.
    bool kernel_tls() const noexcept;
    /// Stops accepting; in-flight requests finish within the grace period (graceful), or
    /// everything closes at once. Callable from any thread, any number of times.
    void stop(bool graceful = true) noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Serves until SIGINT or SIGTERM: the first stops gracefully (in-flight requests finish
/// within the grace period) and returns 0; a second one exits the process at once (status
/// 128 + signal), for the user who does not want to wait. An HTTPS server reloads its
/// certificates on SIGHUP (reload_tls) and says so on stderr. Call it instead of run(), from the
/// main thread, before other threads exist (it blocks the two signals for every thread).
int run_until_signalled(Server& server);

} // namespace pier
