#include "cli/serve.hpp"

#include "cli/serve_websocket.hpp"
#include "handlers/upload_file.hpp"

#include <pier/auth.hpp>
#include <pier/cgi.hpp>
#include <pier/rate_limit.hpp>
#include <pier/server.hpp>
#include <pier/static_files.hpp>
#include <pier/tls.hpp>
#include <pier/uri.hpp>

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <memory>
#include <pthread.h>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
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
    std::vector<std::string> tls_certs;
    std::vector<std::string> tls_keys;
    std::string tls_password_file;
    bool tls_self_signed = false;
    int redirect_http = -1; // a second, plain port that redirects to the HTTPS one
    bool cgi = false;
    std::vector<std::string> cgi_dirs;
    std::vector<std::string> cgi_assign; // ".ext=program"
    unsigned cgi_timeout = 60;
    std::size_t cgi_max = 0;
    std::vector<std::string> cgi_env;
    bool upload = false;
    bool allow_delete = false;
    bool overwrite = false;
    bool anonymous_writes = false;
    bool no_fsync = false;
    bool webdav = false;
    std::vector<std::string> auth;       // "user:password"
    std::vector<std::string> auth_files; // htpasswd
    bool auth_writes_only = false;
    std::string realm = "pier";
    std::string rate_limit; // "N", "N/s", "N/m"
    double burst = 0;
    WebSocketServeArgs websockets;
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
    // Python 3.14's names and meaning; a password is read from a file, never taken from the
    // command line (where `ps` shows it).
    serve
        ->add_option("--tls-cert", args->tls_certs,
                     "Serve HTTPS with this PEM certificate chain; repeatable, the first is the "
                     "default and the others are chosen by SNI")
        ->allow_extra_args(false);
    serve
        ->add_option("--tls-key", args->tls_keys,
                     "The private key of each --tls-cert, in order (default: in the certificate "
                     "file)")
        ->allow_extra_args(false);
    serve->add_option("--tls-password-file", args->tls_password_file,
                      "File whose content is the password of an encrypted --tls-key");
    serve->add_flag("--tls-self-signed", args->tls_self_signed,
                    "Serve HTTPS with a certificate minted at start for localhost and this host "
                    "(development only; its fingerprint is printed)");
    serve
        ->add_option("--redirect-http", args->redirect_http,
                     "Also listen for plain HTTP on this port and answer every request with a "
                     "308 to its https:// URL")
        ->check(CLI::Range(0, 65535));
    serve->add_flag("--cgi", args->cgi,
                    "Run scripts under /cgi-bin and /htbin as CGI (Python's --cgi), with the "
                    "status the script chooses");
    serve
        ->add_option("--cgi-dir", args->cgi_dirs,
                     "A URL path whose files are CGI scripts, instead of /cgi-bin and /htbin "
                     "(repeatable; implies --cgi)")
        ->type_name("PATH");
    serve
        ->add_option("--cgi-assign", args->cgi_assign,
                     "Run scripts ending in .EXT with PROGRAM, as .pl=/usr/bin/perl (repeatable; "
                     ".py=python3 is built in; implies --cgi)")
        ->type_name(".EXT=PROGRAM");
    serve->add_option("--cgi-timeout", args->cgi_timeout,
                      "Seconds a script may run before it is killed (default 60; 504 if it has "
                      "not answered)");
    serve->add_option("--cgi-max", args->cgi_max,
                      "Scripts running at once; beyond it 503 (default 16 per core)");
    serve
        ->add_option("--cgi-env", args->cgi_env,
                     "Pass this variable of pier's environment to scripts (repeatable; PATH "
                     "always is)")
        ->type_name("NAME");
    serve->add_flag("--upload", args->upload,
                    "Accept uploads: PUT of a file, and an upload form on listing pages");
    serve->add_flag("--delete", args->allow_delete, "Accept DELETE of files and empty directories");
    serve->add_flag("--overwrite", args->overwrite,
                    "A form upload replaces a file of the same name (default: keeps it and "
                    "stores 'name (1).ext')");
    serve->add_flag("--webdav", args->webdav,
                    "Serve WebDAV (class 1) so file managers can mount the directory; implies "
                    "--upload and --delete");
    serve->add_flag("--no-fsync", args->no_fsync,
                    "Answer an upload once it is renamed into place, before it is on disk "
                    "(faster; a power cut soon after can lose it)");
    serve->add_flag("--allow-anonymous-writes", args->anonymous_writes,
                    "Accept --upload/--delete without --auth on a server reachable from the "
                    "network");
    serve
        ->add_option("--auth", args->auth,
                     "Require HTTP Basic authentication with this user (repeatable); PASS may "
                     "also be a hash as htpasswd writes it")
        ->type_name("USER:PASS")
        ->allow_extra_args(false);
    serve
        ->add_option("--auth-file", args->auth_files,
                     "Users from an htpasswd file (bcrypt, SHA-crypt, yescrypt, apr1, {SHA}); "
                     "repeatable")
        ->type_name("FILE")
        ->allow_extra_args(false);
    serve->add_flag("--auth-writes-only", args->auth_writes_only,
                    "Reading stays public; only uploads and deletes need a password");
    serve->add_option("--realm", args->realm, "The realm browsers show in their password prompt")
        ->capture_default_str();
    serve
        ->add_option("--rate-limit", args->rate_limit,
                     "Requests per client address: N per second (N, N/s) or per minute (N/m); "
                     "beyond it 429 with Retry-After")
        ->type_name("N[/s|/m]");
    serve->add_option("--burst", args->burst,
                      "Requests a client may send at once under --rate-limit (default: N)");
    add_websocket_options(*serve, args->websockets);
    return serve;
}

