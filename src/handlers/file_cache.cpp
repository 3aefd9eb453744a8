#include "handlers/file_cache.hpp"

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
           (entries_.size() >= kMaxEntries || bytes_ + value.bytes.size() > kMaxBytes)) {
        forget(entries_.begin()->second);
        entries_.erase(entries_.begin());
    }
    if (value.bytes.size() > kMaxBytes) { // never cache content larger than the whole cache
        value.bytes.clear();
        value.has_bytes = false;
    }
    if (value.open_file && !may_hold_file()) value.open_file.reset();
    bytes_ += value.bytes.size();
    if (value.open_file) ++open_files_;
    return entries_.insert_or_assign(std::string(key), std::move(value)).first->second;
}

FileCache& FileCache::for_thread(std::uint64_t owner) {
    thread_local std::unordered_map<std::uint64_t, FileCache> caches;
    return caches[owner];
}

} // namespace pier::handlers
