// `pier serve`: the command-line face of the static file server.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>

namespace pier::cli {

struct ServeArgs;

/// Registers the subcommand on `app`; run_serve() runs it once parsed.
CLI::App* add_serve_command(CLI::App& app, std::shared_ptr<ServeArgs>& args);
int run_serve(const ServeArgs& args);

} // namespace pier::cli
