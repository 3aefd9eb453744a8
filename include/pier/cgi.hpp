// CGI/1.1 (RFC 3875): scripts under a directory tree answer requests — what Python's
// CGIHTTPRequestHandler does (deprecated in 3.13, gone in 3.15), without its flaws: the script
// chooses its status (Python sends 200 before the script runs), the query string is never
// passed as arguments (PHP-CGI's CVE-2012-1823 pattern), bodies stream both ways with
// back-pressure, and a script that hangs, floods or loses its client is killed, process group
// and all, and reaped.
//
//     pier::CgiOptions cgi;
//     cgi.root = "./site";
//     cgi.fallback = pier::static_files({.root = "./site"}); // everything else
//     router.mount("/", pier::cgi_handler(cgi), {.stream_body = true});
//
// Mount it at "/" with stream_body (so request bodies stream into the script): it decides by
// the decoded, normalised path, so "/cgi%2dbin/x" or "//cgi-bin/x" cannot reach a script's
// source through the fallback.
#pragma once

#include <pier/router.hpp>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace pier {

struct CgiOptions {
    std::string root = ".";
    /// URL paths whose files are scripts, as Python's cgi_directories.
    std::vector<std::string> directories = {"/cgi-bin", "/htbin"};
    /// Scripts run by an interpreter, by extension (lighttpd's cgi.assign): ".py" with python3
    /// from PATH, as Python does. Any other script must be an executable regular file.
    std::vector<std::pair<std::string, std::string>> interpreters = {{".py", "python3"}};
    /// A script still running after this is killed (504 if it has not answered yet).
    std::chrono::milliseconds timeout = std::chrono::seconds(60);
    /// Scripts running at once over the whole server; beyond it 503 with Retry-After. 0: 16
    /// per core.
    std::size_t max_running = 0;
    /// Names of the server's own environment a script also gets (PATH always).
    std::vector<std::string> inherit_env;
    /// Pass Authorization and Proxy-Authorization as HTTP_* variables (off: a script behind
    /// the server's authentication does not see the password).
    bool pass_authorization = false;
    bool show_hidden = false;
    bool follow_symlinks = false;
    /// The script's header block may be this long (over it: 502).
    std::size_t max_header_block = std::size_t{64} * 1024;
    /// What a script may write to stderr per request; it goes to `log`, the rest is dropped.
    std::size_t max_stderr = std::size_t{64} * 1024;
    /// SERVER_SOFTWARE; empty: "pier/<version>".
    std::string server_software;
    /// Where failures (502, 504) and the scripts' stderr go; null: nowhere.
    std::FILE* log = stderr;
    /// Requests outside the CGI directories; null: 404.
    Handler fallback;
};

/// The handler. Throws std::runtime_error when the root is not a directory.
Handler cgi_handler(CgiOptions options);

} // namespace pier
