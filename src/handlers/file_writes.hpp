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

/// If-Match, If-None-Match and If-Unmodified-Since (RFC 9110 §13.2.2) against what `target`
/// is now, before anything is written: 0 to go on, or 412. A directory has no entity-tag (GET
/// on it sends none): only If-Match: * matches it.
int write_preconditions(std::string_view if_match, std::string_view if_none_match,
                        std::string_view if_unmodified_since, const WriteTarget& target);

/// The entity-tag GET sends for the file `st` describes (static_files.cpp).
std::string file_etag(const struct stat& st);

/// errno of a failed write → the answer: no room (ENOSPC, EDQUOT, EFBIG) is 507 (RFC 4918
/// §11.5), no permission 403, a missing parent 409, anything else 500.
int status_for_write_error(int error);

/// Whether the decoded URL path `path` is `prefix` or below it.
bool is_under(std::string_view path, std::string_view prefix);
/// Whether `decoded` is a read-only path, below one, or holds one: deleting, replacing or
/// moving it would touch a tree nothing may be written under.
bool holds_read_only(const WriteRules& rules, std::string_view decoded);

/// An error page for `status` with the fields every response of `rules` carries.
void refuse(const WriteRules& rules, Response& response, int status, std::string_view message = {});

/// Whether the body of `request` is still to come: the handler was called at its head (a
/// stream_body route) and must take it with read_body. False when it is whole in body(), or
/// there is none.
bool body_to_come(const Request& request);

/// Removes `path`: a file, a link (never followed), or a directory with everything in it.
/// 0, or errno.
int remove_tree(const std::string& path);

/// Answers a write method (PUT, POST, DELETE); false when `request` is not one of them.
bool serve_write(const WriteRules& rules, const Request& request, Response& response);

} // namespace pier::handlers
