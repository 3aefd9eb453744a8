#include "net/plain_transport.hpp"

#include <cerrno>
#include <sys/sendfile.h>
#include <sys/socket.h>

namespace pier::net {
namespace {

IoResult from_errno() noexcept {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::again();
    return IoResult::failed(); // ECONNRESET, EPIPE: the peer is gone
}

} // namespace

IoResult PlainTransport::read(char* into, std::size_t room) noexcept {
    for (;;) {
        const ssize_t n = recv(fd_.get(), into, room, 0);
        if (n > 0) return IoResult::done(static_cast<std::size_t>(n));
        if (n == 0) return IoResult::closed();
        if (errno != EINTR) return from_errno();
    }
}

IoResult PlainTransport::writev(const iovec* pieces, int count) noexcept {
    // send / sendmsg rather than write / writev: MSG_NOSIGNAL turns a write to a vanished peer
    // into EPIPE instead of SIGPIPE. One piece (the usual case: a batch of answers in one
    // buffer) goes through send, which spares the kernel importing a msghdr and an iovec.
    if (count == 1) {
        for (;;) {
            const ssize_t n = send(fd_.get(), pieces[0].iov_base, pieces[0].iov_len, MSG_NOSIGNAL);
            if (n >= 0) return IoResult::done(static_cast<std::size_t>(n));
            if (errno != EINTR) return from_errno();
        }
    }
    msghdr message{};
    message.msg_iov = const_cast<iovec*>(pieces);
    message.msg_iovlen = static_cast<std::size_t>(count);
    for (;;) {
        const ssize_t n = sendmsg(fd_.get(), &message, MSG_NOSIGNAL);
        if (n >= 0) return IoResult::done(static_cast<std::size_t>(n));
        if (errno != EINTR) return from_errno();
    }
}

IoResult PlainTransport::send_file(int file_fd, std::uint64_t& offset,
                                   std::size_t length) noexcept {
    for (;;) {
        auto at = static_cast<off_t>(offset);
        const ssize_t n = sendfile(fd_.get(), file_fd, &at, length);
        if (n > 0) {
            offset = static_cast<std::uint64_t>(at);
            return IoResult::done(static_cast<std::size_t>(n));
        }
        // The file shrank under us (0) or cannot be read: the caller's promised length can no
        // longer be met.
        if (n == 0) return IoResult::failed();
        if (errno != EINTR) return from_errno();
    }
}

void PlainTransport::shutdown_write() noexcept {
    shutdown(fd_.get(), SHUT_WR);
}

} // namespace pier::net
