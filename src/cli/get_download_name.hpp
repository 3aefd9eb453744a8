// The file names -O and -J write to: the URL's last path segment, or the server's
// Content-Disposition file name made safe to create in the current directory. Private to the
// CLI.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pier::cli {

/// The URL's last path segment, query and fragment left out, not decoded (as curl's -O):
/// "http://h/a/b.txt?x" -> "b.txt"; empty when the path ends in '/' or there is none.
std::string url_file_name(std::string_view url);

/// -J: the file name of a Content-Disposition value (filename* of RFC 8187 before filename,
/// RFC 6266 §4.3), reduced to a base name a server cannot aim anywhere else: what follows the
/// last '/' or '\', without leading dots (".bashrc" -> "bashrc": no hidden files), at most 255
/// bytes. nullopt when the value has no file name, does not parse, or the name holds a control
/// character or invalid UTF-8, or nothing is left of it.
///
///     header_file_name("attachment; filename=\"../../etc/passwd\"") == "passwd"
///     header_file_name("attachment; filename*=UTF-8''%E2%82%AC.txt") == "€.txt"
std::optional<std::string> header_file_name(std::string_view content_disposition);

} // namespace pier::cli
