// COPY and MOVE (RFC 4918 §9.8, §9.9): the Destination (§10.3) must be on this server and
// lands where a PUT there would (locate_for_write: confined, no hidden name, no read-only
// path, an existing parent or 409). Overwrite: F keeps an existing destination (412); T, the
// default, deletes it first (§9.8.4), and the answer is then 204 rather than 201.
//
// MOVE is a rename, which carries the dead properties (they are extended attributes) and is
// atomic; across file systems it is a copy and then a delete of the source. COPY copies
// bytes and dead properties; a collection with its members (Depth: infinity, the default)
// or alone (Depth: 0). Members that fail are listed in a 207 (§9.8.5).
#include "http/char_class.hpp"
#include "webdav/exchange.hpp"
#include "webdav/multistatus.hpp"
#include "webdav/tree.hpp"

#include <pier/uri.hpp>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace pier::webdav {
namespace {

// Whether `path` is `ancestor` or below it (decoded URL paths, no trailing slash).
bool within(std::string_view path, std::string_view ancestor) {
    if (ancestor == "/") return true;
    return path == ancestor || (path.starts_with(ancestor) && path[ancestor.size()] == '/');
}

// The Destination's path, still percent-encoded; `status` non-zero when there is none to use:
// 400 for no Destination or one that is no URI, 502 Bad Gateway for one on another server
// (§9.8.5: this server does not copy or move to others).
struct Destination {
    int status = 0;
    std::string path;
};

Destination destination_of(const Exchange& x) {
    Destination d;
    std::string_view text = x.destination;
    if (text.empty()) {
        d.status = 400;
        return d;
    }
    if (text.front() == '/') { // an absolute path: Simple-ref allows one (§8.3)
        d.path = text.substr(0, text.find_first_of("?#"));
        return d;
    }
    const auto url = parse_url(text);
    if (!url) {
        d.status = 400;
        return d;
    }
    const auto ours = parse_authority(x.host);
    const std::uint16_t fallback = x.scheme == "https" ? 443 : 80;
    if (!ours || !detail::iequals(url->scheme, x.scheme) ||
        !detail::iequals(url->host, ours->host) ||
        url->effective_port() != ours->port.value_or(fallback)) {
        d.status = 502;
        return d;
    }
    d.path = url->path.empty() ? std::string_view("/") : url->path;
    return d;
}

// What the blocking part needs.
struct Plan {
    SharedExchange x;
    bool move = false;
    bool recursive = true;
    bool collection = false; // the source
    std::string from, to;    // on disk
    std::string to_decoded;  // the destination's URL path
};

void fail_members(const Plan& p, Response& res, const std::vector<MemberFailure>& failed) {
    MultistatusWriter ms;
    for (const MemberFailure& f : failed)
        ms.response_status(href_of(p.to_decoded + f.relative, f.collection), f.status);
    answer_xml(*p.x, res, 207, std::string(ms.str()));
}

void carry_out(const Plan& p, Response& res) {
    const Exchange& x = *p.x;
    struct stat existing {};
    const bool replaced = lstat(p.to.c_str(), &existing) == 0;
    // A file onto a file is replaced in one step by rename (or by the copy's own rename);
    // anything else is deleted first, as Overwrite: T asks (§9.8.4, §9.9.3).
    const bool file_onto_file = replaced && !p.collection && !S_ISDIR(existing.st_mode);
    if (replaced && !file_onto_file) {
        if (const int error = handlers::remove_tree(p.to); error != 0)
            return refuse(x, res, handlers::status_for_write_error(error), std::strerror(error));
    }
    bool moved = false;
    if (p.move) {
        if (rename(p.from.c_str(), p.to.c_str()) == 0) {
            moved = true;
        } else if (errno != EXDEV) {
            const int error = errno;
            return refuse(x, res, handlers::status_for_write_error(error), std::strerror(error));
        }
    }
    if (!moved) { // a COPY, or a MOVE to another file system
        std::vector<MemberFailure> failed;
        const CopyOptions options{
            .recursive = p.recursive, .replace = file_onto_file, .durable = x.rules->durable};
        if (const int error = copy_tree(p.from, p.to, options, failed); error != 0)
            return refuse(x, res, handlers::status_for_write_error(error), std::strerror(error));
        // A MOVE that could not copy everything keeps its source: nothing is lost.
        if (!failed.empty()) return fail_members(p, res, failed);
        if (p.move) {
            if (const int error = handlers::remove_tree(p.from); error != 0)
                return refuse(x, res, handlers::status_for_write_error(error),
                              std::strerror(error));
        }
    }
    if (!replaced) res.set_header("Location", href_of(p.to_decoded, p.collection));
    answer(x, res, replaced ? 204 : 201);
}

} // namespace

void serve_copy_move(const SharedExchange& shared, Response& res, bool move) {
    const Exchange& x = *shared;
    const handlers::WriteRules& rules = *x.rules;
    bool overwrite = true;
    if (detail::iequals(x.overwrite, "F")) {
        overwrite = false;
    } else if (!x.overwrite.empty() && !detail::iequals(x.overwrite, "T")) {
        return refuse(x, res, 400, "Overwrite must be T or F");
    }
    if (!x.depth.empty() && x.depth != "0" && x.depth != "1" &&
        !detail::iequals(x.depth, "infinity"))
        return refuse(x, res, 400, "Depth must be 0 or infinity");

    const handlers::WriteTarget from = handlers::locate_for_write(rules, x.path);
    if (from.status != 0) return refuse(x, res, from.status);
    if (!from.exists) return refuse(x, res, 404);
    const bool collection = S_ISDIR(from.st.st_mode);
    if (from.trailing_slash && !collection) return refuse(x, res, 404);
    // A collection is copied with its members or alone, and moved whole (§9.8.3, §9.9.2).
    if (collection && (x.depth == "1" || (move && x.depth == "0")))
        return refuse(x, res, 400,
                      move ? "MOVE of a collection is Depth: infinity"
                           : "COPY of a collection is Depth: 0 or infinity");
    if (const int status = check_preconditions(x, from); status != 0) return refuse(x, res, status);

    const Destination dest = destination_of(x);
    if (dest.status != 0) return refuse(x, res, dest.status, "Destination");
    const handlers::WriteTarget to = handlers::locate_for_write(rules, dest.path);
    if (to.status != 0) return refuse(x, res, to.status);
    if (to.decoded == from.decoded) return refuse(x, res, 403, "The source is the destination");
    // Into itself would never end; over its own ancestor would delete the source first.
    if (within(to.decoded, from.decoded) || (to.exists && within(from.decoded, to.decoded)))
        return refuse(x, res, 403, "The source and the destination overlap");
    if (handlers::holds_read_only(rules, to.decoded) ||
        (move && handlers::holds_read_only(rules, from.decoded)))
        return refuse(x, res, 403);
    if (to.exists && !overwrite) return refuse(x, res, 412);

    auto plan = std::make_shared<Plan>();
    plan->x = shared;
    plan->move = move;
    plan->recursive = x.depth != "0";
    plan->collection = collection;
    plan->from = from.fs_path;
    plan->to = to.fs_path;
    plan->to_decoded = to.decoded;
    // Copying a tree, deleting one, even a rename's fsync-free metadata work on a slow disk:
    // off the event loop.
    res.finish_blocking([plan](Response& out) { carry_out(*plan, out); });
}

} // namespace pier::webdav
