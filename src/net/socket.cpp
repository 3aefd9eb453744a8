#include "net/socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/tcp.h>
#include <unistd.h>

namespace pier::net {

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        reset();
        fd_ = o.release();
    }
    return *this;
}

void Fd::reset() noexcept {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
}

std::uint16_t SocketAddress::port() const noexcept {
    if (storage.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
    if (storage.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
    return 0;
}

std::string SocketAddress::host() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (storage.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf,
                  sizeof buf);
    } else if (storage.ss_family == AF_INET6) {
        const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&storage);
        if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr))
            inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], buf, sizeof buf);
        else
            inet_ntop(AF_INET6, &a6->sin6_addr, buf, sizeof buf);
    }
    return buf;
}

std::string SocketAddress::to_string() const {
    const std::string h = host();
    const bool v6 = h.find(':') != std::string::npos;
    return (v6 ? "[" + h + "]" : h) + ":" + std::to_string(port());
}

bool make_bind_address(std::string_view host, std::uint16_t port, SocketAddress& out) {
    out = {};
    std::string h(host);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (h.empty()) h = "::";
    auto* a4 = reinterpret_cast<sockaddr_in*>(&out.storage);
    if (inet_pton(AF_INET, h.c_str(), &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        out.length = sizeof(sockaddr_in);
        return true;
    }
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    if (inet_pton(AF_INET6, h.c_str(), &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        out.length = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

Fd listen_on(const SocketAddress& address, const ListenOptions& options, std::string& error) {
    const int family = address.storage.ss_family;
    Fd fd(socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
        error = std::string("socket: ") + std::strerror(errno);
        return {};
    }
    const int one = 1;
    const int zero = 0;
    // A restarted server can bind while old connections sit in TIME_WAIT.
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (options.reuse_port) setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    // "::" serves IPv4 too (dual-stack), whatever the system default says.
    if (family == AF_INET6) setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0) {
        error = "cannot bind " + address.to_string() + ": " + std::strerror(errno);
        return {};
    }
    if (options.defer_accept_seconds > 0)
        setsockopt(fd.get(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &options.defer_accept_seconds,
                   sizeof options.defer_accept_seconds);
    if (listen(fd.get(), options.backlog) != 0) {
        error = std::string("listen: ") + std::strerror(errno);
        return {};
    }
    return fd;
}

SocketAddress local_address(int fd) {
    SocketAddress a;
    a.length = sizeof a.storage;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&a.storage), &a.length) != 0) a = {};
    return a;
}

void set_nodelay(int fd) noexcept {
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

} // namespace pier::net