namespace {

// The names a minted certificate covers: what a developer types in a browser on this machine.
std::vector<std::string> self_signed_names(const std::string& bind) {
    std::vector<std::string> names{"localhost", "127.0.0.1", "::1"};
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') names.emplace_back(host);
    if (!bind.empty() && bind != "::" && bind != "0.0.0.0") {
        std::string b = bind;
        if (b.size() > 2 && b.front() == '[' && b.back() == ']') b = b.substr(1, b.size() - 2);
        names.push_back(b);
    }
    std::vector<std::string> unique;
    for (const std::string& n : names)
        if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
    return unique;
}

// The TLS flags into config.tls; an exit code (2: a usage error, 1: a file that cannot be
// used) when they cannot be, 0 when they can.
int configure_tls(const ServeArgs& args, TlsConfig& tls) {
    const bool files = !args.tls_certs.empty();
    if (!files && (!args.tls_keys.empty() || !args.tls_password_file.empty())) {
        fmt::print(stderr, "pier serve: --tls-key and --tls-password-file need --tls-cert\n");
        return 2;
    }
    if (files && args.tls_self_signed) {
        fmt::print(stderr, "pier serve: --tls-self-signed mints its own certificate: give it or "
                           "--tls-cert, not both\n");
        return 2;
    }
    if (files && !args.tls_keys.empty() && args.tls_keys.size() != args.tls_certs.size()) {
        fmt::print(stderr,
                   "pier serve: {} --tls-cert but {} --tls-key: give one key per certificate "
                   "(or none, when each certificate file holds its key)\n",
                   args.tls_certs.size(), args.tls_keys.size());
        return 2;
    }
    std::string password;
    if (!args.tls_password_file.empty()) {
        std::ifstream in(args.tls_password_file, std::ios::binary);
        if (!in) {
            fmt::print(stderr, "pier serve: cannot read {}: {}\n", args.tls_password_file,
                       std::strerror(errno));
            return 1;
        }
        std::ostringstream text;
        text << in.rdbuf();
        password = std::move(text).str();
        // As Python's: the file's content without surrounding white space (its newline).
        const auto first = password.find_first_not_of(" \t\r\n");
        const auto last = password.find_last_not_of(" \t\r\n");
        password =
            first == std::string::npos ? std::string() : password.substr(first, last - first + 1);
    }
    for (std::size_t i = 0; i < args.tls_certs.size(); ++i) {
        TlsCertificate c;
        c.certificate_file = args.tls_certs[i];
        c.key_file = args.tls_keys.empty() ? args.tls_certs[i] : args.tls_keys[i];
        c.password = password;
        tls.certificates.push_back(std::move(c));
    }
    return 0;
}

// The second listener of --redirect-http: every request, whatever its method, is sent to the
// same target on the HTTPS port with 308 (RFC 9110 §15.4.9 keeps the method and body).
Handler https_redirect(std::uint16_t https_port) {
    return [https_port](const Request& req, Response& res) {
        const auto authority = parse_authority(req.host());
        std::string host = authority ? std::string(authority.value().host) : std::string();
        if (host.empty()) host = "localhost"; // HTTP/1.0 without Host
        if (authority && authority.value().is_ipv6) host = "[" + host + "]";
        std::string location = "https://" + host;
        if (https_port != 443) location += ":" + std::to_string(https_port);
        location += req.path() == "*" ? std::string("/") : std::string(req.path());
        if (!req.query().empty()) location += "?" + std::string(req.query());
        res.set_status(308);
        res.set_header("Location", location);
        res.set_body("Moved to " + location + "\n", "text/plain; charset=utf-8");
    };
}

// "10", "10/s", "600/m" → requests per second; false when it is none of those.
bool parse_rate(const std::string& text, double& per_second) {
    const std::size_t slash = text.find('/');
    const std::string number = text.substr(0, slash);
    const std::string unit = slash == std::string::npos ? "s" : text.substr(slash + 1);
    char* end = nullptr;
    const double n = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !(n > 0) || n > 1e9)
        return false;
    if (unit == "s" || unit == "sec" || unit == "second") {
        per_second = n;
    } else if (unit == "m" || unit == "min" || unit == "minute") {
        per_second = n / 60;
    } else {
        return false;
    }
    return true;
}

