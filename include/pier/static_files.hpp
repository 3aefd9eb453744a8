// Serving a directory tree: what `pier serve` is, and what a program can mount on a Router.
//
//     pier::StaticFilesOptions options;
//     options.root = "./site";
//     router.mount("/", pier::static_files(options));
//
// GET and HEAD of files (sendfile for large ones), Last-Modified, strong ETags and the
// conditional requests of RFC 9110 §13, directories as index files or an HTML listing, and
// confinement to the root: percent-decoded once, NUL refused, dot-segments resolved, symlinks
// leading outside refused unless followed on purpose, dot-files hidden unless asked for.
//
// With `upload`, also writes (mount it with RouteOptions::stream_body, so bodies stream to
// disk): PUT of a file — to a hidden temporary beside it, fsync, rename, so readers never see
// part of one — with If-Match / If-None-Match checked first (201 + Location when created, 204
// when replaced, 409 without the parent directory, 507 when the disk is full); a browser
// form's files POSTed to a directory (multipart/form-data); DELETE with `allow_delete`.
// Writes never leave the root (links out of it are not written through, whatever
// follow_symlinks says), never touch `read_only` paths, and are refused to pages of other
// sites. A process that writes uploads under RLIMIT_FSIZE should ignore SIGXFSZ (pier serve
// does), so a file over the limit is a 507 rather than the end of the process.
#pragma once

#include <pier/router.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pier {

struct StaticFilesOptions {
    std::string root = ".";
    std::vector<std::string> index = {"index.html", "index.htm"};
    bool listing = true;
    /// Serve and list names starting with '.': off, so a served folder's .git or .env is not
    /// exposed by accident.
    bool show_hidden = false;
    /// Follow symbolic links that lead outside the root; off: such a link is refused (404).
    bool follow_symlinks = false;
    /// Cache-Control for files: "no-cache" lets browsers keep a copy but revalidate it, so
    /// an edit shows at once and an unchanged file costs only a 304.
    std::string cache_control = "no-cache";
    /// Adds Access-Control-Allow-Origin: * (for local development against another origin).
    bool cors = false;
    /// Fields added to every response ("--header 'Name: value'").
    std::vector<std::pair<std::string, std::string>> extra_headers;
    /// Files smaller than this are read and sent with the head in one write; larger ones go
    /// out with sendfile (for tiny files sendfile costs more than it saves).
    std::uint64_t sendfile_threshold = std::uint64_t{16} * 1024;
    /// Several ranges are answered as one multipart/byteranges body assembled in memory, up
    /// to this many bytes of parts; past it the whole file is sent instead (200), as RFC 9110
    /// §14.2 allows a server to ignore a Range.
    std::uint64_t max_multirange_bytes = std::uint64_t{16} * 1024 * 1024;
    /// What each event loop's file cache may hold: paths, bytes of small files' content, and
    /// descriptors kept open for large ones.
    std::size_t cache_entries = 4096;
    std::size_t cache_bytes = std::size_t{32} * 1024 * 1024;
    std::size_t cache_open_files = 128;

    /// Accept PUT and browser-form uploads (POST multipart/form-data to a directory).
    bool upload = false;
    /// Accept DELETE (a file, or an empty directory; 409 for one that is not).
    bool allow_delete = false;
    /// WebDAV class 1 (needs `upload`): OPTIONS with DAV: 1, PROPFIND, PROPPATCH, MKCOL, COPY,
    /// MOVE, and DELETE of a directory with what it holds.
    bool webdav = false;
    /// A form upload replaces a file of the same name, instead of storing "name (1).ext".
    bool overwrite = false;
    /// An upload is on disk before it is answered (fsync of the file, then of its directory
    /// after the rename). Off: answered as soon as it is renamed into place, written out in
    /// the background — nginx's way, faster when the disk is the bottleneck, but a power cut
    /// soon after can lose it.
    bool durable_uploads = true;
    /// Inserted before "</body>" of every HTML page served, files and listings (live reload's
    /// script: LiveReload::script()). Such a page is sent from memory, without ranges, with
    /// its own ETag; the file on disk is untouched. Empty: pages go out as they are.
    std::string html_snippet;
    /// URL path prefixes nothing may be written under (decoded: "/cgi-bin").
    std::vector<std::string> read_only;
};

/// The handler. Throws std::runtime_error when the root is not a readable directory.
Handler static_files(StaticFilesOptions options);

} // namespace pier
