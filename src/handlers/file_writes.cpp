#include "handlers/file_writes.hpp"

#include "handlers/confinement.hpp"
#include "handlers/form_upload.hpp"
#include "handlers/same_origin.hpp"
#include "handlers/upload_file.hpp"
#include "server/error_page.hpp"

#include <pier/date.hpp>
#include <pier/etag.hpp>
#include <pier/uri.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ftw.h>
#include <memory>
#include <unistd.h>

namespace pier::handlers {
namespace {

// An upload in progress: the temporary, and what the answer needs once it is committed.
struct Put {
    UploadFile file;
    WriteTarget target;
    bool create_only = false; // If-None-Match: *
    std::string if_match;     // re-checked just before the rename
    std::string location;
    int failed = 0; // errno of a write that failed; the rest of the body is drained
    const WriteRules* rules = nullptr;
};

// On the blocking pool (fsync can take a while): the temporary becomes the target.
void commit(Put& put, Response& res) {
    const WriteRules& rules = *put.rules;
    if (put.failed != 0) {
        refuse(rules, res, status_for_write_error(put.failed), std::strerror(put.failed));
        return;
    }
    struct stat now {};
    const bool exists = lstat(put.target.fs_path.c_str(), &now) == 0;
    if (!put.if_match.empty()) { // the version the client meant may have changed meanwhile
        bool still = false;
        if (exists) {
            const std::string tag = file_etag(now);
            const auto m =
                etag_list_matches(put.if_match, *parse_entity_tag(tag), EtagComparison::strong);
            still = m && *m;
        }
        if (!still) {
            put.file.discard();
            refuse(rules, res, 412);
            return;
        }
    }
    if (exists && S_ISDIR(now.st_mode)) { // made a directory meanwhile
        put.file.discard();
        refuse(rules, res, 409, "The target is a directory");
        return;
    }
    if (!put.file.commit(put.target.fs_path, !put.create_only)) {
        const int error = errno;
        refuse(rules, res, error == EEXIST ? 412 : status_for_write_error(error),
               std::strerror(error));
        return;
    }
    struct stat written {};
    if (stat(put.target.fs_path.c_str(), &written) == 0) {
        res.set_header("ETag", file_etag(written));
        res.set_header("Last-Modified", format_http_date(std::chrono::sys_seconds(
                                            std::chrono::seconds(written.st_mtim.tv_sec))));
    }
    if (exists) {
        res.set_status(204);
    } else {
        res.set_status(201);
        res.set_header("Location", put.location);
        res.set_body("Created " + put.location + "\n", "text/plain; charset=utf-8");
    }
    if (rules.add_common_fields) rules.add_common_fields(res);
}

void serve_put(const WriteRules& rules, const Request& req, Response& res) {
    // A partial PUT would be taken for a whole new file (RFC 9110 §14.5): refused.
    if (!req.header("Content-Range").empty())
        return refuse(rules, res, 400, "Content-Range in a PUT is not supported");
    WriteTarget t = locate_for_write(rules, req.path());
    if (t.status != 0) return refuse(rules, res, t.status);
    if (t.trailing_slash || (t.exists && S_ISDIR(t.st.st_mode))) {
        refuse(rules, res, 405, "A directory cannot be replaced by a file");
        res.set_header("Allow", "GET, HEAD, OPTIONS, POST");
        return;
    }
    if (t.exists && !S_ISREG(t.st.st_mode)) return refuse(rules, res, 403);
    if (const int status = write_preconditions(req.header("If-Match"), req.header("If-None-Match"),
                                               req.header("If-Unmodified-Since"), t);
        status != 0)
        return refuse(rules, res, status);

    auto put = std::make_shared<Put>();
    put->rules = &rules;
    put->create_only = req.header("If-None-Match") == "*";
    put->if_match = req.header("If-Match");
    put->location = percent_encode_path(t.decoded);
    const mode_t mode = t.exists ? (t.st.st_mode & 07777) : new_file_mode();
    put->file.set_durable(rules.durable);
    if (!put->file.open(t.parent, mode)) {
        const int error = errno;
        return refuse(rules, res, status_for_write_error(error), std::strerror(error));
    }
    put->target = std::move(t);

    auto finish = [put](Response& out) {
        out.finish_blocking([put](Response& r) { commit(*put, r); });
    };
    if (!body_to_come(req)) { // the whole body is here (or there is none)
        if (!put->file.write(req.body())) put->failed = errno;
        finish(res);
        return;
    }
    // Written as it arrives, on the loop: a write to the page cache is quick; the fsync that is
    // not comes at the end, on the pool. A failed write drains the rest of the body, so the
    // client still reads the answer.
    res.read_body(
        [put](std::string_view piece) {
            if (put->failed == 0 && !put->file.write(piece)) put->failed = errno;
        },
        std::move(finish));
}

void serve_delete(const WriteRules& rules, const Request& req, Response& res) {
    if (!rules.allow_delete) {
        refuse(rules, res, 405);
        res.set_header("Allow", "GET, HEAD, OPTIONS, PUT, POST");
        return;
    }
    WriteTarget t = locate_for_write(rules, req.path());
    if (t.status != 0) return refuse(rules, res, t.status);
    if (t.decoded == "/") return refuse(rules, res, 403, "The root cannot be deleted");
    if (holds_read_only(rules, t.decoded)) return refuse(rules, res, 403);
    if (!t.exists) return refuse(rules, res, 404);
    if (const int status = write_preconditions(req.header("If-Match"), req.header("If-None-Match"),
                                               req.header("If-Unmodified-Since"), t);
        status != 0)
        return refuse(rules, res, status);
    const bool dir = S_ISDIR(t.st.st_mode);
    if (dir && !rules.webdav) {
        if (rmdir(t.fs_path.c_str()) != 0) {
            const int error = errno;
            if (error == ENOTEMPTY || error == EEXIST)
                return refuse(rules, res, 409, "The directory is not empty");
            return refuse(rules, res, status_for_write_error(error), std::strerror(error));
        }
    } else if (dir) {
        // A collection goes with its members (RFC 4918 §9.6.1); that can take a while.
        res.finish_blocking([&rules, path = t.fs_path](Response& out) {
            if (const int error = remove_tree(path); error != 0) {
                return refuse(rules, out, status_for_write_error(error), std::strerror(error));
            }
            out.set_status(204);
            if (rules.add_common_fields) rules.add_common_fields(out);
        });
        return;
    } else if (unlink(t.fs_path.c_str()) != 0) {
        const int error = errno;
        return refuse(rules, res, status_for_write_error(error), std::strerror(error));
    }
    res.set_status(204);
    if (rules.add_common_fields) rules.add_common_fields(res);
}

} // namespace

int write_preconditions(std::string_view if_match, std::string_view if_none_match,
                        std::string_view if_unmodified_since, const WriteTarget& t) {
    const bool file = t.exists && S_ISREG(t.st.st_mode);
    if (!if_match.empty()) {
        if (!file) return t.exists && if_match == "*" ? 0 : 412;
        const std::string tag = file_etag(t.st); // the parsed tag is a view into it
        const auto m = etag_list_matches(if_match, *parse_entity_tag(tag), EtagComparison::strong);
        // A malformed list matches nothing: a garbled precondition must not let a write through.
        if (!m || !*m) return 412;
    } else if (!if_unmodified_since.empty()) {
        const auto date = parse_http_date(if_unmodified_since);
        if (date && t.exists &&
            std::chrono::sys_seconds(std::chrono::seconds(t.st.st_mtim.tv_sec)) > *date)
            return 412;
    }
    if (!if_none_match.empty() && t.exists) {
        if (if_none_match == "*") return 412;
        if (!file) return 0;
        const std::string tag = file_etag(t.st);
        const auto m =
            etag_list_matches(if_none_match, *parse_entity_tag(tag), EtagComparison::weak);
        if (m && *m) return 412;
    }
    return 0;
}

std::string file_etag(const struct stat& st) {
    return make_file_etag(static_cast<std::uint64_t>(st.st_size),
                          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                              st.st_mtim.tv_nsec,
                          st.st_ino);
}

void refuse(const WriteRules& rules, Response& res, int status, std::string_view message) {
    server::fill_error(res, status, message);
    if (rules.add_common_fields) rules.add_common_fields(res);
}

bool body_to_come(const Request& req) {
    if (!req.body().empty()) return false;
    if (!req.header("Transfer-Encoding").empty()) return true;
    const std::string_view length = req.header("Content-Length");
    return !length.empty() && length != "0";
}

int status_for_write_error(int error) {
    switch (error) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        return 507;
    case EACCES:
    case EPERM:
    case EROFS:
        return 403;
    case ENOENT:
    case ENOTDIR:
        return 409;
    default:
        return 500;
    }
}

