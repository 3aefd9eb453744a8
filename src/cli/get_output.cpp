#include "cli/get_output.hpp"

#include <fmt/core.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pier::cli {

namespace {

// The temporary file a signal must not leave behind. The handler may only call
// async-signal-safe functions, so it reads a C string that stays valid while it is set.
std::atomic<const char*> pending_temporary{nullptr};

extern "C" void remove_temporary_and_die(int signal) {
    if (const char* path = pending_temporary.load()) ::unlink(path);
    ::raise(signal); // SA_RESETHAND restored the default action: this ends the process
}

bool may_write_in_place_instead(int error) {
    return error == EACCES || error == EPERM || error == EROFS;
}

} // namespace

void OutputFile::remove_temporaries_on_signals() {
    struct sigaction action {};
    action.sa_handler = remove_temporary_and_die;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
        ::sigaction(signal, &action, nullptr);
}

OutputFile::OutputFile(std::string path, OutputMode mode, bool create_dirs)
    : path_(std::move(path)), mode_(mode), create_dirs_(create_dirs) {}

OutputFile::~OutputFile() {
    if (file_ != nullptr && file_ != stdout) std::fclose(file_);
    if (!temp_.empty() && !committed_) {
        ::unlink(temp_.c_str());
        pending_temporary = nullptr;
    }
}

bool OutputFile::open() {
    if (!is_file()) {
        file_ = stdout;
        return true;
    }
    if (create_dirs_ && !make_directories()) return false;
    if (mode_ == OutputMode::in_place || mode_ == OutputMode::append) {
        const int flags = mode_ == OutputMode::append ? O_APPEND : O_TRUNC;
        const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666);
        if (fd < 0) return false;
        file_ = ::fdopen(fd, "ab");
        return file_ != nullptr;
    }
    struct stat st {};
    const bool exists = ::stat(path_.c_str(), &st) == 0;
    struct stat any {};
    if (mode_ == OutputMode::create_new && ::lstat(path_.c_str(), &any) == 0) {
        errno = EEXIST;
        return false;
    }
    struct stat link {};
    const bool is_link = ::lstat(path_.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
    // Only a plain file, or nothing yet, may be replaced by a rename. A device (/dev/null), a
    // FIFO, a file with other hard links or a dangling link is written in place, as curl does:
    // a rename would put a new regular file where they were.
    if (exists ? S_ISREG(st.st_mode) && st.st_nlink == 1 : !is_link) {
        target_ = path_;
        if (is_link) { // replace the file the link names, not the link
            char* real = ::realpath(path_.c_str(), nullptr);
            if (real == nullptr) return false;
            target_ = real;
            std::free(real);
        }
        if (open_temporary(exists ? &st : nullptr)) return true;
        // A file we may write in a directory we may not: write the file itself.
        if (!exists || !may_write_in_place_instead(errno)) return false;
    }
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return false;
    file_ = ::fdopen(fd, "wb");
    return file_ != nullptr;
}

bool OutputFile::open_temporary(const struct stat* existing) {
    // Same directory as the target, so the final rename is atomic (one file system).
    temp_ = target_ + ".pier-XXXXXX";
    const int fd = ::mkstemp(temp_.data());
    if (fd < 0) {
        temp_.clear();
        return false;
    }
    pending_temporary = temp_.c_str();
    if (existing != nullptr) {
        // The replacement keeps the replaced file's permissions and owner; not set-user-ID or
        // set-group-ID bits, which a write by anyone but root would have cleared too.
        ::fchmod(fd, existing->st_mode & 0777);
        if (::fchown(fd, existing->st_uid, existing->st_gid) != 0) {
            // Only root may give a file away; anyone else's download is theirs, as with curl.
        }
    } else { // mkstemp makes 0600; a new download gets what open(2) would have given it
        const mode_t mask = ::umask(0);
        ::umask(mask);
        ::fchmod(fd, 0666 & ~mask);
    }
    file_ = ::fdopen(fd, "wb");
    return file_ != nullptr;
}

bool OutputFile::write(std::string_view data) {
    return data.empty() || std::fwrite(data.data(), 1, data.size(), file_) == data.size();
}

bool OutputFile::flush() {
    return std::fflush(file_) == 0;
}

bool OutputFile::make_directories() const {
    // Each missing directory of the path in turn, as `mkdir -p` would; one that exists is fine.
    for (std::size_t slash = path_.find('/', 1); slash != std::string::npos;
         slash = path_.find('/', slash + 1)) {
        const std::string dir = path_.substr(0, slash);
        if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return false;
    }
    return true;
}

bool OutputFile::commit() {
    if (!is_file()) return std::fflush(stdout) == 0;
    const bool flushed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (temp_.empty()) return flushed; // written in place
    if (!flushed) return false;
    // -J's file may have appeared meanwhile: it is not replaced then either.
    const unsigned flags = mode_ == OutputMode::create_new ? RENAME_NOREPLACE : 0;
    if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), flags) != 0) return false;
    committed_ = true;
    pending_temporary = nullptr;
    return true;
}

namespace {

std::string human_size(double bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    return fmt::format("{:.1f} {}", bytes, units[u]);
}

} // namespace

void Progress::update(std::uint64_t done, std::optional<std::uint64_t> total, bool force) {
    if (!enabled_) return;
    done_ = done;
    total_ = total;
    const auto now = std::chrono::steady_clock::now();
    if (!force && drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    std::string line;
    if (total && *total != 0) {
        const double fraction = static_cast<double>(done) / static_cast<double>(*total);
        const int width = 30;
        const int filled = static_cast<int>(fraction * width);
        line = fmt::format("\r[{}{}] {:5.1f}%  {} / {}  {}/s", std::string(filled, '#'),
                           std::string(width - filled, ' '), fraction * 100,
                           human_size(static_cast<double>(done)),
                           human_size(static_cast<double>(*total)), human_size(rate));
    } else {
        line = fmt::format("\r{}  {}/s", human_size(static_cast<double>(done)), human_size(rate));
    }
    fmt::print(stderr, "{}\x1b[K", line);
}

void Progress::finish() {
    if (!enabled_) return;
    update(done_, total_, true);
    fmt::print(stderr, "\n");
}

} // namespace pier::cli
