// A program behind a WebSocket, as websocketd runs one: each connection starts the program
// (no shell), each line it writes to stdout is a text message to the client (binary when it is
// not UTF-8), each message from the client is a line on its stdin. The process has a group of
// its own and none of the server's descriptors; it is stopped (SIGTERM to the group, SIGKILL
// two seconds later) when the connection ends, and the connection ends (1000, or 1011 with the
// exit status) when it does.
//
//     router.websocket("/count", pier::ws::exec({.argv = {"/usr/bin/seq", "1", "10"}}));
#pragma once

#include <pier/websocket_endpoint.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace pier::ws {

struct ExecOptions {
    std::vector<std::string>
        argv; // the program (a path, or a name looked up in PATH) and its arguments
    /// Programs running at once over the whole server; a connection past it is closed with
    /// 1008 at once.
    std::size_t max_running = 64;
    /// The working directory ("": the server's).
    std::string directory;
    /// Where the programs' stderr goes (null: discarded).
    std::FILE* log = stderr;
};

/// Throws std::invalid_argument for an empty argv.
Handlers exec(ExecOptions options);

} // namespace pier::ws
