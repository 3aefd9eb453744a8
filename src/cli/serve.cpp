#include "cli/serve.hpp"

#include <pier/server.hpp>
#include <pier/static_files.hpp>

#include <fmt/core.h>

#include <cstdio>
#include <dirent.h>
#include <string>
#include <vector>

namespace pier::cli {

struct ServeArgs {
    std::string port_or_directory;
    std::string bind;
    std::string directory;
    std::string protocol = "HTTP/1.1";
    unsigned threads = 0;
    bool quiet = false;
    bool no_listing = false;
    bool hidden = false;
    bool follow_symlinks = false;
    bool cors = false;
    std::vector<std::string> headers;
    std::string cache_control = "no-cache";
    std::uint64_t max_body = std::uint64_t{1} << 30;
    std::vector<std::string> index;
};

CLI::App* add_serve_command(CLI::App& app, std::shared_ptr<ServeArgs>& args) {
    args = std::make_shared<ServeArgs>();
    CLI::App* serve = app.add_subcommand(
        "serve", "Serve a directory over HTTP, like `python3 -m http.server` (port 8000, the "
                 "current directory, every interface)");
    serve->add_option("port", args->port_or_directory,
                      "Port (default 8000; 0 picks a free one), or the directory to serve");
    serve->add_option("-b,--bind", args->bind,
                      "Address to listen on (default: every interface, IPv4 and IPv6)");
    serve->add_option("-d,--directory", args->directory, "Directory to serve (default: current)");
    serve->add_option("-p,--protocol", args->protocol, "Accepted for Python compatibility");
    serve->add_option("--threads", args->threads, "Event loops (default: one per core)");
    serve->add_flag("-q,--quiet", args->quiet, "No access log");
    serve->add_flag("--no-listing", args->no_listing, "Answer 403 for directories without index");
    serve->add_flag("--hidden", args->hidden, "Serve and list dot-files (.git, .env, ...)");
    serve->add_flag("--follow-symlinks", args->follow_symlinks,
                    "Follow symbolic links that lead outside the directory");
    serve->add_flag("--cors", args->cors, "Send Access-Control-Allow-Origin: *");
    // One value per occurrence: otherwise `--header 'X: y' 8080` takes the port as a field.
    serve->add_option("--header", args->headers, "Add a response field, 'Name: value' (repeatable)")
        ->allow_extra_args(false);
    serve->add_option("--cache-control", args->cache_control, "Cache-Control for files")
        ->capture_default_str();
    serve->add_option("--max-body", args->max_body, "Largest request body accepted, in bytes");
    serve
        ->add_option("--index", args->index,
                     "Index file name, repeatable (default: index.html, index.htm)")
        ->allow_extra_args(false);
    return serve;
}

namespace {

bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

bool has_dot_files(const std::string& directory) {
    DIR* dir = opendir(directory.c_str());
    if (dir == nullptr) return false;
    bool found = false;
    while (const dirent* e = readdir(dir)) {
        const std::string_view n = e->d_name;
        if (n != "." && n != ".." && n.front() == '.') found = true;
    }
    closedir(dir);
    return found;
}

} // namespace

int run_serve(const ServeArgs& args) {
    ServerConfig config;
    StaticFilesOptions files;
    files.root = args.directory.empty() ? "." : args.directory;
    config.port = 8000;
    if (!args.port_or_directory.empty()) {
        if (all_digits(args.port_or_directory)) {
            const unsigned long port = std::stoul(args.port_or_directory.substr(0, 6));
            if (port > 65535) {
                fmt::print(stderr, "pier serve: port must be 0-65535, not {}\n",
                           args.port_or_directory);
                return 2;
            }
            config.port = static_cast<std::uint16_t>(port);
        } else if (args.directory.empty()) {
            files.root = args.port_or_directory; // `pier serve ./site`
        } else {
            fmt::print(stderr,
                       "pier serve: '{}' is not a port, and -d already names the directory\n",
                       args.port_or_directory);
            return 2;
        }
    }
    config.host = args.bind;
    config.threads = args.threads;
    config.limits.max_body = args.max_body;
    config.access_log = args.quiet ? AccessLogFormat::off : AccessLogFormat::python;
    files.listing = !args.no_listing;
    files.show_hidden = args.hidden;
    files.follow_symlinks = args.follow_symlinks;
    files.cors = args.cors;
    files.cache_control = args.cache_control;
    if (!args.index.empty()) files.index = args.index;
    for (const std::string& h : args.headers) {
        const std::size_t colon = h.find(':');
        if (colon == std::string::npos || colon == 0) {
            fmt::print(stderr, "pier serve: --header wants 'Name: value', not '{}'\n", h);
            return 2;
        }
        std::string value = h.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
        files.extra_headers.emplace_back(h.substr(0, colon), value);
    }

    Handler handler;
    try {
        handler = static_files(files);
        // Check --header values now, not on the first request.
        Fields probe;
        for (const auto& [n, v] : files.extra_headers) probe.add(n, v);
    } catch (const std::exception& e) {
        fmt::print(stderr, "pier serve: {}\n", e.what());
        return 2;
    }
    Server server(config, std::move(handler));
    std::string error;
    if (!server.listen(error)) {
        fmt::print(stderr, "pier serve: {}\n", error);
        return 1;
    }
    // Python's start-up line, with a URL a terminal makes clickable.
    const std::string host = config.host.empty() ? "::" : config.host;
    const bool v6 = host.find(':') != std::string::npos;
    const std::string url_host = v6 ? "[" + host + "]" : host;
    fmt::print("Serving HTTP on {} port {} (http://{}:{}/) ...\n", host, server.port(), url_host,
               server.port());
    if (host == "::" || host == "0.0.0.0")
        fmt::print("Note: reachable from the network on every interface; -b 127.0.0.1 keeps it "
                   "local.\n");
    if (!files.show_hidden && has_dot_files(files.root))
        fmt::print("Note: dot-files in {} (.git, .env, ...) are not served; --hidden serves "
                   "them.\n",
                   files.root);
    std::fflush(stdout);
    const int status = run_until_signalled(server);
    fmt::print("\nKeyboard interrupt received, exiting.\n");
    return status;
}

} // namespace pier::cli