bool is_under(std::string_view path, std::string_view prefix) {
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (prefix.empty()) return true; // the root holds everything
    return path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/');
}

bool holds_read_only(const WriteRules& rules, std::string_view decoded) {
    for (const std::string& prefix : rules.read_only)
        if (is_under(decoded, prefix) || is_under(prefix, decoded)) return true;
    return false;
}

int remove_tree(const std::string& path) {
    const int rc = nftw(
        path.c_str(),
        [](const char* p, const struct stat*, int type, struct FTW*) {
            return type == FTW_DP ? rmdir(p) : unlink(p);
        },
        64, FTW_DEPTH | FTW_PHYS);
    return rc == 0 ? 0 : (errno != 0 ? errno : EIO);
}

WriteTarget locate_for_write(const WriteRules& rules, std::string_view raw_path) {
    WriteTarget t;
    auto decoded = percent_decode(raw_path);
    if (!decoded || decoded->find('\0') != std::string::npos) {
        t.status = 400;
        return t;
    }
    t.decoded = remove_dot_segments(*decoded);
    if (t.decoded.empty() || t.decoded.front() != '/') t.decoded.insert(0, "/");
    t.trailing_slash = t.decoded.size() > 1 && t.decoded.back() == '/';
    while (t.decoded.size() > 1 && t.decoded.back() == '/') t.decoded.pop_back();
    // Hidden names (unless served), an upload's temporary (never), a read-only tree (never).
    if ((!rules.show_hidden && has_hidden_segment(t.decoded)) ||
        t.decoded.find(std::string("/") + std::string(kUploadPrefix)) != std::string::npos) {
        t.status = 403;
        return t;
    }
    for (const std::string& prefix : rules.read_only) {
        if (is_under(t.decoded, prefix)) {
            t.status = 403;
            return t;
        }
    }
    t.fs_path = rules.root_real + (t.decoded == "/" ? std::string() : t.decoded);
    if (t.fs_path.empty()) t.fs_path = "/";
    const std::size_t slash = t.fs_path.rfind('/');
    t.parent = slash == 0 ? std::string("/") : t.fs_path.substr(0, slash);
    // The directory must exist (else 409, as WebDAV answers) and be inside the root after
    // symbolic links, whatever --follow-symlinks says.
    struct stat parent {};
    if (t.decoded != "/" && (stat(t.parent.c_str(), &parent) != 0 || !S_ISDIR(parent.st_mode))) {
        t.status = errno == EACCES ? 403 : 409;
        return t;
    }
    if (confine(rules.root_real, t.decoded == "/" ? t.fs_path : t.parent, false,
                rules.show_hidden) != 0) {
        t.status = 403;
        return t;
    }
    if (lstat(t.fs_path.c_str(), &t.st) == 0) {
        t.exists = true;
        if (S_ISLNK(t.st.st_mode)) {
            // A link is written through only if it stays inside; otherwise refused.
            if (confine(rules.root_real, t.fs_path, false, rules.show_hidden) != 0 ||
                stat(t.fs_path.c_str(), &t.st) != 0) {
                t.status = 403;
                return t;
            }
        }
    } else if (errno != ENOENT) {
        t.status = errno == EACCES ? 403 : 409;
    }
    return t;
}

bool serve_write(const WriteRules& rules, const Request& req, Response& res) {
    const Method m = req.method();
    if (m != Method::put && m != Method::post && m != Method::delete_) return false;
    if (is_cross_site(req)) {
        refuse(rules, res, 403, "Cross-site request refused");
        return true;
    }
    switch (m) {
    case Method::put:
        serve_put(rules, req, res);
        break;
    case Method::post:
        serve_form_upload(rules, req, res);
        break;
    default:
        serve_delete(rules, req, res);
        break;
    }
    return true;
}

} // namespace pier::handlers