// The filters of --rate-limit and --auth, in that order: a client over its rate is not even
// checked. Returns an exit code (0: fine).
int configure_filters(const ServeArgs& args, Router& router, bool& authenticated) {
    if (!args.rate_limit.empty()) {
        RateLimitOptions limit;
        if (!parse_rate(args.rate_limit, limit.per_second)) {
            fmt::print(stderr, "pier serve: --rate-limit {}: expected N, N/s or N/m\n",
                       args.rate_limit);
            return 2;
        }
        limit.burst = args.burst;
        router.filter(rate_limit(limit));
    } else if (args.burst != 0) {
        fmt::print(stderr, "pier serve: --burst needs --rate-limit\n");
        return 2;
    }
    Users users;
    for (const std::string& pair : args.auth) {
        const std::size_t colon = pair.find(':');
        if (colon == std::string::npos || colon == 0) {
            fmt::print(stderr, "pier serve: --auth wants USER:PASS, not '{}'\n", pair);
            return 2;
        }
        users.add(pair.substr(0, colon), pair.substr(colon + 1));
    }
    for (const std::string& file : args.auth_files) {
        std::string error;
        if (!users.load_htpasswd(file, error)) {
            fmt::print(stderr, "pier serve: --auth-file {}\n", error);
            return 1;
        }
    }
    authenticated = !users.empty();
    if (!authenticated) {
        if (args.auth_writes_only) {
            fmt::print(stderr, "pier serve: --auth-writes-only needs --auth or --auth-file\n");
            return 2;
        }
        return 0;
    }
    try {
        router.filter(basic_auth(std::move(users),
                                 {.realm = args.realm, .writes_only = args.auth_writes_only}));
    } catch (const std::exception& e) {
        fmt::print(stderr, "pier serve: {}\n", e.what());
        return 2;
    }
    return 0;
}

