#include <pier/response.hpp>

#include <unistd.h>

namespace pier {

void Response::set_file(int fd, std::uint64_t offset, std::uint64_t length,
                        std::shared_ptr<const void> owner) {
    release_file();
    body_.clear();
    file_ = {fd, offset, length, std::move(owner)};
}

void Response::FileRange::release() noexcept {
    if (fd >= 0 && !owner) close(fd);
    *this = {};
}

void Response::release_file() noexcept {
    file_.release();
}

} // namespace pier
