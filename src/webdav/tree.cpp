#include "webdav/tree.hpp"

#include "handlers/upload_file.hpp"
#include "webdav/dead_properties.hpp"
#include "webdav/exchange.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace pier::webdav {
namespace {

constexpr std::size_t kCopyBuffer = std::size_t{256} * 1024;

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 ? std::string("/") : path.substr(0, slash);
}

// Dead properties that cannot be copied are the member's failure: its bytes are there, but
// not all of it. The store's errors map to statuses as PROPPATCH's do.
int copy_properties(const std::string& from, const std::string& to) {
    const auto e = copy_dead_properties(from, to);
    return e ? status_for(*e) : 0;
}

// 0 or errno.
int copy_file(const std::string& from, const std::string& to, const CopyOptions& options) {
    const int in = open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (in < 0) return errno;
    struct stat st {};
    handlers::UploadFile out;
    out.set_durable(options.durable);
    int error = 0;
    if (fstat(in, &st) != 0) {
        error = errno;
    } else if (!S_ISREG(st.st_mode)) {
        error = EPERM; // a FIFO would block, a device is nothing to copy
    } else if (!out.open(parent_of(to), st.st_mode & 07777)) {
        error = errno;
    } else {
        const auto buffer = std::make_unique<char[]>(kCopyBuffer);
        for (;;) {
            const ssize_t n = read(in, buffer.get(), kCopyBuffer);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                error = errno;
                break;
            }
            if (n == 0) break;
            if (!out.write({buffer.get(), static_cast<std::size_t>(n)})) {
                error = errno;
                break;
            }
        }
        if (error == 0 && !out.commit(to, options.replace)) error = errno;
    }
    close(in);
    return error;
}

void copy_members(const std::string& from, const std::string& to, const std::string& relative,
                  const CopyOptions& options, std::vector<MemberFailure>& failed);

// One member of a directory being copied: `from` as it is (a link stays a link).
void copy_member(const std::string& from, const std::string& to, const std::string& relative,
                 const CopyOptions& options, std::vector<MemberFailure>& failed) {
    struct stat st {};
    if (lstat(from.c_str(), &st) != 0) return; // gone meanwhile: nothing to copy
    const bool dir = S_ISDIR(st.st_mode);
    int error = 0;
    if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
        const ssize_t n = readlink(from.c_str(), target.data(), target.size());
        if (n < 0 || static_cast<std::size_t>(n) >= target.size()) {
            error = n < 0 ? errno : EIO; // changed between lstat and readlink
        } else {
            target.resize(static_cast<std::size_t>(n));
            if (symlink(target.c_str(), to.c_str()) != 0) error = errno;
        }
        if (error != 0)
            failed.push_back({relative, false, handlers::status_for_write_error(error)});
        return; // Linux keeps no user attributes on a link: no dead properties to copy
    }
    if (dir) {
        if (mkdir(to.c_str(), st.st_mode & 07777) != 0) error = errno;
    } else if (S_ISREG(st.st_mode)) {
        error = copy_file(from, to, options);
    } else {
        failed.push_back({relative, false, 403});
        return;
    }
    if (error != 0) {
        failed.push_back({relative, dir, handlers::status_for_write_error(error)});
        return;
    }
    if (const int status = copy_properties(from, to); status != 0)
        failed.push_back({relative, dir, status});
    if (dir) copy_members(from, to, relative, options, failed);
}

void copy_members(const std::string& from, const std::string& to, const std::string& relative,
                  const CopyOptions& options, std::vector<MemberFailure>& failed) {
    DIR* dir = opendir(from.c_str());
    if (dir == nullptr) {
        failed.push_back({relative, true, handlers::status_for_write_error(errno)});
        return;
    }
    std::vector<std::string> names;
    while (const dirent* e = readdir(dir)) {
        const std::string_view name = e->d_name;
        if (name == "." || name == ".." || handlers::is_upload_temporary(name)) continue;
        names.emplace_back(name);
    }
    closedir(dir);
    std::sort(names.begin(), names.end()); // failures reported in a stable order
    for (const std::string& name : names)
        copy_member(from + "/" + name, to + "/" + name, relative + "/" + name, options, failed);
}

} // namespace

int copy_tree(const std::string& from, const std::string& to, const CopyOptions& options,
              std::vector<MemberFailure>& failed) {
    struct stat st {};
    if (stat(from.c_str(), &st) != 0) return errno;
    if (!S_ISDIR(st.st_mode)) {
        if (const int error = copy_file(from, to, options); error != 0) return error;
        if (const int status = copy_properties(from, to); status != 0)
            failed.push_back({"", false, status});
        return 0;
    }
    if (mkdir(to.c_str(), st.st_mode & 07777) != 0) return errno;
    if (const int status = copy_properties(from, to); status != 0)
        failed.push_back({"", true, status});
    if (options.recursive) copy_members(from, to, "", options, failed);
    return 0;
}

} // namespace pier::webdav
