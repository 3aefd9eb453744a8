// The meta-variables a CGI script gets (RFC 3875 §4.1), and nothing else of the server's
// environment than PATH and what the operator names: a script learns about the request, not
// about the server's secrets.
//
// Differences from Python's CGIHTTPRequestHandler, on purpose: every request field becomes an
// HTTP_* variable (Python passes five), except Authorization and Proxy-Authorization (unless
// configured), Proxy (the "httpoxy" attack sets a script's HTTP_PROXY) and names with '_'
// (X_Forwarded_For would pose as X-Forwarded-For: Apache drops them too); AUTH_TYPE and
// REMOTE_USER are not set from an unchecked Authorization header; Cookie fields are joined
// with "; ", others with ", ".
#pragma once

#include <pier/request.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pier::cgi {

/// Which script a request runs and what is left of its path.
struct ScriptTarget {
    std::string script_name;     // the script's URL path, "/cgi-bin/env.py"
    std::string script_filename; // its file, "/srv/site/cgi-bin/env.py"
    std::string path_info;       // the decoded rest of the path, "/a/b"; may be empty
    std::string document_root;   // the served root, resolved
};

struct EnvironmentOptions {
    std::string server_software;
    /// Names copied from the server's own environment besides PATH (--cgi-env NAME).
    std::vector<std::string> inherit;
    bool pass_authorization = false;
};

/// "NAME=value" strings, for execve. `content_length`: the body's length when there is one.
std::vector<std::string> environment(const Request& request, const ScriptTarget& target,
                                     std::optional<std::uint64_t> content_length,
                                     const EnvironmentOptions& options);

} // namespace pier::cgi
