// `pier get -Z`: every URL's transfer at once on one event loop (client::AsyncSession), at most
// --parallel-max running, each body into its own output as it arrives. Private to the CLI.
#pragma once

#include "cli/get_args.hpp"

#include <pier/fetch.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace pier::cli {

struct ParallelJob {
    std::size_t index; // the URL's place on the command line
    std::string url;
    std::string path; // empty: stdout
};
/// The request options of the index-th URL (`url` may change: -G, -T's name).
using OptionsFor = std::function<client::FetchOptions(std::size_t index, std::string& url)>;

/// What in `args` the event-loop client cannot do yet, for the warning that the transfers run
/// one after another instead; empty when -Z can run them at once.
std::string parallel_unsupported(const GetArgs& args);

/// Runs the jobs; the exit code is the last URL's, as without -Z.
int run_parallel(const GetArgs& args, std::vector<ParallelJob> jobs, const OptionsFor& options_for);

} // namespace pier::cli
