// `pier ws URL`: a WebSocket from the terminal, as websocat and wscat give one — stdin lines
// become messages, messages go to stdout.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>

namespace pier::cli {

struct WsArgs;

CLI::App* add_ws_command(CLI::App& app, std::shared_ptr<WsArgs>& args);
int run_ws(const WsArgs& args);

} // namespace pier::cli
