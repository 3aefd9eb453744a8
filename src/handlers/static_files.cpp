#include "handlers/directory_listing.hpp"
#include "handlers/mime_types.hpp"
#include "server/error_page.hpp"

#include <pier/date.hpp>
#include <pier/etag.hpp>
#include <pier/field_lists.hpp>
#include <pier/range.hpp>
#include <pier/static_files.hpp>
#include <pier/uri.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace pier {
namespace {

using handlers::DirectoryEntry;

struct Config {
    StaticFilesOptions options;
    std::string root_real; // the root after symlink resolution, no trailing slash
    handlers::MimeTypes mime;
};

// Where a request path leads on disk, or why it leads nowhere.
struct Target {
    int status = 0;      // non-zero: answer this
    std::string fs_path; // the file or directory
    std::string decoded; // the URL path, decoded and normalised ("/a b/")
};

bool has_hidden_segment(std::string_view path) {
    for (std::size_t i = 0; i < path.size(); ++i)
        if (path[i] == '/' && i + 1 < path.size() && path[i + 1] == '.') return true;
    return false;
}

// Confinement after symlink resolution: unless links may be followed, the real path must stay
// under the root. 0 when it does; 403 / 404 otherwise.
int confine(const Config& cfg, const std::string& fs_path) {
    if (cfg.options.follow_symlinks) return 0;
    char resolved[PATH_MAX];
    if (realpath(fs_path.c_str(), resolved) == nullptr) return errno == EACCES ? 403 : 404;
    const std::string_view real = resolved;
    const std::string_view root = cfg.root_real;
    if (real == root || root.empty()) return 0;
    return real.substr(0, root.size()) == root && real.size() > root.size() &&
                   real[root.size()] == '/'
               ? 0
               : 404;
}

Target locate(const Config& cfg, std::string_view raw_path) {
    Target t;
    // Decode exactly once (a "%252e" stays "%2e", never becomes "."), refusing NUL.
    auto decoded = percent_decode(raw_path);
    if (!decoded) {
        t.status = 400;
        return t;
    }
    // Dot-segments are resolved on the decoded path, so "%2e%2e" cannot climb either.
    t.decoded = remove_dot_segments(*decoded);
    if (t.decoded.empty() || t.decoded.front() != '/') t.decoded.insert(0, "/");
    if (!cfg.options.show_hidden && has_hidden_segment(t.decoded)) {
        t.status = 404; // as if absent: do not confirm that .git exists
        return t;
    }
    t.fs_path = cfg.root_real + t.decoded;
    t.status = confine(cfg, t.fs_path);
    return t;
}

void add_common_fields(const Config& cfg, Response& res) {
    if (cfg.options.cors) res.set_header("Access-Control-Allow-Origin", "*");
    for (const auto& [name, value] : cfg.options.extra_headers) res.add_header(name, value);
}

void error(const Config& cfg, Response& res, int status) {
    server::fill_error(res, status);
    add_common_fields(cfg, res);
}

// RFC 9110 §13.2.2: the preconditions, in their order. Returns 0 to go on, or 304 / 412.
int evaluate_preconditions(const Request& req, const EntityTag& etag,
                           std::chrono::sys_seconds modified) {
    const Fields& f = req.fields();
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    // A date in the future is no date: "HTTP Made Really Easy" and RFC 9110 §13.1.3.
    auto valid_date = [&](FieldId id) -> std::optional<std::chrono::sys_seconds> {
        if (!f.contains(id)) return std::nullopt;
        auto d = parse_http_date(f.get(id));
        if (!d || *d > now) return std::nullopt;
        return *d;
    };
    if (f.contains(FieldId::if_match)) {
        const auto m = etag_list_matches(f.get(FieldId::if_match), etag, EtagComparison::strong);
        // A malformed list matches nothing (as nginx): a garbled precondition must not let a
        // request through that a correct one would stop.
        if (!m || !*m) return 412;
    } else if (const auto since = valid_date(FieldId::if_unmodified_since)) {
        if (modified > *since) return 412;
    }
    const bool safe = req.method() == Method::get || req.method() == Method::head;
    if (f.contains(FieldId::if_none_match)) {
        const auto m = etag_list_matches(f.get(FieldId::if_none_match), etag, EtagComparison::weak);
        if (m && *m) return safe ? 304 : 412;
    } else if (safe) {
        if (const auto since = valid_date(FieldId::if_modified_since); since && modified <= *since)
            return 304;
    }
    return 0;
}

// Range applies to GET only, and only while If-Range (when sent) still names this
// representation: its strong entity-tag, or exactly its Last-Modified date (RFC 9110 §13.1.5).
RangeRequest wanted_ranges(const Request& req, const EntityTag& etag,
                           std::chrono::sys_seconds modified, std::uint64_t size) {
    const Fields& f = req.fields();
    if (req.method() != Method::get || !f.contains(FieldId::range)) return {};
    if (f.contains(FieldId::if_range)) {
        const std::string_view v = f.get(FieldId::if_range);
        if (const auto tag = parse_entity_tag(v)) {
            if (!strong_match(*tag, etag)) return {};
        } else if (const auto date = parse_http_date(v); !date || *date != modified) {
            return {};
        }
    }
    return parse_byte_ranges(f.get(FieldId::range), size);
}

// Bytes [offset, offset + length) of the file as the body: read into it when small, sent with
// sendfile otherwise. Takes ownership of fd.
void send_range(const Config& cfg, Response& res, int fd, std::uint64_t offset,
                std::uint64_t length) {
    if (length >= cfg.options.sendfile_threshold) {
        res.set_file(fd, offset, length);
        return;
    }
    std::string& body = res.body();
    body.resize(length);
    std::size_t got = 0;
    while (got < length) {
        const ssize_t n =
            pread(fd, body.data() + got, length - got, static_cast<off_t>(offset + got));
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    close(fd);
    if (got != length) {
        server::fill_error(res, 500); // the file shrank while being read
    }
}

// Several ranges: a multipart/byteranges body (RFC 9110 §14.6), assembled in memory up to a
// bound. False when over it.
bool send_multipart(Response& res, int fd, const RangeRequest& range, std::string_view type,
                    std::uint64_t size) {
    constexpr std::uint64_t kMaxAssembled = 16 * 1024 * 1024;
    std::uint64_t total = 0;
    for (const ByteRange& r : range.ranges) total += r.length();
    if (total > kMaxAssembled) return false;
    // A boundary that cannot occur in the parts' headers, and is unlikely in their data.
    char boundary[40];
    std::snprintf(boundary, sizeof boundary, "pier-%016llx",
                  static_cast<unsigned long long>(size * 0x9e3779b97f4a7c15ull ^ total));
    std::string body;
    body.reserve(static_cast<std::size_t>(total) + range.ranges.size() * 128);
    for (const ByteRange& r : range.ranges) {
        body.append("\r\n--").append(boundary).append("\r\nContent-Type: ").append(type);
        body.append("\r\nContent-Range: bytes ").append(std::to_string(r.first)).append("-");
        body.append(std::to_string(r.last))
            .append("/")
            .append(std::to_string(size))
            .append("\r\n\r\n");
        const std::size_t at = body.size();
        body.resize(at + r.length());
        std::size_t got = 0;
        while (got < r.length()) {
            const ssize_t n = pread(fd, body.data() + at + got, r.length() - got,
                                    static_cast<off_t>(r.first + got));
            if (n <= 0) return false;
            got += static_cast<std::size_t>(n);
        }
    }
    body.append("\r\n--").append(boundary).append("--\r\n");
    res.set_status(206);
    res.set_body(std::move(body), std::string("multipart/byteranges; boundary=") + boundary);
    return true;
}

// A precompressed sibling ("app.js.br", "app.js.gz") the client accepts, best first: sent
// with Content-Encoding, the original's type, and its own ETag (it is another
// representation). Empty when there is none to use.
struct Variant {
    std::string path;
    std::string_view encoding;
};

Variant precompressed(const Config& cfg, const Request& req, const std::string& path) {
    const std::string_view accept = req.fields().get(FieldId::accept_encoding);
    if (accept.empty()) return {};
    static constexpr std::pair<std::string_view, std::string_view> kCodings[] = {{"br", ".br"},
                                                                                 {"gzip", ".gz"}};
    Variant best;
    std::uint16_t best_q = 0;
    for (const auto& [coding, suffix] : kCodings) {
        const std::uint16_t q = accept_encoding_quality(accept, coding);
        if (q <= best_q) continue;
        std::string candidate = path;
        candidate.append(suffix);
        struct stat st {};
        if (stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (confine(cfg, candidate) != 0) continue;
        best = {std::move(candidate), coding};
        best_q = q;
    }
    return best;
}

void serve_file(const Config& cfg, const Request& req, Response& res, const std::string& path) {
    const Variant variant = precompressed(cfg, req, path);
    // Whether or not a variant exists, caches must key on Accept-Encoding if one could.
    const bool has_variants = !variant.path.empty() || [&] {
        struct stat st {};
        return stat((path + ".br").c_str(), &st) == 0 || stat((path + ".gz").c_str(), &st) == 0;
    }();
    const std::string& chosen = variant.path.empty() ? path : variant.path;
    const int fd = open(chosen.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error(cfg, res, errno == EACCES ? 403 : 404);
        return;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        error(cfg, res, S_ISREG(st.st_mode) ? 500 : 403);
        return;
    }
    const auto modified = std::chrono::sys_seconds(std::chrono::seconds(st.st_mtim.tv_sec));
    const std::int64_t mtime_ns =
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    const std::string etag_text =
        make_file_etag(static_cast<std::uint64_t>(st.st_size), mtime_ns, st.st_ino);
    const EntityTag etag = *parse_entity_tag(etag_text);

    res.set_header("Last-Modified", format_http_date(modified));
    res.set_header("ETag", etag_text);
    if (!variant.path.empty()) res.set_header("Content-Encoding", variant.encoding);
    if (has_variants) res.set_header("Vary", "Accept-Encoding");
    if (!cfg.options.cache_control.empty())
        res.set_header("Cache-Control", cfg.options.cache_control);
    add_common_fields(cfg, res);
    if (const int status = evaluate_preconditions(req, etag, modified); status != 0) {
        close(fd);
        if (status == 412) { // an error page; a 304 keeps the validators set above
            server::fill_error(res, 412);
            add_common_fields(cfg, res);
        } else {
            res.set_status(304);
        }
        return;
    }
    const std::string_view type = cfg.mime.lookup(path);
    const auto size = static_cast<std::uint64_t>(st.st_size);
    res.set_header("Accept-Ranges", "bytes");
    const RangeRequest range = wanted_ranges(req, etag, modified, size);
    if (range.status == RangeStatus::unsatisfiable) {
        close(fd);
        error(cfg, res, 416);
        res.set_header("Content-Range", "bytes */" + std::to_string(size));
        return;
    }
    if (range.status == RangeStatus::satisfiable && range.ranges.size() > 1) {
        if (send_multipart(res, fd, range, type, size)) {
            close(fd);
            return;
        }
        // Too much to assemble in memory: the whole file it is (a server may ignore Range).
    } else if (range.status == RangeStatus::satisfiable) {
        const ByteRange& r = range.ranges.front();
        res.set_status(206);
        res.set_header("Content-Range", "bytes " + std::to_string(r.first) + "-" +
                                            std::to_string(r.last) + "/" + std::to_string(size));
        res.set_header("Content-Type", type);
        send_range(cfg, res, fd, r.first, r.length());
        return;
    }
    res.set_header("Content-Type", type);
    send_range(cfg, res, fd, 0, size);
}

// Scripts ask for the listing as JSON with Accept: application/json; browsers, which accept
// text/html at least as much, get the page.
bool wants_json(const Request& req) {
    std::uint16_t json = 0;
    std::uint16_t html = 0;
    for (const Weighted w : weighted_elements(req.fields().get(FieldId::accept))) {
        if (w.value == "application/json") json = std::max(json, w.q);
        if (w.value == "text/html") html = std::max(html, w.q);
    }
    return json > html;
}

void serve(const Config& cfg, const Request& req, Response& res) {
    switch (req.method()) {
    case Method::get:
    case Method::head:
        break;
    case Method::options:
        res.set_status(204);
        res.set_header("Allow", "GET, HEAD, OPTIONS");
        add_common_fields(cfg, res);
        return;
    default:
        error(cfg, res, 405);
        res.set_header("Allow", "GET, HEAD, OPTIONS");
        return;
    }
    const Target t = locate(cfg, req.path());
    if (t.status != 0) {
        error(cfg, res, t.status);
        return;
    }
    struct stat st {};
    if (stat(t.fs_path.c_str(), &st) != 0) {
        error(cfg, res, errno == EACCES ? 403 : 404);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        // "file/" names a directory that is not there.
        if (t.decoded.back() == '/' && t.decoded != "/") {
            error(cfg, res, 404);
            return;
        }
        serve_file(cfg, req, res, t.fs_path);
        return;
    }
    if (req.path().empty() || req.path().back() != '/') {
        // Relative links in the listing need the slash: redirect, keeping the query.
        std::string location(req.path());
        location += '/';
        if (!req.query().empty()) location.append("?").append(req.query());
        res.set_status(301);
        res.set_header("Location", location);
        add_common_fields(cfg, res);
        return;
    }
    std::string dir = t.fs_path;
    if (dir.back() != '/') dir += '/';
    for (const std::string& index : cfg.options.index) {
        struct stat ist {};
        const std::string candidate = dir + index;
        if (stat(candidate.c_str(), &ist) == 0 && S_ISREG(ist.st_mode)) {
            if (confine(cfg, candidate) != 0) continue; // an index linking outside the root
            serve_file(cfg, req, res, candidate);
            return;
        }
    }
    if (!cfg.options.listing) {
        error(cfg, res, 403);
        return;
    }
    std::vector<DirectoryEntry> entries;
    if (!handlers::read_directory(dir, cfg.options.show_hidden, entries)) {
        error(cfg, res, errno == EACCES ? 403 : 404);
        return;
    }
    std::string display = t.decoded;
    if (display.back() != '/') display += '/';
    if (wants_json(req)) {
        res.set_body(handlers::render_listing_json(display, std::move(entries), req.query()),
                     "application/json");
    } else {
        res.set_body(handlers::render_listing(display, std::move(entries), req.query()),
                     "text/html; charset=utf-8");
    }
    res.set_header("Vary", "Accept"); // the same URL has two representations
    res.set_header("Cache-Control", "no-cache");
    add_common_fields(cfg, res);
}

} // namespace

Handler static_files(StaticFilesOptions options) {
    auto cfg = std::make_shared<Config>();
    char resolved[PATH_MAX];
    if (realpath(options.root.c_str(), resolved) == nullptr)
        throw std::runtime_error("cannot serve '" + options.root + "': " + std::strerror(errno));
    struct stat st {};
    if (stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode))
        throw std::runtime_error("cannot serve '" + options.root + "': not a directory");
    cfg->root_real = resolved;
    if (cfg->root_real == "/") cfg->root_real.clear(); // "/" + path, not "//" + path
    cfg->options = std::move(options);
    return [cfg](const Request& req, Response& res) { serve(*cfg, req, res); };
}

} // namespace pier
