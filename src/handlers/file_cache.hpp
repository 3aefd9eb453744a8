// What the static file handler learns about a path, kept so the next request for it is
// cheap. Resolving a path from scratch costs a dozen system calls — realpath alone is an lstat
// and a readlink per component — plus looking for .br/.gz siblings, open, read, close and
// formatting the validators; on a machine where system calls dominate, that is most of a small
// request's cost.
//
// Staying true to the disk, cheapest first:
//   - On an event loop, each cache watches the directories of its entries with inotify; the
//     loop hands the watcher its events before any request of the same batch (add_first), so
//     a change made before a request was sent is applied before it is served. A hit then costs
//     no system call at all (lighttpd's stat cache works the same way).
//   - Elsewhere (the blocking pool), or when a watch cannot be added, a hit costs one stat(2)
//     of the path: if the file's identity (device, inode, size, mode, mtime, ctime) is
//     unchanged, so is everything derived from it.
//   - What neither sees — a symlink higher up the path repointed, a write through a hard link
//     in another directory, a network file system — is caught by redoing the whole resolution
//     at least every kRecheckMs.
//
// One cache per thread (each event loop has its own, so no locks), bounded in entries, bytes
// of content and open descriptors. Private to the handlers layer.
#pragma once

#include <pier/loop.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <time.h>
#include <unordered_map>

namespace pier::handlers {

/// What stat(2) says about a file that matters for serving it: if any of it changes, the
/// cached answer is stale.
struct FileIdentity {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    mode_t mode = 0;
    timespec mtime{};
    timespec ctime{};

    static FileIdentity of(const struct stat& st) noexcept;
    bool operator==(const FileIdentity& o) const noexcept;
};

/// A descriptor kept open for a large file, shared by the cache entry and every response
/// still sending from it: closed when the last of them lets go.
struct OpenFile {
    explicit OpenFile(int fd) noexcept : fd(fd) {}
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    ~OpenFile();
    const int fd;
};

/// A request path resolved to the file system, with what its responses need.
struct ResolvedPath {
    int status = 0;      // non-zero: answer this (400, 403, 404)
    std::string fs_path; // the file or directory
    std::string decoded; // the URL path, decoded and normalised ("/a b/")
    bool is_dir = false;
    FileIdentity identity;
    // Regular files only:
    std::string etag;          // strong, from size, mtime and inode
    std::string last_modified; // IMF-fixdate of mtime
    std::chrono::sys_seconds modified{};
    std::string_view content_type; // points into the handler's MIME table
    bool has_variants = false;     // a .br or .gz sibling exists: responses Vary
    bool has_bytes = false;        // `bytes` holds the whole file
    std::string bytes;
    std::shared_ptr<const OpenFile> open_file; // larger files: the file, opened once
    std::uint64_t verified_ms = 0;             // when the whole resolution was last redone
    int watch = -1;                            // the inotify watch on its directory, if any
};

class FileWatcher;

class FileCache {
  public:
    static constexpr std::uint64_t kRecheckMs = 1000;
    /// The bounds (StaticFilesOptions): entries, bytes of content, descriptors held open.
    struct Bounds {
        std::size_t entries = 4096;
        std::size_t bytes = std::size_t{32} * 1024 * 1024;
        std::size_t open_files = 128;
    };

    FileCache();
    ~FileCache();
    /// The clock entries are verified by: monotonic milliseconds, coarse (a tick is a few
    /// ms, plenty for a one-second recheck), because it is read on every request and the
    /// coarse clock costs a fraction of the precise one.
    static std::uint64_t now_ms() noexcept {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        return static_cast<std::uint64_t>(ts.tv_sec) * 1000 +
               static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
    }
    FileCache(const FileCache&) = delete;
    FileCache& operator=(const FileCache&) = delete;

    /// The entry for `key`, or nullptr.
    ResolvedPath* find(std::string_view key);
    /// Whether an entry is kept true by the watcher (else it needs a stat per use). `loop`:
    /// the event loop this thread runs, or nullptr (the blocking pool).
    bool watched(const ResolvedPath& entry, const Loop* loop) const noexcept;
    /// Watches the directory holding `fs_path` for changes; the watch, or -1 where that is not
    /// possible (no event loop on this thread, inotify refused).
    int watch_directory_of(const std::string& fs_path, Loop* loop);
    /// Drops the entries a watch covers (-1: all of them): something changed there.
    void invalidate(int watch);
    /// Stores `value` under `key` (replacing any entry) and returns it; drops other entries
    /// first when a bound would be exceeded.
    ResolvedPath& put(std::string_view key, ResolvedPath value);

    /// This thread's cache for the handler numbered `owner` (handlers never share entries:
    /// their roots and options differ), held to `bounds`.
    static FileCache& for_thread(std::uint64_t owner, const Bounds& bounds);

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, ResolvedPath, Hash, std::equal_to<>> entries_;
    void forget(const ResolvedPath& entry) noexcept;
    bool follow_loop(Loop* loop);

    std::unique_ptr<FileWatcher> watcher_;
    Bounds bounds_;
    std::size_t bytes_ = 0;
    std::size_t open_files_ = 0;
};

} // namespace pier::handlers
