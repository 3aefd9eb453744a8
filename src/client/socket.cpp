// Plain TCP for the client: non-blocking connect with a deadline, and reads and writes that
// wait with poll() so every operation is bounded by the connection's timeouts.
#include "client/channel.hpp"
#include "client/transport.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

namespace pier::client::detail {

bool wait_fd(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        int ms = -1;
        if (deadline != Clock::time_point::max()) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return false;
            ms = static_cast<int>(std::min<long long>(left.count(), 1 << 30));
        }
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, ms);
        if (n > 0) return true; // errors and hang-ups are reported by the next read or write
        if (n == 0) return false;
        if (errno != EINTR) return true;
    }
}

namespace {

Io from_errno(int e) {
    if (e == ECONNRESET || e == EPIPE || e == ECONNABORTED) return {IoStatus::reset, 0, e};
    return {IoStatus::error, 0, e};
}

// Plain TCP uses a blocking socket whose SO_RCVTIMEO / SO_SNDTIMEO bound each call by the
// deadline: one system call per read instead of poll + read (or a read that says EAGAIN
// first), which is most of a small request's cost. The option is armed with half the time
// left and kept while it still ends before the deadline, so a steady read timeout costs one
// setsockopt per connection and a fixed total deadline O(log) of them; a call that times out
// early is simply made again.
class PlainTransport final : public Transport {
  public:
    explicit PlainTransport(int fd) noexcept : Transport(fd) {
        const int flags = ::fcntl(fd_, F_GETFL);
        if (flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
    }
    ~PlainTransport() override {
        if (fd_ >= 0) ::close(fd_);
    }

    Io read(char* data, std::size_t size, Clock::time_point deadline) override {
        return read_expecting(data, size, 1, deadline);
    }

    // SO_RCVLOWAT: the kernel wakes the reader once that many bytes are queued (or at EOF,
    // error or timeout), so a large body is taken in a few big reads instead of one per
    // segment. Never more than the bytes known to be coming, or a read would wait forever.
    Io read_expecting(char* data, std::size_t size, std::size_t at_least,
                      Clock::time_point deadline) override {
        set_low_water(at_least);
        for (;;) {
            if (!arm(SO_RCVTIMEO, deadline, receive_ms_)) return {IoStatus::timeout, 0, 0};
            const ssize_t n = ::recv(fd_, data, size, 0);
            if (n > 0) return {IoStatus::ok, static_cast<std::size_t>(n), 0};
            if (n == 0) return {IoStatus::eof, 0, 0};
            if (errno == EINTR || (is_timeout(errno) && Clock::now() < deadline)) continue;
            if (is_timeout(errno)) return {IoStatus::timeout, 0, 0};
            return from_errno(errno);
        }
    }

    Io write(std::string_view data, Clock::time_point deadline) override {
        return write2(data, {}, deadline);
    }

    Io write2(std::string_view a, std::string_view b, Clock::time_point deadline) override {
        std::size_t total = 0;
        while (!a.empty() || !b.empty()) {
            if (!arm(SO_SNDTIMEO, deadline, send_ms_)) return {IoStatus::timeout, total, 0};
            iovec iov[2];
            int count = 0;
            if (!a.empty()) iov[count++] = {const_cast<char*>(a.data()), a.size()};
            if (!b.empty()) iov[count++] = {const_cast<char*>(b.data()), b.size()};
            msghdr msg{};
            msg.msg_iov = iov;
            msg.msg_iovlen = static_cast<std::size_t>(count);
            const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR || (is_timeout(errno) && Clock::now() < deadline)) continue;
                if (is_timeout(errno)) return {IoStatus::timeout, total, 0};
                return from_errno(errno);
            }
            auto sent = static_cast<std::size_t>(n);
            total += sent;
            const std::size_t from_a = std::min(sent, a.size());
            a.remove_prefix(from_a);
            b.remove_prefix(sent - from_a);
        }
        return {IoStatus::ok, total, 0};
    }

    bool waits_in_read() const override { return true; }

    // poll() honours SO_RCVLOWAT too: a 25-byte "100 Continue" or a close must be seen.
    bool idle_but_dead() override {
        set_low_water(1);
        return Transport::idle_but_dead();
    }
    bool wait_readable(Clock::time_point deadline) override {
        set_low_water(1);
        return Transport::wait_readable(deadline);
    }

  private:
    static bool is_timeout(int e) noexcept { return e == EAGAIN || e == EWOULDBLOCK; }

    void set_low_water(std::size_t bytes) {
        const int low = static_cast<int>(std::clamp<std::size_t>(bytes, 1, kMaxLowWater));
        if (low == low_water_) return;
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVLOWAT, &low, sizeof low);
        low_water_ = low;
    }

    // Arms the socket timeout so the next call ends by `deadline`; false when no time is left.
    bool arm(int option, Clock::time_point deadline, long long& armed_ms) {
        long long ms = 0; // 0: no timeout
        if (deadline != Clock::time_point::max()) {
            ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (ms <= 0) return false;
            if (armed_ms != 0 && armed_ms <= ms) return true; // still ends in time
            ms = (ms + 1) / 2;
        } else if (armed_ms == 0) {
            return true;
        }
        timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)};
        ::setsockopt(fd_, SOL_SOCKET, option, &tv, sizeof tv);
        armed_ms = ms;
        return true;
    }

    static constexpr std::size_t kMaxLowWater = std::size_t{256} * 1024;
    int low_water_ = 1;
    long long receive_ms_ = 0;
    long long send_ms_ = 0;
};

} // namespace

