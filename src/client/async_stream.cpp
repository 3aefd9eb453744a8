#include "client/async_stream.hpp"

#include "client/transport.hpp"

#include <pier/loop.hpp>

#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pier::client::detail {

AsyncStream::~AsyncStream() {
    if (fd_ >= 0) ::close(fd_);
}

namespace {

class PlainStream final : public AsyncStream {
  public:
    explicit PlainStream(int fd) noexcept : AsyncStream(fd) {}

    Result read(char* data, std::size_t size) override {
        for (;;) {
            const ssize_t n = ::recv(fd_, data, size, 0);
            if (n > 0) return {Status::ok, static_cast<std::size_t>(n)};
            if (n == 0) return {Status::eof, 0};
            if (errno == EINTR) continue;
            return failed(Loop::readable);
        }
    }

    Result write(std::string_view data) override {
        for (;;) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n >= 0) return {Status::ok, static_cast<std::size_t>(n)};
            if (errno == EINTR) continue;
            return failed(Loop::writable);
        }
    }

  private:
    Result failed(unsigned wait_for) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wants_ = wait_for;
            return {Status::would_block, 0};
        }
        // A reset is the server gone; for HTTP framing it reads as an end like a FIN would.
        if (errno == ECONNRESET && wait_for == Loop::readable) return {Status::eof, 0};
        error_ = std::strerror(errno);
        return {Status::error, 0};
    }
};

// The addresses of a getaddrinfo list, which is freed.
std::vector<Address> take_addresses(addrinfo* list) {
    std::vector<Address> out;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        Address a;
        std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
        a.length = ai->ai_addrlen;
        out.push_back(a);
    }
    if (list != nullptr) ::freeaddrinfo(list);
    return out;
}

} // namespace

std::unique_ptr<AsyncStream> make_async_plain_stream(int fd) {
    return std::make_unique<PlainStream>(fd);
}

std::vector<Address> resolve_host(const std::string& host, std::uint16_t port) {
    return take_addresses(lookup_host(host, port));
}

std::vector<Address> numeric_addresses(const std::vector<std::string>& ips, std::uint16_t port) {
    std::vector<Address> out;
    for (const std::string& ip : ips) {
        addrinfo* list = lookup_numeric(ip, port);
        if (list == nullptr) return {};
        for (const Address& a : take_addresses(list)) out.push_back(a);
    }
    return out;
}

std::optional<Address> unix_address(const std::string& path) {
    const std::optional<sockaddr_un> un = unix_sockaddr(path);
    if (!un) return std::nullopt;
    Address a;
    std::memcpy(&a.storage, &*un, sizeof *un);
    a.length = sizeof *un;
    return a;
}

int start_connect(const Address& address) {
    const int fd =
        ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int one = 1;
    if (address.storage.ss_family != AF_UNIX)
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) < 0 &&
        errno != EINPROGRESS) {
        const int e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int connect_result(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
    return err;
}

} // namespace pier::client::detail
