#include "handlers/upload_file.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace pier::handlers {
namespace {

// fsync of a directory makes the names in it durable (a rename is an entry in its parent).
bool sync_directory(const std::string& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = fsync(fd) == 0 || errno == EINVAL; // some file systems cannot: fine
    close(fd);
    return ok;
}

// Gives the unnamed file `fd` the name `path` (false with EEXIST when taken).
bool link_unnamed(int fd, const std::string& path) {
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    return linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0;
}

} // namespace

UploadFile::~UploadFile() {
    discard();
}

bool UploadFile::open(const std::string& directory, mode_t mode) {
    directory_ = directory;
    while (directory_.size() > 1 && directory_.back() == '/') directory_.pop_back();
    // An unnamed file (O_TMPFILE) first: a crash or kill -9 then leaves nothing at all, the
    // kernel frees it. File systems without it get a named, locked temporary.
    int fd = ::open(directory_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    std::string path;
    if (fd < 0) {
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return false;
        path = directory_ + "/" + std::string(kUploadPrefix) + "XXXXXX";
        fd = mkostemp(path.data(), O_CLOEXEC);
        if (fd < 0) return false;
    }
    // Held until the end: remove_stale_uploads() leaves a locked temporary alone.
    if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fchmod(fd, mode) != 0) {
        const int saved = errno;
        if (!path.empty()) unlink(path.c_str());
        close(fd);
        errno = saved;
        return false;
    }
    fd_ = fd;
    path_ = std::move(path);
    size_ = 0;
    return true;
}

bool UploadFile::write(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            discard();
            errno = saved;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
        size_ += static_cast<std::uint64_t>(n);
    }
    return true;
}

bool UploadFile::place(const std::string& target, bool replace) {
    if (!path_.empty()) {
        return (replace ? rename(path_.c_str(), target.c_str())
                        : renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, target.c_str(),
                                    RENAME_NOREPLACE)) == 0;
    }
    // Unnamed: "create only" is a link to the target itself, atomic; a replacement goes
    // through a temporary name (locked, like every temporary) and a rename over the target.
    if (!replace) return link_unnamed(fd_, target);
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; attempt < 16; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, "%x-%x", static_cast<unsigned>(getpid()),
                      counter.fetch_add(1, std::memory_order_relaxed));
        const std::string name = directory_ + "/" + std::string(kUploadPrefix) + suffix;
        if (!link_unnamed(fd_, name)) {
            if (errno == EEXIST) continue;
            return false;
        }
        if (rename(name.c_str(), target.c_str()) == 0) return true;
        const int saved = errno;
        unlink(name.c_str());
        errno = saved;
        return false;
    }
    errno = EEXIST;
    return false;
}

bool UploadFile::commit(const std::string& target, bool replace) {
    if (fd_ < 0) {
        errno = EBADF;
        return false;
    }
    // The data first, then the name: after a crash the target is the old file or the whole
    // new one, never a new name on missing blocks.
    if (durable_ && !synced_ && fsync(fd_) != 0) {
        const int saved = errno;
        discard();
        errno = saved;
        return false;
    }
    synced_ = true;
    if (!place(target, replace)) {
        const int saved = errno;
        if (saved != EEXIST) discard(); // EEXIST: the caller may try another name
        errno = saved;
        return false;
    }
    close(fd_); // releases the lock; the file now has its real name
    fd_ = -1;
    path_.clear();
    if (durable_) sync_directory(directory_);
    return true;
}

void UploadFile::discard() noexcept {
    if (fd_ < 0) return;
    if (!path_.empty()) unlink(path_.c_str());
    close(fd_);
    fd_ = -1;
    path_.clear();
}

bool is_upload_temporary(std::string_view name) noexcept {
    return name.starts_with(kUploadPrefix);
}

std::size_t remove_stale_uploads(const std::string& root, std::size_t max_directories) {
    std::size_t removed = 0;
    std::vector<std::string> pending{root};
    std::size_t visited = 0;
    while (!pending.empty() && visited < max_directories) {
        const std::string dir = std::move(pending.back());
        pending.pop_back();
        ++visited;
        DIR* d = opendir(dir.c_str());
        if (d == nullptr) continue;
        while (const dirent* e = readdir(d)) {
            const std::string_view name = e->d_name;
            if (name == "." || name == "..") continue;
            const std::string path = dir + "/" + e->d_name;
            if (e->d_type == DT_DIR) { // never DT_LNK: links are not followed
                pending.push_back(path);
                continue;
            }
            if (!is_upload_temporary(name) || (e->d_type != DT_REG && e->d_type != DT_UNKNOWN))
                continue;
            const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
            if (fd < 0) continue;
            struct stat st {};
            // Unlocked means its writer is gone; two seconds' age also spares one made an
            // instant ago by another process, between its mkostemp and its flock.
            if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < time(nullptr) - 2 &&
                flock(fd, LOCK_EX | LOCK_NB) == 0 && unlink(path.c_str()) == 0)
                ++removed;
            close(fd);
        }
        closedir(d);
    }
    return removed;
}

mode_t new_file_mode() {
    // umask(2) can only be read by setting it, which would race with other threads creating
    // files; Linux shows it in /proc/self/status.
    static const mode_t mask = [] {
        std::ifstream status("/proc/self/status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("Umask:", 0) == 0)
                return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
        return static_cast<mode_t>(022);
    }();
    return 0666 & ~mask;
}

} // namespace pier::handlers
