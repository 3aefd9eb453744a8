// The `pier` command. Each subcommand lives in its own file in src/cli/ and registers itself
// here; this file only owns what every subcommand shares: --help, --version, exit codes.
#include "cli/get.hpp"
#include "cli/serve.hpp"
#include "cli/ws.hpp"

#include <pier/version.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <fcntl.h>
#include <unistd.h>

namespace {

// Started with stdin, stdout or stderr closed, the first socket or file pier opens would get
// that number, and a body or a log line written to "stdout" would go into it (into the
// connection, for `pier get >&-`). Each closed one is filled with /dev/null opened read-only:
// writes to it fail, so `pier get` reports a write error (23) as curl does.
void fill_closed_standard_descriptors() {
    int fd = 0;
    while ((fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0 && fd <= 2)
        ::fcntl(fd, F_SETFD, 0);
    if (fd > 2) ::close(fd);
}

int run(int argc, char** argv) {
    CLI::App app{"pier — an HTTP toolkit: the server and client of Python's http package, "
                 "built for production"};
    app.set_version_flag("-V,--version", fmt::format("pier {}", pier::kVersion));
    app.footer("Documentation: docs/ in the source tree.");
    std::shared_ptr<pier::cli::ServeArgs> serve_args;
    CLI::App* serve = pier::cli::add_serve_command(app, serve_args);
    std::shared_ptr<pier::cli::GetArgs> get_args;
    CLI::App* get = pier::cli::add_get_command(app, get_args);
    std::shared_ptr<pier::cli::WsArgs> ws_args;
    CLI::App* ws = pier::cli::add_ws_command(app, ws_args);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 exits 0 for --help/--version and 106+ for usage errors; a usage error is
        // exit code 2 by Unix convention (as Python's argparse and curl do).
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (serve->parsed()) return pier::cli::run_serve(*serve_args);
    if (get->parsed()) return pier::cli::run_get(*get_args);
    if (ws->parsed()) return pier::cli::run_ws(*ws_args);
    fmt::print("{}", app.help());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    fill_closed_standard_descriptors();
    // A pipe that closes is a write error to handle, not a signal that ends the process:
    // `pier get URL | head` exits 23 as curl does (without leaving -o temporaries), and
    // `pier serve | head` keeps serving when its log reader goes, as Python's server does.
    std::signal(SIGPIPE, SIG_IGN);
    // An upload past the file-size limit (ulimit -f) is a 507 for that upload, not the end of
    // the server: write(2) then fails with EFBIG instead of the signal killing the process.
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(stderr, "pier: {}\n", e.what());
        return 1;
    }
}
