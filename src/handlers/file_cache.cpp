#include "handlers/file_cache.hpp"

#include <cerrno>
#include <sys/inotify.h>
#include <unistd.h>

namespace pier::handlers {

FileIdentity FileIdentity::of(const struct stat& st) noexcept {
    FileIdentity id;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    id.size = st.st_size;
    id.mode = st.st_mode;
    id.mtime = st.st_mtim;
    id.ctime = st.st_ctim;
    return id;
}

bool FileIdentity::operator==(const FileIdentity& o) const noexcept {
    return dev == o.dev && ino == o.ino && size == o.size && mode == o.mode &&
           mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec &&
           ctime.tv_sec == o.ctime.tv_sec && ctime.tv_nsec == o.ctime.tv_nsec;
}

// One inotify descriptor per cache, watched on the loop of the thread that made it: its events
// go before the requests of the same iteration (Loop::watch_first).
class FileWatcher {
  public:
    explicit FileWatcher(int fd) noexcept : fd_(fd) {}
    FileWatcher(const FileWatcher&) = delete;
    FileWatcher& operator=(const FileWatcher&) = delete;
    ~FileWatcher() {
        watch_ = {}; // out of the loop before the descriptor closes
        close(fd_);
    }

    static std::unique_ptr<FileWatcher> on(Loop& loop, FileCache& cache) {
        const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) return nullptr;
        auto w = std::make_unique<FileWatcher>(fd);
        w->loop_id_ = loop.id();
        w->watch_ = loop.watch_first(fd, [fd, &cache](unsigned) { drain(fd, cache); });
        if (!w->watch_) return nullptr;
        return w;
    }
    std::uint64_t loop_id() const noexcept { return loop_id_; }

    int watch(const std::string& dir) noexcept {
        // Everything that changes what a path in `dir` serves: contents, metadata, names
        // coming and going, the directory itself moving or vanishing.
        constexpr std::uint32_t kMask = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                        IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF |
                                        IN_MOVE_SELF | IN_ONLYDIR;
        return inotify_add_watch(fd_, dir.c_str(), kMask);
    }

  private:
    static void drain(int fd, FileCache& cache) {
        alignas(inotify_event) char buf[16 * 1024];
        for (;;) {
            const ssize_t n = read(fd, buf, sizeof buf);
            if (n <= 0) {
                if (n < 0 && errno == EINTR) continue;
                return; // EAGAIN: all read
            }
            for (ssize_t at = 0; at < n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
                // A lost event (queue overflow) could be about anything.
                cache.invalidate((e->mask & IN_Q_OVERFLOW) != 0 ? -1 : e->wd);
                at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
            }
        }
    }

    int fd_;
    std::uint64_t loop_id_ = 0;
    Loop::Watch watch_;
};

FileCache::FileCache() = default;
FileCache::~FileCache() = default;

// A cache made on one loop and used on another (a server restarted on the same thread) would
// trust a watcher nobody reads: start over on the loop running now.
bool FileCache::follow_loop(Loop* loop) {
    if (loop == nullptr) return false;
    if (watcher_ && watcher_->loop_id() == loop->id()) return true;
    invalidate(-1);
    watcher_ = FileWatcher::on(*loop, *this);
    return watcher_ != nullptr;
}

bool FileCache::watched(const ResolvedPath& entry, const Loop* loop) const noexcept {
    if (entry.watch < 0 || !watcher_) return false;
    return loop != nullptr && loop->id() == watcher_->loop_id();
}

int FileCache::watch_directory_of(const std::string& fs_path, Loop* loop) {
    if (!follow_loop(loop)) return -1;
    std::string_view dir = fs_path;
    while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
    const std::size_t slash = dir.rfind('/');
    if (slash == std::string_view::npos) return -1;
    return watcher_->watch(std::string(dir.substr(0, slash == 0 ? 1 : slash)));
}

void FileCache::invalidate(int watch) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (watch == -1 || it->second.watch == watch) {
            forget(it->second);
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
}

OpenFile::~OpenFile() {
    close(fd);
}

void FileCache::forget(const ResolvedPath& entry) noexcept {
    bytes_ -= entry.bytes.size();
    if (entry.open_file) --open_files_;
}

ResolvedPath* FileCache::find(std::string_view key) {
    const auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
}

ResolvedPath& FileCache::put(std::string_view key, ResolvedPath value) {
    if (auto it = entries_.find(key); it != entries_.end()) {
        forget(it->second);
        entries_.erase(it);
    }
    // Over a bound: drop arbitrary entries. A working set that fits stays cached; one that
    // does not costs what no cache would.
    while (!entries_.empty() &&
           (entries_.size() >= bounds_.entries || bytes_ + value.bytes.size() > bounds_.bytes)) {
        forget(entries_.begin()->second);
        entries_.erase(entries_.begin());
    }
    if (value.bytes.size() > bounds_.bytes) { // never cache content larger than the whole cache
        value.bytes.clear();
        value.has_bytes = false;
    }
    if (value.open_file && open_files_ >= bounds_.open_files) value.open_file.reset();
    bytes_ += value.bytes.size();
    if (value.open_file) ++open_files_;
    return entries_.insert_or_assign(std::string(key), std::move(value)).first->second;
}

FileCache& FileCache::for_thread(std::uint64_t owner, const Bounds& bounds) {
    thread_local std::unordered_map<std::uint64_t, FileCache> caches;
    FileCache& cache = caches[owner];
    cache.bounds_ = bounds;
    return cache;
}

} // namespace pier::handlers
