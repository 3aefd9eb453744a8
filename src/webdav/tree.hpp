// Copying and removing files and directories on disk, for COPY, MOVE (across file systems, and
// an overwritten destination). Blocking: call from the blocking pool.
//
//     std::vector<MemberFailure> failed;
//     if (const int error = copy_tree(from, to, {.recursive = true}, failed); error != 0)
//         return refuse(handlers::status_for_write_error(error));    // nothing, or part of the
//         top, copied
//     for (auto& f : failed) ms.response_status(href_of(dest + f.relative, ...), f.status);
#pragma once

#include <string>
#include <vector>

namespace pier::webdav {

struct CopyOptions {
    bool recursive = true; // a directory with its members (Depth: infinity), or alone (0)
    bool replace = false;  // a file may replace the file at `to`, atomically
    bool durable = true;   // fsync each copied file before its rename (WriteRules::durable)
};

/// A member of the copied tree that could not be copied (RFC 4918 §9.8.5): its path below the
/// destination ("/sub/a.txt"), decoded, and the status to report for it.
struct MemberFailure {
    std::string relative;
    bool collection = false;
    int status = 0;
};

/// Copies `from` (followed if it is a symbolic link) to `to`, whose parent exists: a file's
/// bytes by way of a temporary renamed into place (upload_file.hpp), so no reader sees half a
/// file; a directory with the same permissions, then, if `recursive`, its members — symbolic
/// links among them as links (what they point to is confined when it is served, wherever the
/// link is), upload temporaries left out, anything that is neither file, directory nor link
/// reported as 403. Dead properties go along (RFC 4918 §9.8.2). 0, or errno when `from`
/// itself could not be copied; the members that failed are appended to `failed`.
int copy_tree(const std::string& from, const std::string& to, const CopyOptions& options,
              std::vector<MemberFailure>& failed);

} // namespace pier::webdav
