// `pier get`: the command-line face of the client, with curl's flags and exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>

namespace pier::cli {

struct GetArgs;

/// Registers the subcommand on `app`; run_get() runs it once parsed.
CLI::App* add_get_command(CLI::App& app, std::shared_ptr<GetArgs>& args);
int run_get(const GetArgs& args);

} // namespace pier::cli
