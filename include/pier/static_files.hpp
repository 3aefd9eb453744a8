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
#pragma once

#include <pier/router.hpp>

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
    std::uint64_t sendfile_threshold = 16 * 1024;
};

/// The handler. Throws std::runtime_error when the root is not a readable directory.
Handler static_files(StaticFilesOptions options);

} // namespace pier
