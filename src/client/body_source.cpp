// BodySource: files opened anew at each sending, pipes read once.
#include "client/file_descriptor.hpp"

#include <pier/body_source.hpp>
#include <pier/client_errors.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>

namespace pier::client {

namespace detail {

namespace {
std::string describe(const std::filesystem::path& path, int error) {
    return "cannot read " + path.string() + ": " + std::strerror(error);
}
} // namespace

FileDescriptor open_for_reading(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw BodyReadError(describe(path, errno));
    return FileDescriptor(fd);
}

std::size_t read_some(const FileDescriptor& fd, const std::filesystem::path& path, char* data,
                      std::size_t size) {
    for (;;) {
        const ssize_t n = ::read(fd.get(), data, size);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) throw BodyReadError(describe(path, errno));
    }
}

} // namespace detail

namespace {

using detail::FileDescriptor;

BodyReader reader_of(std::shared_ptr<FileDescriptor> file, std::filesystem::path path) {
    return [file = std::move(file), path = std::move(path)](char* data, std::size_t size) {
        return detail::read_some(*file, path, data, size);
    };
}

// Shared by every opening of a read-once source: whether a byte has been taken from it.
struct OnceState {
    BodyReader reader;
    bool started = false;
};

} // namespace

BodySource BodySource::file(const std::filesystem::path& path) {
    auto first = std::make_shared<FileDescriptor>(detail::open_for_reading(path));
    struct stat st {};
    if (::fstat(first->get(), &st) != 0)
        throw BodyReadError("cannot read " + path.string() + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return once(reader_of(std::move(first), path));
    BodySource s;
    s.length = static_cast<std::uint64_t>(st.st_size);
    // The descriptor opened here serves the first sending; later ones open the file again, so
    // each starts at its first byte.
    auto unused = std::make_shared<std::shared_ptr<FileDescriptor>>(std::move(first));
    s.open = [unused, path]() {
        std::shared_ptr<FileDescriptor> file = std::move(*unused);
        if (!file) file = std::make_shared<FileDescriptor>(detail::open_for_reading(path));
        return reader_of(std::move(file), path);
    };
    return s;
}

BodySource BodySource::once(BodyReader reader, std::optional<std::uint64_t> length) {
    auto state = std::make_shared<OnceState>();
    state->reader = std::move(reader);
    BodySource s;
    s.length = length;
    s.open = [state]() -> BodyReader {
        if (state->started)
            throw RewindError("necessary data rewind wasn't possible: the body came from a "
                              "stream that cannot start over");
        return [state](char* data, std::size_t size) {
            const std::size_t n = state->reader(data, size);
            state->started = true;
            return n;
        };
    };
    return s;
}

} // namespace pier::client
