// A file descriptor closed when its owner goes: what streamed request bodies read from.
// Private to the client.
#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>
#include <utility>

namespace pier::client::detail {

class FileDescriptor {
  public:
    FileDescriptor() noexcept = default;
    explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
    ~FileDescriptor() { reset(); }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

  private:
    int fd_ = -1;
};

/// Opens `path` for reading; throws BodyReadError ("cannot read PATH: reason").
FileDescriptor open_for_reading(const std::filesystem::path& path);
/// read(2) with EINTR retried; throws BodyReadError naming `path`.
std::size_t read_some(const FileDescriptor& fd, const std::filesystem::path& path, char* data,
                      std::size_t size);

} // namespace pier::client::detail
