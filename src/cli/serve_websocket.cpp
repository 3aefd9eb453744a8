#include "cli/serve_websocket.hpp"

#include <pier/ws_exec.hpp>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <sstream>

namespace pier::cli {

void add_websocket_options(CLI::App& serve, WebSocketServeArgs& args) {
    serve.add_flag("--live-reload", args.live_reload,
                   "Pages reload themselves when a file under the directory changes (a script "
                   "is added to HTML pages as they are sent; files are not touched)");
    serve
        .add_option("--ws-exec", args.exec,
                    "Run PROGRAM for each WebSocket connection on PATH: its stdout lines are "
                    "messages, messages are lines on its stdin (as websocketd; no shell: "
                    "arguments split at spaces); repeatable")
        ->type_name("PATH=PROGRAM")
        ->allow_extra_args(false);
    serve.add_option("--ws-exec-max", args.exec_max, "Programs running at once for --ws-exec")
        ->capture_default_str();
}

int configure_websockets(const WebSocketServeArgs& args, Router& router, StaticFilesOptions& files,
                         WebSocketEndpoints& out) {
    for (const std::string& spec : args.exec) {
        const std::size_t eq = spec.find('=');
        ws::ExecOptions o;
        if (eq != std::string::npos) {
            std::istringstream words(spec.substr(eq + 1));
            for (std::string w; words >> w;) o.argv.push_back(w);
        }
        // "/p=   " names no program either.
        if (eq == std::string::npos || eq == 0 || spec.front() != '/' || o.argv.empty()) {
            fmt::print(stderr, "pier serve: --ws-exec {}: expected /PATH=PROGRAM [ARG...]\n", spec);
            return 2;
        }
        o.max_running = args.exec_max;
        ws::Options endpoint;
        endpoint.compression = true;
        const std::string path = spec.substr(0, eq);
        router.websocket(path, ws::exec(o), endpoint);
        out.notes.push_back(fmt::format("WebSocket: {} runs {} for each connection (at most {} "
                                        "at once)",
                                        path, fmt::join(o.argv, " "), o.max_running));
        out.any = true;
    }
    if (args.live_reload) {
        try {
            out.live_reload = std::make_unique<LiveReload>(files.root);
        } catch (const std::exception& e) {
            fmt::print(stderr, "pier serve: --live-reload: {}\n", e.what());
            return 1;
        }
        ws::Options endpoint;
        endpoint.compression = false; // one word a change: nothing to compress
        router.websocket(LiveReload::kPath, out.live_reload->handlers(), endpoint);
        files.html_snippet = LiveReload::script();
        out.notes.push_back(fmt::format(
            "Live reload: on, watching {} director{}; HTML pages get a script that listens on "
            "{} (a reserved path)",
            out.live_reload->watched_directories(),
            out.live_reload->watched_directories() == 1 ? "y" : "ies", LiveReload::kPath));
        out.any = true;
    }
    return 0;
}

} // namespace pier::cli
