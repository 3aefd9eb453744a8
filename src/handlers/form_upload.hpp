// A browser's upload form (`pier serve --upload`): the files of a multipart/form-data POST
// (RFC 7578) stored in the directory it was posted to, parsed as the body arrives so no file
// is ever held in memory. Each file name is reduced to a safe base name (upload_name.hpp);
// a name already taken gets "name (1).ext" unless overwriting was asked for. The files are
// renamed into place only once the whole body has arrived and parsed: a form cut short or
// malformed stores nothing.
#pragma once

#include "handlers/file_writes.hpp"

namespace pier::handlers {

/// At most this many files per form.
inline constexpr std::size_t kMaxFormFiles = 256;

void serve_form_upload(const WriteRules& rules, const Request& request, Response& response);

} // namespace pier::handlers