bool loopback_only(const std::string& bind) {
    return bind == "127.0.0.1" || bind == "::1" || bind == "[::1]" || bind == "localhost" ||
           bind.starts_with("127.");
}

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

    if (const int status = configure_tls(args, config.tls); status != 0) return status;
    if (args.redirect_http >= 0 && args.tls_certs.empty() && !args.tls_self_signed) {
        fmt::print(stderr, "pier serve: --redirect-http redirects to HTTPS: it needs --tls-cert "
                           "or --tls-self-signed\n");
        return 2;
    }
    std::string fingerprint;
    std::vector<std::string> minted_for;
    if (args.tls_self_signed) {
        minted_for = self_signed_names(args.bind);
        SelfSignedCertificate minted;
        std::string error;
        if (!mint_self_signed(minted_for, minted, error)) {
            fmt::print(stderr, "pier serve: {}\n", error);
            return 1;
        }
        config.tls.certificates.push_back(std::move(minted.pem));
        fingerprint = std::move(minted.fingerprint);
    }

    const bool cgi = args.cgi || !args.cgi_dirs.empty() || !args.cgi_assign.empty();
    CgiOptions cgi_options;
    files.upload = args.upload || args.webdav;
    files.allow_delete = args.allow_delete || args.webdav;
    files.webdav = args.webdav;
    if (args.webdav) config.extension_methods = {"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE"};
    files.overwrite = args.overwrite;
    files.durable_uploads = !args.no_fsync;
    if ((args.allow_delete || args.overwrite) && !files.upload) {
        fmt::print(stderr, "pier serve: --delete and --overwrite need --upload\n");
        return 2;
    }
    if (!args.cgi_dirs.empty()) cgi_options.directories = args.cgi_dirs;
    if (cgi) files.read_only = cgi_options.directories; // an upload there would be a script
    Router router;
    bool authenticated = false;
    if (const int status = configure_filters(args, router, authenticated); status != 0)
        return status;
    if (files.upload && !authenticated && !args.anonymous_writes && !loopback_only(args.bind)) {
        fmt::print(stderr,
                   "pier serve: --upload (or --webdav) on a server reachable from the network "
                   "needs --auth or "
                   "--auth-file (or -b 127.0.0.1, or --allow-anonymous-writes to accept that "
                   "anyone can write)\n");
        return 2;
    }
    // The pages' script is known now; the watch starts once the directory has been checked
    // below (a missing one is a usage error, as without --live-reload).
    if (args.websockets.live_reload) files.html_snippet = LiveReload::script();
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
    WebSocketEndpoints websockets;
    if (const int status = configure_websockets(args.websockets, router, files, websockets);
        status != 0)
        return status;
    if (cgi) {
        CgiOptions& options = cgi_options;
        options.root = files.root;
        for (const std::string& assign : args.cgi_assign) {
            const std::size_t eq = assign.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == assign.size() ||
                assign.front() != '.') {
                fmt::print(stderr, "pier serve: --cgi-assign {}: expected .EXT=PROGRAM\n", assign);
                return 2;
            }
            options.interpreters.emplace_back(assign.substr(0, eq), assign.substr(eq + 1));
        }
        options.timeout = std::chrono::seconds(args.cgi_timeout);
        options.max_running = args.cgi_max;
        options.inherit_env = args.cgi_env;
        options.show_hidden = files.show_hidden;
        options.follow_symlinks = files.follow_symlinks;
        options.server_software = config.server_header;
        options.log = args.quiet ? nullptr : stderr;
        options.fallback = std::move(handler);
        try {
            // At "/": the CGI handler sees every path after decoding and normalising, so no
            // spelling of a script's path reaches the file server and its source.
            handler = cgi_handler(std::move(options));
        } catch (const std::exception& e) {
            fmt::print(stderr, "pier serve: {}\n", e.what());
            return 2;
        }
    }
    std::unique_ptr<Server> made;
    if (cgi || files.upload || router.has_filters() || websockets.any) {
        // Bodies stream to scripts and to upload files as they arrive, never held in memory.
        router.mount("/", std::move(handler), {.stream_body = cgi || files.upload});
        made = std::make_unique<Server>(config, std::move(router));
    } else {
        made = std::make_unique<Server>(config, std::move(handler)); // no routing to pay for
    }
    Server& server = *made;
    std::string error;
    if (!server.listen(error)) {
        fmt::print(stderr, "pier serve: {}\n", error);
        return 1;
    }
    std::unique_ptr<Server> redirect;
    if (args.redirect_http >= 0) {
        ServerConfig plain = config;
        plain.tls = {};
        plain.port = static_cast<std::uint16_t>(args.redirect_http);
        plain.threads = 1;
        redirect = std::make_unique<Server>(plain, https_redirect(server.port()));
        if (!redirect->listen(error)) {
            fmt::print(stderr, "pier serve: --redirect-http: {}\n", error);
            return 1;
        }
    }
    // From here on the signals wait for run_until_signalled's watcher (which blocks the same
    // ones): a SIGHUP sent as soon as the start-up line appears reloads, it does not kill.
    sigset_t handled;
    sigemptyset(&handled);
    for (const int sig : {SIGINT, SIGTERM, SIGHUP})
        if (sig != SIGHUP || config.tls.enabled()) sigaddset(&handled, sig);
    pthread_sigmask(SIG_BLOCK, &handled, nullptr);
    // Python's start-up line, with a URL a terminal makes clickable.
    const std::string host = config.host.empty() ? "::" : config.host;
    const bool v6 = host.find(':') != std::string::npos;
    const std::string url_host = v6 ? "[" + host + "]" : host;
    const bool tls = config.tls.enabled();
    fmt::print("Serving {} on {} port {} ({}://{}:{}/) ...\n", tls ? "HTTPS" : "HTTP", host,
               server.port(), tls ? "https" : "http", url_host, server.port());
    if (!fingerprint.empty())
        fmt::print("Note: a self-signed certificate for {}; browsers will warn. Its SHA-256 "
                   "fingerprint:\n  {}\n",
                   fmt::join(minted_for, ", "), fingerprint);
    if (tls)
        fmt::print("Note: {}.\n", server.kernel_tls()
                                      ? "files are sent by the kernel (kernel TLS, SSL_sendfile)"
                                      : "files are read and encrypted in user space (this kernel "
                                        "has no TLS offload)");
    if (host == "::" || host == "0.0.0.0")
        fmt::print("Note: reachable from the network on every interface; -b 127.0.0.1 keeps it "
                   "local.\n");
    if (!files.show_hidden && has_dot_files(files.root))
        fmt::print("Note: dot-files in {} (.git, .env, ...) are not served; --hidden serves "
                   "them.\n",
                   files.root);
    if (redirect)
        fmt::print("Redirecting HTTP on {} port {} to https:// with 308\n", host, redirect->port());
    if (files.upload)
        fmt::print("Uploads: on (PUT, and a form on listing pages{}{}{}){}\n",
                   files.webdav ? "; WebDAV class 1" : "", files.allow_delete ? "; DELETE too" : "",
                   cgi ? "; never into CGI directories" : "",
                   authenticated ? (args.auth_writes_only ? ", for logged-in users" : "")
                                 : ", for anyone who can reach this server");
    if (authenticated)
        fmt::print("Authentication: HTTP Basic, realm \"{}\", {}{}\n", args.realm,
                   args.auth_writes_only ? "for uploads and deletes only" : "for every request",
                   tls ? "" : " (over plain HTTP passwords travel readable: consider --tls-*)");
    if (!args.rate_limit.empty())
        fmt::print("Rate limit: {} per client address\n", args.rate_limit);
    for (const std::string& note : websockets.notes) fmt::print("{}\n", note);
    std::fflush(stdout);
    // What a server killed in the middle of an upload left behind (a hidden temporary no
    // process holds) goes, in the background: a large tree takes a while to walk.
    std::thread sweeping;
    if (files.upload)
        sweeping = std::thread([root = files.root] {
            sigset_t all;
            sigfillset(&all);
            pthread_sigmask(SIG_BLOCK, &all, nullptr);
            handlers::remove_stale_uploads(root);
        });
    std::thread redirecting;
    if (redirect)
        redirecting = std::thread([&redirect] {
            sigset_t all; // signals are for run_until_signalled's watcher
            sigfillset(&all);
            pthread_sigmask(SIG_BLOCK, &all, nullptr);
            redirect->run();
        });
    const int status = run_until_signalled(server);
    if (redirect) {
        redirect->stop(false);
        redirecting.join();
    }
    if (sweeping.joinable()) sweeping.join();
    fmt::print("\nKeyboard interrupt received, exiting.\n");
    return status;
}

} // namespace pier::cli
