// `pier serve`'s WebSocket endpoints: --live-reload and --ws-exec. Private to the CLI.
#pragma once

#include <pier/live_reload.hpp>
#include <pier/router.hpp>
#include <pier/static_files.hpp>

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace pier::cli {

struct WebSocketServeArgs {
    bool live_reload = false;
    std::vector<std::string> exec; // "PATH=PROGRAM [ARG...]"
    std::size_t exec_max = 64;
};

void add_websocket_options(CLI::App& serve, WebSocketServeArgs& args);

struct WebSocketEndpoints {
    std::unique_ptr<LiveReload> live_reload; // kept alive while serving
    std::vector<std::string> notes;          // start-up lines
    bool any = false;
};

/// Adds the endpoints to `router` (and live reload's script to `files`). 0, or the exit code
/// after a message on stderr.
int configure_websockets(const WebSocketServeArgs& args, Router& router, StaticFilesOptions& files,
                         WebSocketEndpoints& out);

} // namespace pier::cli
