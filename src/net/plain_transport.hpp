// The transport of a plain TCP connection: the socket's own system calls.
#pragma once

#include "net/socket.hpp"
#include "net/transport.hpp"

namespace pier::net {

class PlainTransport final : public Transport {
  public:
    explicit PlainTransport(Fd fd) noexcept : fd_(std::move(fd)) {}

    int fd() const noexcept override { return fd_.get(); }
    IoResult read(char* into, std::size_t room) noexcept override;
    IoResult writev(const iovec* pieces, int count) noexcept override;
    IoResult send_file(int file_fd, std::uint64_t& offset, std::size_t length) noexcept override;
    void shutdown_write() noexcept override;

  private:
    Fd fd_;
};

} // namespace pier::net
