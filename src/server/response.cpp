#include <pier/response.hpp>

#include <unistd.h>

namespace pier {

void Response::set_file(int fd, std::uint64_t offset, std::uint64_t length) {
    release_file();
    body_.clear();
    file_ = {fd, offset, length};
}

void Response::release_file() noexcept {
    if (file_.fd >= 0) close(file_.fd);
    file_ = {};
}

} // namespace pier
