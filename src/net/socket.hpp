// Sockets: addresses, listening sockets, per-connection options. Thin wrappers over the
// system calls that say what each option is for.
#pragma once

#include <cstdint>
#include <netinet/in.h>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace pier::net {

/// An owned file descriptor.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset() noexcept;

  private:
    int fd_ = -1;
};

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    std::uint16_t port() const noexcept;
    /// "127.0.0.1" or "::1"; an IPv4-mapped IPv6 address is shown as IPv4, as users expect.
    std::string host() const;
    /// "127.0.0.1:8000" or "[::1]:8000".
    std::string to_string() const;
};

/// Resolves a numeric bind address ("", "::", "0.0.0.0", "127.0.0.1", "::1", "[::1]").
/// Empty means every interface through one dual-stack IPv6 socket, as Python's http.server.
bool make_bind_address(std::string_view host, std::uint16_t port, SocketAddress& out);

struct ListenOptions {
    int backlog = 4096;
    bool reuse_port = true; // one listener per worker, the kernel spreads connections
    /// Hand a connection to accept() only once its first bytes have arrived, waiting up to
    /// this long (TCP_DEFER_ACCEPT); 0 = at once. For protocols where the client speaks
    /// first (HTTP, TLS): the first read then finds the request.
    int defer_accept_seconds = 0;
};

/// A non-blocking listening socket, or an error message in `error`.
Fd listen_on(const SocketAddress& address, const ListenOptions& options, std::string& error);

/// The address a socket is bound to (for port 0: the port the kernel picked).
SocketAddress local_address(int fd);

/// Per-connection options: no Nagle delay (a response is one write; Nagle + delayed ACK
/// would add ~40 ms to each response of a pipelined or keep-alive exchange).
void set_nodelay(int fd) noexcept;

} // namespace pier::net
