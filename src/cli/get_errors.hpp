// `pier get`'s exit codes: curl's, from the client's exceptions. Private to the CLI.
#pragma once

#include <exception>
#include <string>

namespace pier::cli {

/// The table `pier get --help` prints.
extern const char* const kGetExitCodes;

/// An error that ends one transfer, with curl's exit code for it.
struct Failure {
    int code;
    std::string message;
};

/// The exit code for an exception the client threw (client_errors.hpp).
Failure classify(const std::exception& e);

} // namespace pier::cli