Io Transport::write2(std::string_view a, std::string_view b, Clock::time_point deadline) {
    Io io = write(a, deadline);
    if (io.status != IoStatus::ok || b.empty()) return io;
    return write(b, deadline);
}

bool Transport::wait_readable(Clock::time_point deadline) {
    return wait_fd(fd_, POLLIN, deadline);
}

bool Transport::idle_but_dead() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    // Readable while idle: either the close we fear, or stray bytes no request asked for.
    // Either way the connection is not fit for the next request.
    return true;
}

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

std::unique_ptr<Transport> make_plain_transport(int fd) {
    return std::make_unique<PlainTransport>(fd);
}

namespace {

// Connects to each address of `list` in turn until one answers, the deadline passes or the
// list ends; `result` keeps the last error.
void connect_first(const addrinfo* list, Clock::time_point deadline, ConnectResult& result) {
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                ai->ai_protocol);
        if (fd < 0) {
            result.error = errno;
            continue;
        }
        int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc < 0 && errno == EINPROGRESS) {
            if (!wait_fd(fd, POLLOUT, deadline)) {
                ::close(fd);
                result.timed_out = true;
                return;
            }
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            rc = err == 0 ? 0 : -1;
            errno = err;
        }
        if (rc < 0) {
            result.error = errno;
            ::close(fd);
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        result.fd = fd;
        result.timed_out = false;
        return;
    }
}

std::string ip_text(const sockaddr_storage& address, std::uint16_t& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(address);
        ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
        port = ntohs(in.sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
        ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
        port = ntohs(in6.sin6_port);
    }
    return text;
}

} // namespace

addrinfo* lookup_host(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
    addrinfo* list = nullptr;
    const std::string service = std::to_string(port);
    if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &list) == 0 && list != nullptr)
        return list;
    // AI_ADDRCONFIG hides loopback-only families on hosts without a configured address; try
    // once more without it before giving up.
    hints.ai_flags = AI_NUMERICSERV;
    list = nullptr;
    if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &list) == 0 && list != nullptr)
        return list;
    return nullptr;
}

ConnectResult tcp_connect(const std::string& host, std::uint16_t port, Clock::time_point deadline) {
    ConnectResult result;
    addrinfo* list = lookup_host(host, port);
    if (list == nullptr) {
        result.resolve_failed = true;
        return result;
    }
    connect_first(list, deadline, result);
    ::freeaddrinfo(list);
    return result;
}

addrinfo* lookup_numeric(std::string_view address, std::uint16_t port) {
    if (address.size() > 2 && address.front() == '[' && address.back() == ']')
        address = address.substr(1, address.size() - 2);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV; // never a lookup
    addrinfo* list = nullptr;
    if (::getaddrinfo(std::string(address).c_str(), std::to_string(port).c_str(), &hints, &list) ==
            0 &&
        list != nullptr)
        return list;
    return nullptr;
}

std::optional<sockaddr_un> unix_sockaddr(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof address.sun_path) return std::nullopt;
    path.copy(address.sun_path, path.size());
    return address;
}

ConnectResult tcp_connect_addresses(const std::vector<std::string>& addresses, std::uint16_t port,
                                    Clock::time_point deadline) {
    ConnectResult result;
    for (const std::string& address : addresses) {
        addrinfo* list = lookup_numeric(address, port);
        if (list == nullptr) {
            result.resolve_failed = true;
            return result;
        }
        connect_first(list, deadline, result);
        ::freeaddrinfo(list);
        if (result.fd >= 0 || result.timed_out) break;
    }
    return result;
}

ConnectResult unix_connect(const std::string& path, Clock::time_point deadline) {
    ConnectResult result;
    const std::optional<sockaddr_un> address = unix_sockaddr(path);
    if (!address) {
        result.error = ENAMETOOLONG;
        return result;
    }
    // A blocking connect: a unix socket connects at once, or waits only while the listener's
    // backlog is full, a wait SO_SNDTIMEO bounds (a non-blocking one would say EAGAIN with
    // nothing to poll for).
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        result.error = errno;
        return result;
    }
    auto set_send_timeout = [fd](long long ms) {
        timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    };
    if (deadline != Clock::time_point::max()) {
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (ms.count() <= 0) {
            ::close(fd);
            result.timed_out = true;
            return result;
        }
        set_send_timeout(ms.count());
    }
    int rc = 0;
    do {
        rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        result.error = errno;
        result.timed_out = errno == EAGAIN || errno == EINPROGRESS;
        ::close(fd);
        return result;
    }
    if (deadline != Clock::time_point::max()) set_send_timeout(0);
    set_nonblocking(fd);
    result.fd = fd;
    return result;
}

void read_endpoints(int fd, ConnectionInfo& info) {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0)
        info.remote_ip = ip_text(address, info.remote_port);
    size = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0)
        info.local_ip = ip_text(address, info.local_port);
}

void throw_io_error(const Io& io, const Transport* transport, const char* doing) {
    switch (io.status) {
    case IoStatus::timeout:
        throw TimeoutError(std::string("timed out ") + doing);
    case IoStatus::tls_error:
        throw TlsError(std::string("TLS error ") + doing + ": " +
                       (transport ? transport->last_error() : std::string()));
    case IoStatus::eof:
    case IoStatus::reset:
        throw HTTPException(std::string("connection closed by the server ") + doing);
    default:
        throw HTTPException(std::string("socket error ") + doing + ": " + std::strerror(io.error));
    }
}

} // namespace pier::client::detail
