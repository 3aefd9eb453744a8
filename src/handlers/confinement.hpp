// Confinement to a served root, shared by the file server and CGI so a script is reachable
// under exactly the rules a file is: dot-files hidden unless asked for, symbolic links that
// lead outside the root refused unless followed on purpose.
#pragma once

#include <string>
#include <string_view>

namespace pier::handlers {

/// A segment of `path` starts with '.' (".git", ".env", "..").
bool has_hidden_segment(std::string_view path);

/// Where `fs_path` really is, after symbolic links, judged against `root_real` (the root
/// resolved the same way, no trailing slash): 0 when it may be served, 404 when it is outside
/// (or, resolved, hidden) or does not exist, 403 when it cannot be looked at.
int confine(std::string_view root_real, const std::string& fs_path, bool follow_symlinks,
            bool show_hidden);

} // namespace pier::handlers
