// The writing half of the file server (`pier serve --upload`, `--delete`): PUT of a file,
// a browser form's files POSTed to a directory, DELETE. Private to the handlers layer;
// static_files.cpp calls it for the methods that are not reads.
//
// Every write is confined more strictly than a read: never outside the root, whatever
// --follow-symlinks says (following a link out of the root to read is a choice; to write,
// it would be an escape), never to a hidden name unless asked for, never to an upload's
// temporary, never under a read-only path (CGI directories: an upload there would be a
// script the server runs). A request from another site's page is refused (same_origin.hpp).
#pragma once

#include <pier/request.hpp>
#include <pier/response.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

namespace pier::handlers {

struct WriteRules {
    std::string root_real; // the root after symlink resolution, no trailing slash
    bool show_hidden = false;
    bool allow_delete = false;
    bool overwrite = false; // a form upload replaces a file of the same name
    bool webdav = false;    // DELETE of a collection takes its members (RFC 4918 §9.6.1)
    bool durable = true;    // fsync before answering (StaticFilesOptions::durable_uploads)
    std::vector<std::string> read_only; // decoded URL path prefixes ("/cgi-bin/")
    /// Fields every response carries (--cors, --header).
    std::function<void(Response&)> add_common_fields;
};

/// Where a write would land. `status` non-zero: refuse with it.
struct WriteTarget {
    int status = 0;
    std::string decoded; // the URL path, decoded once, dot-segments resolved
    std::string fs_path; // on disk, no trailing slash
    std::string parent;  // its directory on disk
    bool trailing_slash = false;
    bool exists = false;
    struct stat st {};
};
WriteTarget locate_for_write(const WriteRules& rules, std::string_view raw_path);

/// Answers a write method (PUT, POST, DELETE); false when `request` is not one of them.
bool serve_write(const WriteRules& rules, const Request& request, Response& response);

} // namespace pier::handlers
