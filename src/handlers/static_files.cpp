#include "handlers/confinement.hpp"
#include "handlers/directory_listing.hpp"
#include "handlers/file_cache.hpp"
#include "handlers/file_writes.hpp"
#include "handlers/upload_file.hpp"
#include "http/char_class.hpp"
#include "http/mime_types.hpp"
#include "server/error_page.hpp"
#include "webdav/webdav.hpp"

#include <pier/date.hpp>
#include <pier/etag.hpp>
#include <pier/field_lists.hpp>
#include <pier/live_reload.hpp>
#include <pier/range.hpp>
#include <pier/static_files.hpp>
#include <pier/uri.hpp>

#include <algorithm>
#include <atomic>
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
using handlers::FileCache;
using handlers::FileIdentity;
using handlers::has_hidden_segment;
using handlers::ResolvedPath;

struct Config {
    StaticFilesOptions options;
    std::string root_real; // the root after symlink resolution, no trailing slash
    MimeTypes mime;
    std::uint64_t id = 0; // names this handler's per-thread file cache
    handlers::WriteRules writes;
};

// Confinement after symlink resolution (handlers/confinement.hpp).
int confine(const Config& cfg, const std::string& fs_path) {
    return handlers::confine(cfg.root_real, fs_path, cfg.options.follow_symlinks,
                             cfg.options.show_hidden);
}

// Whether `path` still names the file `identity` describes.
bool still_same(const std::string& path, const FileIdentity& identity) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && FileIdentity::of(st) == identity;
}

// Opens `path` and checks it is still the file `identity` describes; -1 if not (it changed
// since it was resolved: the caller resolves it again).
int open_same(const std::string& path, const FileIdentity& identity) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return -1;
    struct stat st {};
    if (fstat(fd, &st) != 0 || !(FileIdentity::of(st) == identity)) {
        close(fd);
        return -1;
    }
    return fd;
}

// Reads exactly `length` bytes at `offset`; false if the file came up short.
bool pread_all(int fd, char* out, std::uint64_t length, std::uint64_t offset) {
    std::uint64_t got = 0;
    while (got < length) {
        const ssize_t n = pread(fd, out + got, length - got, static_cast<off_t>(offset + got));
        if (n <= 0) return false;
        got += static_cast<std::uint64_t>(n);
    }
    return true;
}

// Whole file contents below the sendfile threshold, read once into the cache; false if the
// file at `path` is no longer the one `identity` describes (it changed since the stat).
bool read_whole(const std::string& path, const FileIdentity& identity, std::string& out) {
    const int fd = open_same(path, identity);
    if (fd < 0) return false;
    out.resize(static_cast<std::size_t>(identity.size));
    const bool ok = pread_all(fd, out.data(), out.size(), 0);
    close(fd);
    return ok;
}

// The validators and type of a regular file, from its stat.
void describe_file(const Config& cfg, const std::string& type_from, const struct stat& st,
                   ResolvedPath& r) {
    r.modified = std::chrono::sys_seconds(std::chrono::seconds(st.st_mtim.tv_sec));
    const std::int64_t mtime_ns =
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    r.etag = make_file_etag(static_cast<std::uint64_t>(st.st_size), mtime_ns, st.st_ino);
    r.last_modified = format_http_date(r.modified);
    r.content_type = cfg.mime.lookup(type_from);
}

