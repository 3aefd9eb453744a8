// The WebDAV methods' front door: which method it is, who may send it, and the body taken
// before the method runs. PROPFIND is in propfind.cpp, PROPPATCH in proppatch.cpp, COPY and
// MOVE in copy_move.cpp; OPTIONS and MKCOL are small enough to live here.
#include "webdav/webdav.hpp"

#include "handlers/same_origin.hpp"
#include "webdav/exchange.hpp"

#include <pier/uri.hpp>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <sys/stat.h>

namespace pier::webdav {
namespace {

enum class Kind : std::uint8_t {
    options,
    propfind,
    proppatch,
    mkcol,
    copy,
    move,
};

std::optional<Kind> kind_of(const Request& req) {
    if (req.method() == Method::options) return Kind::options;
    if (req.method() != Method::extension) return std::nullopt;
    const std::string_view m = req.method_name(); // method names are case-sensitive
    if (m == "PROPFIND") return Kind::propfind;
    if (m == "PROPPATCH") return Kind::proppatch;
    if (m == "MKCOL") return Kind::mkcol;
    if (m == "COPY") return Kind::copy;
    if (m == "MOVE") return Kind::move;
    return std::nullopt;
}

std::string_view allowed_methods(const handlers::WriteRules& rules) {
    return rules.allow_delete ? "OPTIONS, GET, HEAD, PUT, POST, DELETE, PROPFIND, PROPPATCH, "
                                "MKCOL, COPY, MOVE"
                              : "OPTIONS, GET, HEAD, PUT, POST, PROPFIND, PROPPATCH, MKCOL, "
                                "COPY, MOVE";
}

// RFC 4918 §10.1: DAV: 1 is class 1, no locks. MS-Author-Via tells Windows' WebDAV client
// (and Office) to write with WebDAV rather than FrontPage extensions.
void serve_options(const Exchange& x, Response& res) {
    res.set_header("DAV", "1");
    res.set_header("MS-Author-Via", "DAV");
    res.set_header("Allow", allowed_methods(*x.rules));
    answer(x, res, 200);
}

// RFC 4918 §9.3: a collection where nothing is yet, in an existing collection.
void serve_mkcol(const Exchange& x, Response& res) {
    // MKCOL with a body would ask for a collection of some kind described in it; there is
    // only one kind here (§9.3.1).
    if (!x.body.empty()) return refuse(x, res, 415, "MKCOL with a body is not supported");
    const handlers::WriteTarget t = handlers::locate_for_write(*x.rules, x.path);
    if (t.status != 0) return refuse(x, res, t.status);
    if (t.exists) {
        refuse(x, res, 405, "Something already exists there");
        res.set_header("Allow", allowed_methods(*x.rules));
        return;
    }
    if (const int status = check_preconditions(x, t); status != 0) return refuse(x, res, status);
    if (mkdir(t.fs_path.c_str(), 0777) != 0) { // the umask decides, as for mkdir(1)
        const int error = errno;
        return refuse(x, res, error == EEXIST ? 405 : handlers::status_for_write_error(error),
                      std::strerror(error));
    }
    res.set_header("Location", href_of(t.decoded, true));
    answer(x, res, 201);
}

void run(Kind kind, const SharedExchange& x, Response& res) {
    switch (kind) {
    case Kind::propfind:
        return serve_propfind(x, res);
    case Kind::proppatch:
        return serve_proppatch(x, res);
    case Kind::mkcol:
        return serve_mkcol(*x, res);
    case Kind::copy:
        return serve_copy_move(x, res, false);
    case Kind::move:
        return serve_copy_move(x, res, true);
    default:
        return refuse(*x, res, 500);
    }
}

std::shared_ptr<Exchange> copy_request(const handlers::WriteRules& rules, const Request& req) {
    auto x = std::make_shared<Exchange>();
    x->rules = &rules;
    x->path = req.path();
    x->host = req.host();
    x->scheme = req.scheme();
    x->depth = req.header("Depth");
    x->destination = req.header("Destination");
    x->overwrite = req.header("Overwrite");
    x->if_match = req.header("If-Match");
    x->if_none_match = req.header("If-None-Match");
    x->body = req.body();
    return x;
}

bool declared_too_large(const Request& req) {
    const std::string_view length = req.header("Content-Length");
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), n);
    return ec == std::errc::result_out_of_range || (ec == std::errc() && n > kMaxXmlBody);
}

} // namespace

bool serve(const handlers::WriteRules& rules, const Request& req, Response& res) {
    const auto kind = kind_of(req);
    if (!kind) return false;
    auto x = copy_request(rules, req);
    if (*kind == Kind::options) {
        serve_options(*x, res);
        return true;
    }
    // PROPFIND only reads; the others change something, which another site's page must not
    // make a visitor's browser do (same_origin.hpp).
    if (*kind != Kind::propfind && handlers::is_cross_site(req)) {
        refuse(*x, res, 403, "Cross-site request refused");
        return true;
    }
    if (!handlers::body_to_come(req)) {
        if (x->body.size() > kMaxXmlBody)
            refuse(*x, res, 413);
        else
            run(*kind, x, res);
        return true;
    }
    // Refused before a byte of it is read when its length says so (the connection then
    // closes); a chunked one is counted as it comes and the rest drained.
    if (declared_too_large(req)) {
        refuse(*x, res, 413);
        return true;
    }
    auto too_large = std::make_shared<bool>(false);
    res.read_body(
        [x, too_large](std::string_view piece) {
            if (*too_large) return;
            if (x->body.size() + piece.size() > kMaxXmlBody) {
                *too_large = true;
                x->body.clear();
                return;
            }
            x->body.append(piece);
        },
        [x, too_large, kind = *kind](Response& out) {
            if (*too_large) return refuse(*x, out, 413);
            run(kind, x, out);
        });
    return true;
}

} // namespace pier::webdav
