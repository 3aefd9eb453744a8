// A connected byte stream for the client: plain TCP or TLS over it. Every operation waits with
// poll() up to a deadline and returns a result code; the public API turns codes into
// exceptions (client_errors.hpp). Private to the client.
#pragma once

#include <pier/client.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/un.h>
#include <utility>
#include <vector>

struct addrinfo;

namespace pier::client::detail {

using Clock = std::chrono::steady_clock;

enum class IoStatus : std::uint8_t {
    ok,
    eof,       // orderly close by the peer
    timeout,   // the deadline passed
    reset,     // ECONNRESET / EPIPE: the peer is gone
    error,     // another socket error (errno in `error`)
    tls_error, // TLS failure (text in Transport::last_error())
};
struct Io {
    IoStatus status = IoStatus::ok;
    std::size_t bytes = 0;
    int error = 0;
};

class Transport {
  public:
    virtual ~Transport() = default;
    /// Reads what is available (at least one byte unless the status is not ok).
    virtual Io read(char* data, std::size_t size, Clock::time_point deadline) = 0;
    /// The same, but the caller knows at least `at_least` bytes are coming (a body's length):
    /// a transport may wait for that many before waking, saving a wake-up per segment.
    virtual Io read_expecting(char* data, std::size_t size, std::size_t at_least,
                              Clock::time_point deadline) {
        (void)at_least;
        return read(data, size, deadline);
    }
    /// Writes everything, or fails.
    virtual Io write(std::string_view data, Clock::time_point deadline) = 0;
    /// Writes a then b as if concatenated (one writev where the transport can).
    virtual Io write2(std::string_view a, std::string_view b, Clock::time_point deadline);
    /// Whether an idle connection was closed by the peer (or has unexpected bytes): checked
    /// before reuse, so a request is not sent into a socket known to be dead.
    virtual bool idle_but_dead();
    /// Waits until bytes can be read (or the peer closed); false at the deadline.
    virtual bool wait_readable(Clock::time_point deadline);
    /// Bytes already received and decrypted, which poll() cannot see.
    virtual bool has_buffered() const { return false; }
    /// read() sleeps in the kernel itself: waiting with poll() first would only add a call.
    virtual bool waits_in_read() const { return false; }
    virtual std::string last_error() const { return {}; }
    virtual bool is_tls() const { return false; }
    int fd() const noexcept { return fd_; }
    /// Gives the socket up without closing it (a tunnel hands it on to TLS).
    int release_fd() noexcept { return std::exchange(fd_, -1); }

  protected:
    explicit Transport(int fd) noexcept : fd_(fd) {}
    int fd_;
};

/// Waits until fd is readable (POLLIN) or writable (POLLOUT); false on timeout.
bool wait_fd(int fd, short events, Clock::time_point deadline);

struct ConnectResult {
    int fd = -1;
    bool resolve_failed = false;
    bool timed_out = false;
    int error = 0;
};
/// getaddrinfo + non-blocking connect to each address in turn, within the deadline. The
/// socket returned is non-blocking, with TCP_NODELAY.
ConnectResult tcp_connect(const std::string& host, std::uint16_t port, Clock::time_point deadline);
/// getaddrinfo for a TCP connect to host:port (once more without AI_ADDRCONFIG when that finds
/// nothing); null when nothing resolves. Free the list with freeaddrinfo.
addrinfo* lookup_host(const std::string& host, std::uint16_t port);
/// An IP address given instead of a lookup ("127.0.0.1", "::1" or "[::1]") for a TCP connect
/// to `port`; null when it is not an IP literal. Free the list with freeaddrinfo.
addrinfo* lookup_numeric(std::string_view address, std::uint16_t port);
/// The address of the AF_UNIX socket at `path`; nullopt when the path is empty or too long.
std::optional<sockaddr_un> unix_sockaddr(const std::string& path);
/// The same to the given IP addresses ("::1" or "[::1]"), in turn, with no lookup; one that is
/// not an IP literal fails as a lookup would.
ConnectResult tcp_connect_addresses(const std::vector<std::string>& addresses, std::uint16_t port,
                                    Clock::time_point deadline);
/// Connects to the AF_UNIX stream socket at `path` within the deadline; non-blocking, as above.
ConnectResult unix_connect(const std::string& path, Clock::time_point deadline);
/// The socket's peer and local addresses into `info` (left empty for a unix socket).
void read_endpoints(int fd, ConnectionInfo& info);

std::unique_ptr<Transport> make_plain_transport(int fd);
/// Back to non-blocking, for a socket a plain transport gave up (TLS after a tunnel).
void set_nonblocking(int fd);

enum class TlsStatus : std::uint8_t {
    ok,
    handshake_failed,
    verify_failed,
    ca_unusable,          // the CA file or directory asked for cannot be loaded
    client_cert_unusable, // our certificate or key cannot be loaded
    timeout,
};
struct TlsResult {
    std::unique_ptr<Transport> transport;
    TlsStatus status = TlsStatus::ok;
    std::string error;
};
/// The TLS handshake on a connected socket (it takes ownership of fd, closing it on failure).
TlsResult make_tls_transport(int fd, const std::string& host, const TlsOptions& options,
                             Clock::time_point deadline);

} // namespace pier::client::detail