// Where a request path leads on disk, from scratch: decoded exactly once (a "%252e" stays
// "%2e", never becomes "."), NUL refused, dot-segments resolved on the decoded path (so
// "%2e%2e" cannot climb either), hidden names refused, confined after symlink resolution.
ResolvedPath resolve(const Config& cfg, std::string_view raw_path) {
    ResolvedPath r;
    auto decoded = percent_decode(raw_path);
    if (!decoded) {
        r.status = 400;
        return r;
    }
    r.decoded = remove_dot_segments(*decoded);
    if (r.decoded.empty() || r.decoded.front() != '/') r.decoded.insert(0, "/");
    if ((!cfg.options.show_hidden && has_hidden_segment(r.decoded)) ||
        r.decoded.find(std::string("/") + std::string(handlers::kUploadPrefix)) !=
            std::string::npos) {
        r.status = 404; // as if absent: do not confirm that .git (or an upload) exists
        return r;
    }
    r.fs_path = cfg.root_real + r.decoded;
    r.status = confine(cfg, r.fs_path);
    if (r.status != 0) return r;
    struct stat st {};
    if (stat(r.fs_path.c_str(), &st) != 0) {
        r.status = errno == EACCES ? 403 : 404;
        return r;
    }
    r.identity = FileIdentity::of(st);
    r.verified_ms = FileCache::now_ms();
    r.is_dir = S_ISDIR(st.st_mode);
    if (r.is_dir) return r;
    // Not a directory, nor a file: a FIFO would block the loop on open, a device is nothing
    // to serve.
    if (!S_ISREG(st.st_mode)) {
        r.status = 403;
        return r;
    }
    describe_file(cfg, r.fs_path, st, r);
    struct stat sibling {};
    r.has_variants = stat((r.fs_path + ".br").c_str(), &sibling) == 0 ||
                     stat((r.fs_path + ".gz").c_str(), &sibling) == 0;
    if (static_cast<std::uint64_t>(st.st_size) < cfg.options.sendfile_threshold) {
        r.has_bytes = read_whole(r.fs_path, r.identity, r.bytes);
    } else if (const int fd = open_same(r.fs_path, r.identity); fd >= 0) {
        r.open_file = std::make_shared<const handlers::OpenFile>(fd);
    }
    return r;
}

