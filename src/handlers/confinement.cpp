#include "handlers/confinement.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace pier::handlers {

bool has_hidden_segment(std::string_view path) {
    for (std::size_t i = 0; i < path.size(); ++i)
        if (path[i] == '/' && i + 1 < path.size() && path[i + 1] == '.') return true;
    return false;
}

// A link inside the root to a hidden name (a/cfg -> ../.git/config) is refused as that name
// itself would be.
int confine(std::string_view root_real, const std::string& fs_path, bool follow_symlinks,
            bool show_hidden) {
    if (follow_symlinks && show_hidden) return 0;
    char resolved[PATH_MAX];
    if (realpath(fs_path.c_str(), resolved) == nullptr) return errno == EACCES ? 403 : 404;
    const std::string_view real = resolved;
    const bool inside = root_real.empty() || real == root_real ||
                        (real.starts_with(root_real) && real.size() > root_real.size() &&
                         real[root_real.size()] == '/');
    if (!inside) return follow_symlinks ? 0 : 404;
    if (!show_hidden && has_hidden_segment(real.substr(root_real.size()))) return 404;
    return 0;
}

} // namespace pier::handlers
