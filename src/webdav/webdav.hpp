// WebDAV class 1 (RFC 4918) over the file server: `pier serve --webdav`, so file managers
// (Nautilus, Finder, Windows, rclone) can mount a served directory. Reads (GET, HEAD) and the
// writes the file server already has (PUT, DELETE — a collection with its members) stay
// there; this adds OPTIONS with `DAV: 1`, PROPFIND (Depth 0 and 1; infinity refused, 403
// propfind-finite-depth), PROPPATCH (dead properties in extended attributes, all or nothing),
// MKCOL, COPY and MOVE (Overwrite, Depth; a Destination on this server only). No locks
// (class 2). Private to the handlers layer; static_files.cpp calls it first when WebDAV is on.
#pragma once

#include "handlers/file_writes.hpp"

namespace pier::webdav {

/// Answers `request` if it is one of the methods above; false otherwise (the file server
/// goes on with it).
bool serve(const handlers::WriteRules& rules, const Request& request, Response& response);

} // namespace pier::webdav
