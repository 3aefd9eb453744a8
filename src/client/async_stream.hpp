// The event-loop client's byte stream: a non-blocking socket, plain or TLS, whose every call
// returns at once and says which readiness to wait for when it cannot go on. Name lookup and
// the connect that may take several addresses in turn are here too. Private to the client.
#pragma once

#include <pier/client.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <netinet/in.h>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <utility>
#include <vector>

namespace pier::client::detail {

class AsyncStream {
  public:
    enum class Status : std::uint8_t {
        ok,
        would_block, // wait for wants(), then call again
        eof,         // the peer closed its side (reads only)
        error,       // error_text() says why; close
    };
    struct Result {
        Status status = Status::ok;
        std::size_t bytes = 0;
    };

    virtual ~AsyncStream();
    virtual Result read(char* data, std::size_t size) = 0;
    /// Takes what the socket takes now: ok with a count that may be short.
    virtual Result write(std::string_view data) = 0;
    /// One step of the opening handshake (TLS); ok once it is complete.
    virtual Result handshake() { return {}; }
    /// Loop::readable or Loop::writable: what the last would_block waits for.
    unsigned wants() const noexcept { return wants_; }
    const std::string& error_text() const noexcept { return error_; }
    /// A TLS handshake failure was the certificate's (CertificateError, not TlsError).
    bool verify_failed() const noexcept { return verify_failed_; }
    int fd() const noexcept { return fd_; }
    /// Gives the socket up without closing it (to the TLS stream that wraps it).
    int release_fd() noexcept { return std::exchange(fd_, -1); }

  protected:
    explicit AsyncStream(int fd) noexcept : fd_(fd) {}
    int fd_;
    unsigned wants_ = 0;
    std::string error_;
    bool verify_failed_ = false;
};

std::unique_ptr<AsyncStream> make_async_plain_stream(int fd);
/// TLS over a connected socket, not yet shaken hands (handshake() does it, step by step); it
/// takes `fd` only on success. Null with `error` when the options cannot be applied (a CA
/// file that does not load).
std::unique_ptr<AsyncStream> make_async_tls_stream(int fd, const std::string& host,
                                                   const TlsOptions& options, std::string& error);

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};
/// getaddrinfo for host:port (it waits: see async_client.hpp). Empty when nothing resolves.
std::vector<Address> resolve_host(const std::string& host, std::uint16_t port);
/// --resolve's IP addresses ("127.0.0.1", "[::1]") with `port`, never looked up. Empty when
/// one of them is not an IP address.
std::vector<Address> numeric_addresses(const std::vector<std::string>& ips, std::uint16_t port);
/// A unix socket's address; nullopt when the path is empty or too long for sun_path.
std::optional<Address> unix_address(const std::string& path);
/// A non-blocking socket whose connect to `address` has started (or is done): -1 with errno.
int start_connect(const Address& address);
/// After the socket became writable: 0 when connected, else the connect's errno.
int connect_result(int fd);

} // namespace pier::client::detail
