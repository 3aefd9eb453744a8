// What the static file handler learns about a path, kept so the next request for it is
// cheap. Resolving a path from scratch costs a dozen system calls — realpath alone is an lstat
// and a readlink per component — plus looking for .br/.gz siblings, open, read, close and
// formatting the validators; on a machine where system calls dominate, that is most of a small
// request's cost. A hit costs one stat(2) of the path: if the file's identity (device, inode,
// size, mtime, ctime) is unchanged, so is everything derived from it, and any write, rename
// over it or chmod changes ctime. What a stat of the final path cannot see — a symlink higher up
// the path swapped for another, a sibling appearing — is checked again at least every
// kRecheckMs.
//
// One cache per thread (each event loop has its own, so no locks), bounded in entries and in
// bytes of content held. Private to the handlers layer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <sys/stat.h>
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
};

class FileCache {
  public:
    static constexpr std::uint64_t kRecheckMs = 1000;
    static constexpr std::size_t kMaxEntries = 4096;
    static constexpr std::size_t kMaxBytes = 32 * 1024 * 1024;
    // Descriptors held open, per thread: enough for a site's large files, far below any
    // descriptor limit a server runs with.
    static constexpr std::size_t kMaxOpenFiles = 128;

    /// The entry for `key`, or nullptr.
    ResolvedPath* find(std::string_view key);
    /// Stores `value` under `key` (replacing any entry) and returns it; drops other entries
    /// first when a bound would be exceeded.
    ResolvedPath& put(std::string_view key, ResolvedPath value);
    std::size_t size() const noexcept { return entries_.size(); }
    /// Whether another entry may hold an open descriptor.
    bool may_hold_file() const noexcept { return open_files_ < kMaxOpenFiles; }

    /// This thread's cache for the handler numbered `owner` (handlers never share entries:
    /// their roots and options differ).
    static FileCache& for_thread(std::uint64_t owner);

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, ResolvedPath, Hash, std::equal_to<>> entries_;
    void forget(const ResolvedPath& entry) noexcept;
    std::size_t bytes_ = 0;
    std::size_t open_files_ = 0;
};

} // namespace pier::handlers