// resolve(), remembered: a hit whose file still stats the same, and whose resolution is
// recent, is used as it is. Error answers are not kept (a missing file must be looked for
// again anyway) but returned in `scratch`. `fresh` forces a new resolution. The reference is
// valid until the next lookup on this thread.
const ResolvedPath& lookup(const Config& cfg, const Request& req, std::string_view raw_path,
                           bool fresh, ResolvedPath& scratch) {
    FileCache& cache = FileCache::for_thread(
        cfg.id, {cfg.options.cache_entries, cfg.options.cache_bytes, cfg.options.cache_open_files});
    // Only a thread that runs the loop reads the watcher's events (not the blocking pool).
    Loop* loop = req.loop().is_current() ? &req.loop() : nullptr;
    if (ResolvedPath* hit = fresh ? nullptr : cache.find(raw_path)) {
        if (FileCache::now_ms() - hit->verified_ms < FileCache::kRecheckMs &&
            (cache.watched(*hit, loop) || still_same(hit->fs_path, hit->identity)))
            return *hit;
    }
    scratch = resolve(cfg, raw_path);
    if (scratch.status != 0) return scratch;
    // Watched from now on; a change between the resolution and the watch would go unseen, so
    // the file is looked at once more (a miss only).
    scratch.watch = cache.watch_directory_of(scratch.fs_path, loop);
    if (scratch.watch >= 0 && !still_same(scratch.fs_path, scratch.identity))
        return scratch; // changing as we look: serve this answer, keep none
    return cache.put(raw_path, std::move(scratch));
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

// Where a representation's bytes come from: the cache's copy of a small file, the cache's
// open descriptor of a large one, or a file opened for this response (closed by the Response,
// or here when unused).
struct Source {
    const std::string* bytes = nullptr;
    int fd = -1;
    std::shared_ptr<const void> owner; // set: fd is the cache's (an OpenFile), not ours

    Source() = default;
    Source(const Source&) = delete;
    Source& operator=(const Source&) = delete;
    ~Source() {
        if (fd >= 0 && !owner) close(fd);
    }
    // Copies [offset, offset + length) to `out` at `at`; false if the file came up short.
    bool read(std::uint64_t offset, std::uint64_t length, std::string& out, std::size_t at) const {
        if (bytes != nullptr) {
            out.replace(at, length, *bytes, offset, length);
            return true;
        }
        return pread_all(fd, out.data() + at, length, offset);
    }
};

// Bytes [offset, offset + length) as the body: copied into it when small, sent with sendfile
// otherwise.
void send_range(const Config& cfg, Response& res, Source& src, std::uint64_t offset,
                std::uint64_t length) {
    if (src.fd >= 0 && length >= cfg.options.sendfile_threshold) {
        res.set_file(std::exchange(src.fd, -1), offset, length, std::move(src.owner));
        return;
    }
    std::string& body = res.body();
    body.resize(length);
    if (!src.read(offset, length, body, 0)) server::fill_error(res, 500); // the file shrank
}

// Several ranges: a multipart/byteranges body (RFC 9110 §14.6), assembled in memory up to a
// bound. False when over it.
bool send_multipart(const Config& cfg, Response& res, const Source& src, const RangeRequest& range,
                    std::string_view type, std::uint64_t size) {
    std::uint64_t total = 0;
    for (const ByteRange& r : range.ranges) total += r.length();
    if (total > cfg.options.max_multirange_bytes) return false;
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
        if (!src.read(r.first, r.length(), body, at)) return false;
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

enum class Served : std::uint8_t {
    done,
    changed, // the file changed while being served: resolve it again
};

// Pages past this size are sent as they are, without the snippet.
constexpr std::uint64_t kMaxInjectedPage = std::uint64_t{8} << 20;

bool injects_into(const Config& cfg, const ResolvedPath& file) {
    return !cfg.options.html_snippet.empty() && file.content_type.starts_with("text/html") &&
           static_cast<std::uint64_t>(file.identity.size) <= kMaxInjectedPage;
}

// An HTML page with the snippet (live reload's script) inserted: another representation than
// the file on disk, so it has its own validator — the file's ETag with a suffix — and an ETag a
// client holds for the file itself never matches it. Ranges are not offered: the whole page
// goes out (RFC 9110 §14.2 lets a server ignore Range).
Served serve_injected(const Config& cfg, const Request& req, Response& res,
                      const ResolvedPath& file, Source& src) {
    std::string page;
    const auto size = static_cast<std::uint64_t>(file.identity.size);
    page.resize(size);
    if (!src.read(0, size, page, 0)) return Served::changed;
    std::string tag = file.etag;
    tag.insert(tag.empty() ? 0 : tag.size() - 1, "-s");
    const EntityTag etag = *parse_entity_tag(tag);
    res.set_header("Last-Modified", file.last_modified);
    res.set_header("ETag", tag);
    if (!cfg.options.cache_control.empty())
        res.set_header("Cache-Control", cfg.options.cache_control);
    add_common_fields(cfg, res);
    if (const int status = evaluate_preconditions(req, etag, file.modified); status != 0) {
        if (status == 412) {
            server::fill_error(res, 412);
            add_common_fields(cfg, res);
        } else {
            res.set_status(304);
        }
        return Served::done;
    }
    res.set_body(inject_before_body_end(page, cfg.options.html_snippet), file.content_type);
    return Served::done;
}

Served serve_file(const Config& cfg, const Request& req, Response& res, const ResolvedPath& file) {
    // The representation sent: the file, or a precompressed sibling with its own validators
    // (it is another representation) and the original's type.
    // A page that takes the snippet is sent as it is on disk, whatever the client accepts: the
    // snippet cannot go into a sibling's compressed bytes, and a page without it never reloads.
    const bool injects = injects_into(cfg, file);
    const Variant variant =
        file.has_variants && !injects ? precompressed(cfg, req, file.fs_path) : Variant{};
    ResolvedPath sibling;
    const ResolvedPath* rep = &file;
    Source src;
    if (!variant.path.empty()) {
        src.fd = open(variant.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        struct stat st {};
        if (src.fd < 0 || fstat(src.fd, &st) != 0 || !S_ISREG(st.st_mode)) return Served::changed;
        sibling.identity = FileIdentity::of(st);
        describe_file(cfg, file.fs_path, st, sibling);
        rep = &sibling;
    } else if (file.has_bytes) {
        src.bytes = &file.bytes;
    } else if (file.open_file) {
        src.fd = file.open_file->fd;
        src.owner = file.open_file;
    } else {
        src.fd = open_same(file.fs_path, file.identity);
        if (src.fd < 0) return Served::changed;
    }
    if (injects) return serve_injected(cfg, req, res, file, src);
    const EntityTag etag = *parse_entity_tag(rep->etag);

    res.set_header("Last-Modified", rep->last_modified);
    res.set_header("ETag", rep->etag);
    if (!variant.path.empty()) res.set_header("Content-Encoding", variant.encoding);
    // Whether or not a variant was chosen, caches must key on Accept-Encoding if one could be.
    if (file.has_variants) res.set_header("Vary", "Accept-Encoding");
    if (!cfg.options.cache_control.empty())
        res.set_header("Cache-Control", cfg.options.cache_control);
    add_common_fields(cfg, res);
    if (const int status = evaluate_preconditions(req, etag, rep->modified); status != 0) {
        if (status == 412) { // an error page; a 304 keeps the validators set above
            server::fill_error(res, 412);
            add_common_fields(cfg, res);
        } else {
            res.set_status(304);
        }
        return Served::done;
    }
    const std::string_view type = file.content_type;
    const auto size = static_cast<std::uint64_t>(rep->identity.size);
    res.set_header("Accept-Ranges", "bytes");
    const RangeRequest range = wanted_ranges(req, etag, rep->modified, size);
    if (range.status == RangeStatus::unsatisfiable) {
        error(cfg, res, 416);
        res.set_header("Content-Range", "bytes */" + std::to_string(size));
        return Served::done;
    }
    if (range.status == RangeStatus::satisfiable && range.ranges.size() > 1) {
        if (send_multipart(cfg, res, src, range, type, size)) return Served::done;
        // Too much to assemble in memory: the whole file it is (a server may ignore Range).
    } else if (range.status == RangeStatus::satisfiable) {
        const ByteRange& r = range.ranges.front();
        res.set_status(206);
        res.set_header("Content-Range", "bytes " + std::to_string(r.first) + "-" +
                                            std::to_string(r.last) + "/" + std::to_string(size));
        res.set_header("Content-Type", type);
        send_range(cfg, res, src, r.first, r.length());
        return Served::done;
    }
    res.set_header("Content-Type", type);
    send_range(cfg, res, src, 0, size);
    return Served::done;
}

// A file, served from what the cache knows of it; if it changed under the cached answer, once
// more from a fresh resolution.
void serve_resolved_file(const Config& cfg, const Request& req, Response& res, std::string_view key,
                         const ResolvedPath& file) {
    if (serve_file(cfg, req, res, file) == Served::done) return;
    res.clear();
    ResolvedPath scratch;
    const ResolvedPath& again = lookup(cfg, req, key, true, scratch);
    if (again.status != 0 || again.is_dir) {
        error(cfg, res, again.status != 0 ? again.status : 404);
        return;
    }
    if (serve_file(cfg, req, res, again) == Served::changed) error(cfg, res, 500);
}

// Where the redirect from a directory to its slash form points. A browser reads a Location
// that starts with "//" as another host, and one that starts with "/\" too (the WHATWG URL
// parser takes '\' for '/' in http and https URLs): repeating the target as it came made
// "/\evil.example/%2e%2e/dir" redirect to "/\evil.example/%2e%2e/dir/", that is to
// http://evil.example/dir/ — an open redirect. So the Location is built from the path as
// resolved (decoded once, dot-segments removed: what was served) with any leading "//" it
// decoded to collapsed (Python's gh-87389 guard, after decoding this time), and encoded again,
// a '\' as %5C. It is one '/' then neither '/' nor '\', as text and once decoded, and names
// the same directory, pier decoding a target once. The query is kept as it came, only what a
// URI cannot carry escaped (RFC 3986 has no '\' either).
std::string slash_redirect_location(std::string_view resolved_path, std::string_view query) {
    std::string location = percent_encode_path(collapse_leading_slashes(resolved_path));
    if (location.back() != '/') location += '/';
    if (query.empty()) return location;
    location += '?';
    for (const char c : percent_encode_raw_bytes(query)) {
        if (c == '\\')
            location += "%5C";
        else
            location += c;
    }
    return location;
}

// Scripts ask for the listing as JSON with Accept: application/json; browsers, which accept
// text/html at least as much, get the page.
bool wants_json(const Request& req) {
    std::uint16_t json = 0;
    std::uint16_t html = 0;
    for (const Weighted w : weighted_elements(req.fields().get(FieldId::accept))) {
        // Media types compare case-insensitively (RFC 9110 §8.3.1).
        if (detail::iequals(w.value, "application/json")) json = std::max(json, w.q);
        if (detail::iequals(w.value, "text/html")) html = std::max(html, w.q);
    }
    return json > html;
}

void list_directory(const Config& cfg, Response& res, const std::string& dir,
                    const std::string& display, std::string_view query, bool json) {
    std::vector<DirectoryEntry> entries;
    const auto serves_link = [&cfg](const std::string& path) { return confine(cfg, path) == 0; };
    if (!handlers::read_directory(dir, cfg.options.show_hidden, serves_link, entries)) {
        error(cfg, res, errno == EACCES ? 403 : 404);
        return;
    }
    if (json) {
        res.set_body(handlers::render_listing_json(display, std::move(entries), query),
                     "application/json");
    } else {
        std::string page =
            handlers::render_listing(display, std::move(entries), query, cfg.options.upload);
        if (!cfg.options.html_snippet.empty())
            page = inject_before_body_end(page, cfg.options.html_snippet);
        res.set_body(std::move(page), "text/html; charset=utf-8");
    }
    res.set_header("Vary", "Accept"); // the same URL has two representations
    res.set_header("Cache-Control", "no-cache");
    add_common_fields(cfg, res);
}

std::string_view allowed_methods(const Config& cfg) {
    if (!cfg.options.upload) return "GET, HEAD, OPTIONS";
    return cfg.options.allow_delete ? "GET, HEAD, OPTIONS, PUT, POST, DELETE"
                                    : "GET, HEAD, OPTIONS, PUT, POST";
}

void serve(const Config& cfg, const Request& req, Response& res) {
    if (cfg.options.webdav && webdav::serve(cfg.writes, req, res)) return;
    switch (req.method()) {
    case Method::get:
    case Method::head:
        break;
    case Method::options:
        res.set_status(204);
        res.set_header("Allow", allowed_methods(cfg));
        add_common_fields(cfg, res);
        return;
    default:
        if (cfg.options.upload && handlers::serve_write(cfg.writes, req, res)) return;
        error(cfg, res, 405);
        res.set_header("Allow", allowed_methods(cfg));
        return;
    }
    ResolvedPath scratch;
    const ResolvedPath& t = lookup(cfg, req, req.path(), false, scratch);
    if (t.status != 0) {
        error(cfg, res, t.status);
        return;
    }
    if (!t.is_dir) {
        // "file/" names a directory that is not there.
        if (t.decoded.back() == '/' && t.decoded != "/") {
            error(cfg, res, 404);
            return;
        }
        serve_resolved_file(cfg, req, res, req.path(), t);
        return;
    }
    if (req.path().empty() || req.path().back() != '/') {
        // Relative links in the listing need the slash: redirect, keeping the query.
        res.set_status(301);
        res.set_header("Location", slash_redirect_location(t.decoded, req.query()));
        add_common_fields(cfg, res);
        return;
    }
    // Copied: looking up the index files may replace the directory's cache entry.
    std::string dir = t.fs_path;
    if (dir.back() != '/') dir += '/';
    std::string display = t.decoded;
    if (display.back() != '/') display += '/';
    for (const std::string& index : cfg.options.index) {
        // Through the cache as a request for the index itself would go (the name encoded, so
        // that decoding it gives it back).
        const std::string key = std::string(req.path()) + percent_encode_path(index);
        ResolvedPath index_scratch;
        const ResolvedPath& file = lookup(cfg, req, key, false, index_scratch);
        if (file.status != 0 || file.is_dir) continue;
        serve_resolved_file(cfg, req, res, key, file);
        return;
    }
    if (!cfg.options.listing) {
        error(cfg, res, 403);
        return;
    }
    // Reading, stat-ing and sorting a large directory takes milliseconds: done on the blocking
    // pool, so other clients of this event loop do not wait for it.
    res.finish_blocking([&cfg, dir = std::move(dir), display = std::move(display),
                         query = std::string(req.query()), json = wants_json(req)](Response& out) {
        list_directory(cfg, out, dir, display, query, json);
    });
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
    handlers::WriteRules& w = cfg->writes;
    w.root_real = cfg->root_real;
    w.show_hidden = cfg->options.show_hidden;
    w.allow_delete = cfg->options.allow_delete;
    w.overwrite = cfg->options.overwrite;
    w.durable = cfg->options.durable_uploads;
    w.webdav = cfg->options.webdav;
    w.read_only = cfg->options.read_only;
    const Config* c = cfg.get(); // the handler's closure keeps cfg alive, and so the rules
    w.add_common_fields = [c](Response& res) { add_common_fields(*c, res); };
    static std::atomic<std::uint64_t> next_id{1};
    cfg->id = next_id.fetch_add(1, std::memory_order_relaxed);
    return [cfg](const Request& req, Response& res) { serve(*cfg, req, res); };
}

} // namespace pier
