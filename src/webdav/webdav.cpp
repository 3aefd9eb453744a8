#include "webdav/webdav.hpp"

namespace pier::webdav {

bool serve(const handlers::WriteRules&, const Request&, Response&) {
    return false; // the methods come next
}

} // namespace pier::webdav
