// Which of the flags `pier get` does not know are curl's, so a curl user is told "not yet"
// rather than "no such thing". Private to the CLI.
#pragma once

#include <string_view>

namespace pier::cli {

/// Whether `flag` ("--name", "--name=value", or "-x" and what follows it) is a curl option
/// that `pier get` does not support.
bool is_curl_option(std::string_view flag);

} // namespace pier::cli
