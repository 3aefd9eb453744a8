// The name an uploaded file is stored under: the client's file name (Content-Disposition's
// filename) reduced to a base name that is safe in a directory on Linux, macOS and Windows,
// and the "name (1).ext" alternatives browsers use when that name is taken.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pier::handlers {

/// The longest file name most file systems take, in bytes (NAME_MAX on Linux).
inline constexpr std::size_t kMaxUploadName = 255;

/// `raw` reduced to what follows its last '/' or '\' (Windows browsers and old IE send full
/// paths), or nullopt when that cannot be stored as given: empty, "." or "..", a control
/// character (0x00-0x1F, 0x7F) or invalid UTF-8 anywhere in `raw`, a leading '.' unless
/// `allow_hidden`, nothing but dots and spaces, or a trailing dot or space (Windows strips
/// them, so "a.txt." and "a.txt" would be one file there). A name longer than kMaxUploadName
/// bytes is shortened on a UTF-8 character boundary, keeping its extension (the text after
/// the last '.') when that is 16 bytes or less.
///
///     safe_upload_name("C:\\Users\\me\\report.pdf", false) == "report.pdf"
///     safe_upload_name("../../etc/passwd", false) == "passwd"
///     safe_upload_name(".env", false) == std::nullopt
std::optional<std::string> safe_upload_name(std::string_view raw, bool allow_hidden);

/// The n-th alternative to `name` (a safe_upload_name result) when that is taken, as browsers
/// number downloads: "report.pdf" -> "report (1).pdf", "archive.tar.gz" -> "archive (1).tar.gz",
/// "README" -> "README (1)", ".bashrc" -> ".bashrc (1)". At most kMaxUploadName bytes: the
/// stem is shortened on a UTF-8 character boundary to make room.
std::string numbered_name(std::string_view name, unsigned n);

} // namespace pier::handlers
