// A file being uploaded: written to a hidden temporary beside its target, made durable, then
// renamed over the target — so a reader sees the old file or the new one, never part of one,
// and a failure (a full disk, a client gone, the server killed) leaves the target as it was.
//
// The temporary is an unnamed file (O_TMPFILE) in the target's own directory (rename(2) is
// atomic only within one file system), given a name only at the end: so a crash, kill -9 or
// power cut mid-upload leaves nothing behind. Where the file system cannot make unnamed files
// it is ".pier-upload-XXXXXX", never listed or served; its writer holds an flock(2) on it for
// its whole life, so remove_stale_uploads() can tell the leftovers of a crashed process from
// uploads still running, in this process or another one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace pier::handlers {

inline constexpr std::string_view kUploadPrefix = ".pier-upload-";

class UploadFile {
  public:
    UploadFile() = default;
    UploadFile(const UploadFile&) = delete;
    UploadFile& operator=(const UploadFile&) = delete;
    /// Removes the temporary unless it was committed.
    ~UploadFile();

    /// Creates the temporary in `directory` with permissions `mode`; false with errno.
    bool open(const std::string& directory, mode_t mode);
    /// Appends `bytes`; false with errno (ENOSPC, EDQUOT, EFBIG, EIO…), the temporary removed.
    bool write(std::string_view bytes);
    /// Skip both fsyncs in commit(): faster (the disk is then written in the background, as
    /// nginx's uploads are), but a power cut soon after may lose the file or its name.
    void set_durable(bool durable) noexcept { durable_ = durable; }
    /// fsync, then rename over `target` — refused with EEXIST when `replace` is false and the
    /// target exists, atomically (RENAME_NOREPLACE) — then fsync the directory so the new name
    /// is durable too. False with errno; the temporary is removed, except after EEXIST (the
    /// caller may commit it under another name).
    bool commit(const std::string& target, bool replace);
    /// Drops the temporary now.
    void discard() noexcept;

    std::uint64_t size() const noexcept { return size_; }
    bool is_open() const noexcept { return fd_ >= 0; }

  private:
    bool place(const std::string& target, bool replace);

    int fd_ = -1;
    std::string directory_;
    std::string path_; // empty while the file is unnamed
    std::uint64_t size_ = 0;
    bool synced_ = false;
    bool durable_ = true;
};

/// Whether `name` (one path segment) is an upload's temporary.
bool is_upload_temporary(std::string_view name) noexcept;

/// Removes the temporaries under `root` that no writer holds (what a crash or kill -9 left),
/// looking into at most `max_directories` directories. Returns how many it removed.
std::size_t remove_stale_uploads(const std::string& root, std::size_t max_directories = 100000);

/// The permissions a new file gets: 0666 less the process's umask (read without changing it).
mode_t new_file_mode();

} // namespace pier::handlers
