// The upload form a listing page carries when uploads are on (`pier serve --upload`).
#pragma once

#include <string_view>

namespace pier::handlers {

/// HTML and script for the end of a listing's <body>: a file input (several files at once)
/// that works without JavaScript — a plain multipart/form-data POST to the directory, answered
/// with a redirect back to the listing — and, with it, drag-and-drop anywhere on the page and
/// a progress bar, the files sent by XMLHttpRequest and the page reloaded when they are in.
std::string_view upload_form_html();

} // namespace pier::handlers
