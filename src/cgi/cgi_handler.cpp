// CgiOptions → a Handler: which requests run a script, which script and with what, and the
// answers for what cannot run. The script itself runs in a Run (run.hpp).
#include "cgi/environment.hpp"
#include "cgi/run.hpp"
#include "handlers/confinement.hpp"
#include "http/char_class.hpp"
#include "server/error_page.hpp"
#include "server/request_builder.hpp"
#include "server/response_access.hpp"

#include <pier/cgi.hpp>
#include <pier/uri.hpp>
#include <pier/version.hpp>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace pier {
namespace {

using cgi::ScriptTarget;

struct State {
    CgiOptions options;
    std::string root_real;
    std::shared_ptr<cgi::Budget> budget = std::make_shared<cgi::Budget>();
    cgi::EnvironmentOptions env;
};

// The request path as the file system sees it: decoded once, dot-segments resolved, runs of
// '/' collapsed — the same file whatever spelling reached it.
std::optional<std::string> normalise(std::string_view raw) {
    auto decoded = percent_decode(raw);
    if (!decoded || decoded->find('\0') != std::string::npos) return std::nullopt;
    std::string path = remove_dot_segments(*decoded);
    std::string out;
    out.reserve(path.size() + 1);
    if (path.empty() || path.front() != '/') out += '/';
    for (const char c : path)
        if (c != '/' || out.empty() || out.back() != '/') out += c;
    return out;
}

// The CGI directory `path` is under ("/cgi-bin" for "/cgi-bin/x"), or none.
const std::string* directory_of(const State& s, const std::string& path) {
    for (const std::string& dir : s.options.directories)
        if (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/')
            return &dir;
    return nullptr;
}

// Python's walk: the first path segment under the CGI directory that is not a directory is
// the script; the rest is PATH_INFO. 0, or the status that answers instead.
int find_script(const State& s, const std::string& path, const std::string& dir,
                ScriptTarget& target) {
    std::string fs = s.root_real + dir;
    std::size_t at = dir.size();
    struct stat st {};
    while (at < path.size()) {
        std::size_t next = path.find('/', at + 1);
        if (next == std::string::npos) next = path.size();
        const std::string candidate = fs + path.substr(at, next - at);
        if (stat(candidate.c_str(), &st) != 0) return errno == EACCES ? 403 : 404;
        if (S_ISDIR(st.st_mode)) {
            fs = candidate;
            at = next;
            continue;
        }
        if (!S_ISREG(st.st_mode)) return 403;
        target.script_name = path.substr(0, next);
        target.script_filename = candidate;
        target.path_info = path.substr(next);
        target.document_root = s.root_real;
        return handlers::confine(s.root_real, candidate, s.options.follow_symlinks,
                                 s.options.show_hidden);
    }
    return 403; // a directory: never run, never listed
}

std::string_view extension_of(std::string_view file) {
    const std::size_t slash = file.rfind('/');
    const std::size_t dot = file.rfind('.');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
        return {};
    return file.substr(dot);
}

void refuse(Response& res, int status, std::string_view why = {}) {
    server::fill_error(res, status, why);
}

// A chunked body has no length until it ends, and a script must be told one (RFC 3875
// §4.1.2): it is spooled to an unnamed temporary file, which becomes the script's stdin.
struct Spool {
    net::Fd file;
    std::uint64_t size = 0;
    bool failed = false;
};

// RFC 3875's local redirects are bounded, as Apache's: a script that redirects to itself
// ends in a 500.
constexpr int kMaxRedirects = 10;
// How many local redirects led to the request being handled now (on this thread).
thread_local int t_redirects = 0;

void handle(const std::shared_ptr<State>& state, const Request& req, Response& res);

// A GET of `location` inside the server, with the original request's fields and client: what
// is needed of the request is copied now, the Request itself being gone by then.
cgi::Run::Redirect local_redirect(const std::shared_ptr<State>& state, const Request& req) {
    struct Original {
        Fields fields; // owned copies: the request's views die with its buffer
        std::string host, remote, user;
        std::uint16_t remote_port = 0, server_port = 0;
        bool secure = false;
        Loop* loop = nullptr;
        Version version = Version::http11;
        int redirects = 0;
    };
    auto o = std::make_shared<Original>();
    for (const Field& f : req.fields())
        if (!detail::iequals(f.name, "Content-Length") &&
            !detail::iequals(f.name, "Transfer-Encoding") &&
            !detail::iequals(f.name, "Content-Type"))
            o->fields.add(f.name, f.value);
    o->host = req.host();
    o->remote = req.remote_address();
    o->user = req.remote_user();
    o->remote_port = req.remote_port();
    o->server_port = req.server_port();
    o->secure = req.is_secure();
    o->loop = &req.loop();
    o->version = req.version();
    o->redirects = t_redirects;
    return [state, o](Response& res, const std::string& location) {
        res.clear();
        server::ResponseAccess::forget_later(res);
        if (o->redirects + 1 > kMaxRedirects) {
            if (state->options.log != nullptr)
                std::fprintf(state->options.log, "cgi: more than %d local redirects, at %s\n",
                             kMaxRedirects, location.c_str());
            server::fill_error(res, 500, "Too many local redirects");
            return false;
        }
        RequestHead head;
        head.method_name = "GET";
        head.method = Method::get;
        head.target = location;
        head.version = o->version;
        head.fields = o->fields;
        server::Verdict verdict;
        const std::size_t q = location.find('?');
        verdict.path = std::string_view(location).substr(0, q);
        verdict.query =
            q == std::string::npos ? std::string_view() : std::string_view(location).substr(q + 1);
        verdict.host = o->host;
        const Fields trailers;
        const Request request =
            RequestBuilder::make(head, verdict, {}, trailers, o->remote, o->remote_port,
                                 o->server_port, o->secure, *o->loop, &o->user);
        t_redirects = o->redirects + 1;
        handle(state, request, res);
        t_redirects = 0;
        // A file server that leaves a directory listing for the pool: there is no pool step
        // here, so it runs now (a rare path: a script redirecting to a directory).
        if (server::ResponseAccess::has_blocking_job(res))
            server::ResponseAccess::take_blocking_job(res)(res);
        return res.finishes_later();
    };
}

void handle(const std::shared_ptr<State>& state, const Request& req, Response& res) {
    const State& s = *state;
    const std::optional<std::string> path = normalise(req.path());
    if (!path) return refuse(res, 400);
    const std::string* dir = directory_of(s, *path);
    if (dir == nullptr) {
        if (s.options.fallback) return s.options.fallback(req, res);
        return refuse(res, 404);
    }
    if (!s.options.show_hidden && handlers::has_hidden_segment(*path)) return refuse(res, 404);
    ScriptTarget target;
    if (const int status = find_script(s, *path, *dir, target); status != 0)
        return refuse(res, status);
    const bool nph =
        target.script_name.substr(target.script_name.rfind('/') + 1).starts_with("nph-");

    cgi::SpawnSpec spec;
    const std::string_view ext = extension_of(target.script_filename);
    for (const auto& [suffix, program] : s.options.interpreters)
        if (!ext.empty() && ext == suffix) spec.program = program;
    if (spec.program.empty()) {
        if (access(target.script_filename.c_str(), X_OK) != 0)
            return refuse(res, 403, "The CGI script is not executable");
        spec.program = target.script_filename;
        spec.argv = {target.script_filename};
    } else {
        spec.argv = {spec.program, target.script_filename};
    }
    spec.directory = target.script_filename.substr(0, target.script_filename.rfind('/'));

    // The body: already whole (a route without stream_body), to stream, or to spool.
    const bool chunked = !req.header("Transfer-Encoding").empty();
    std::uint64_t length = 0;
    const std::string_view length_text = req.header("Content-Length");
    std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
    const bool whole = !req.body().empty();
    if (whole) length = req.body().size();

    if (s.budget->running.fetch_add(1, std::memory_order_relaxed) >= s.budget->max) {
        s.budget->running.fetch_sub(1, std::memory_order_relaxed);
        refuse(res, 503, "Too many CGI scripts are running");
        res.set_header("Retry-After", "1");
        return;
    }
    cgi::RunSettings settings;
    settings.max_header_block = s.options.max_header_block;
    settings.max_stderr = s.options.max_stderr;
    settings.timeout = s.options.timeout;
    settings.log = s.options.log;
    settings.script_name = target.script_name;
    settings.remote = req.remote_address();
    auto run = std::make_shared<cgi::Run>(req.loop(), res, std::move(settings), s.budget);
    run->set_finish(res.finish_later(run));
    run->set_redirect(local_redirect(state, req));
    if (nph) run->set_nph();

    if (chunked && !whole) {
        // Spooled, then run once the body is complete; the Request is gone by then, so its
        // environment is made now, the length filled in at the end.
        auto spool = std::make_shared<Spool>();
        spool->file = net::Fd(open(P_tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
        if (!spool->file) spool->failed = true;
        spec.env = cgi::environment(req, target, std::nullopt, s.env);
        res.read_body(
            [spool](std::string_view piece) {
                if (spool->failed) return;
                spool->failed = write(spool->file.get(), piece.data(), piece.size()) !=
                                static_cast<ssize_t>(piece.size());
                spool->size += piece.size();
            },
            [run, spool, spec = std::move(spec)](Response&) mutable {
                if (spool->failed || lseek(spool->file.get(), 0, SEEK_SET) != 0) {
                    run->abort(500, "the request body could not be spooled to a file");
                    return;
                }
                spec.env.push_back("CONTENT_LENGTH=" + std::to_string(spool->size));
                spec.stdin_fd = spool->file.get();
                run->start(spec); // the child has its own copy of the descriptor
            });
        return;
    }
    spec.env = cgi::environment(
        req, target, whole || length > 0 ? std::optional<std::uint64_t>(length) : std::nullopt,
        s.env);
    run->start(spec);
    if (whole) {
        run->give_body(std::string(req.body()));
    } else if (length > 0) {
        res.read_body([run](std::string_view piece,
                            const Resume& resume) { return run->take_body(piece, resume); },
                      [run](Response&) { run->end_body(); });
    } else {
        run->end_body(); // stdin at its end from the start
    }
}

} // namespace

Handler cgi_handler(CgiOptions options) {
    auto state = std::make_shared<State>();
    char resolved[PATH_MAX];
    struct stat st {};
    if (realpath(options.root.c_str(), resolved) == nullptr || stat(resolved, &st) != 0 ||
        !S_ISDIR(st.st_mode))
        throw std::runtime_error("CGI root " + options.root + " is not a directory");
    state->root_real = resolved;
    if (state->root_real == "/") state->root_real.clear();
    for (std::string& dir : options.directories) {
        if (dir.empty() || dir.front() != '/') dir.insert(0, "/");
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    }
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    state->budget->max = options.max_running != 0 ? options.max_running : 16 * cores;
    state->env.server_software =
        options.server_software.empty() ? std::string("pier/") + kVersion : options.server_software;
    state->env.inherit = options.inherit_env;
    state->env.pass_authorization = options.pass_authorization;
    state->options = std::move(options);
    return [state](const Request& req, Response& res) { handle(state, req, res); };
}

} // namespace pier
