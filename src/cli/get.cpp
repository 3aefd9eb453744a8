// `pier get URL...`: curl's everyday flags over pier::client::Session. One Session for every
// URL of the call, so they share connections where the server allows it.
#include "cli/get.hpp"

#include "cli/get_args.hpp"
#include "cli/get_curl_options.hpp"
#include "cli/get_download_name.hpp"
#include "cli/get_errors.hpp"
#include "cli/get_output.hpp"
#include "cli/get_parallel.hpp"
#include "cli/get_rate.hpp"
#include "cli/get_write_out.hpp"

#include <pier/cookie_file.hpp>
#include <pier/fetch.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace pier::cli {

CLI::App* add_get_command(CLI::App& app, std::shared_ptr<GetArgs>& args) {
    args = std::make_shared<GetArgs>();
    CLI::App* get = app.add_subcommand(
        "get", "Fetch URLs over HTTP or HTTPS and write the bodies to stdout, like a small curl");
    get->add_option("url", args->urls, "URL(s) to fetch; http:// is assumed without a scheme")
        ->required();
    get->add_option("-X,--request", args->method, "Request method (default GET, POST with -d)");
    get->add_option("-H,--header", args->headers,
                    "Extra request field 'Name: value'; 'Name:' drops a built-in one")
        ->allow_extra_args(false);
    add_body_options(*get, args->body);
    get->add_option("-o,--output", args->outputs, "Write the body to FILE (one per URL)")
        ->allow_extra_args(false);
    get->add_flag("-O,--remote-name", args->remote_names,
                  "Write to a file named as the URL's (once per URL, as -o)");
    get->add_flag("-L,--location", args->location, "Follow redirects");
    get->add_flag("-I,--head", args->head, "HEAD request; print the response head");
    get->add_flag("-i,--include", args->include, "Include the response head in the output");
    get->add_flag("-v,--verbose", args->verbose, "Print the exchange to stderr");
    get->add_flag("-s,--silent", args->silent, "No progress bar or error messages");
    get->add_flag("-S,--show-error", args->show_error, "With -s, still print errors");
    CLI::Option* fail =
        get->add_flag("-f,--fail", args->fail, "Exit 22 with no body output on a status >= 400");
    get->add_flag("--compressed", args->compressed, "Ask for gzip, deflate, br, zstd; decode");
    get->add_flag("--path-as-is", args->path_as_is,
                  "Send the URL's path as given (default: /a/../b is sent as /b, as curl does)");
    get->add_flag("-k,--insecure", args->insecure, "Do not verify the server's certificate");
    get->add_option("--cacert", args->cacert, "CA certificates (PEM) to verify the server with");
    get->add_option("-m,--max-time", args->max_time, "Seconds for each whole transfer");
    get->add_option("--connect-timeout", args->connect_timeout, "Seconds to connect");
    get->add_option("-u,--user", args->user, "Basic credentials 'user:password'");
    get->add_option("-x,--proxy", args->proxy, "HTTP proxy 'host:port' (overrides *_proxy)")
        ->each([&a = *args](const std::string&) { a.proxy_set = true; });
    get->add_option("-D,--dump-header", args->dump_header,
                    "Write response heads to FILE (- is stdout)");
    get->add_option("-w,--write-out", args->write_out,
                    "Print FORMAT after each transfer, e.g. '%{http_code}'");
    get->add_option("--max-redirs", args->max_redirs, "Redirects to follow with -L (-1: no limit)")
        ->capture_default_str();
    get->add_option("-A,--user-agent", args->user_agent, "User-Agent to send");
    get->add_option("--retry", args->retry,
                    "Retry N times on a timeout, a failed name lookup, or 408, 429, 500, 502, "
                    "503, 504 (waiting as Retry-After says, else 1 s, 2 s, 4 s...)")
        ->capture_default_str();
    get->add_flag("--retry-connrefused", args->retry_connrefused,
                  "With --retry, also retry a refused connection");
    get->add_option("-b,--cookie", args->cookies,
                    "'name=value; ...' to send as is, or a cookie FILE to read (Netscape format, "
                    "as curl -c writes; '' reads none); either turns the cookie engine on")
        ->allow_extra_args(false);
    get->add_option("-c,--cookie-jar", args->cookie_jar,
                    "Write the cookies to FILE at exit (Netscape format; - is stdout)");
    get->add_flag("-j,--junk-session-cookies", args->junk_session_cookies,
                  "Do not read session cookies (expiry 0) from -b files");
    add_connection_options(*get, args->connection);
    get->add_flag("-Z,--parallel", args->parallel,
                  "Transfer the URLs at once (on one event loop) instead of one after another");
    get->add_option("--parallel-max", args->parallel_max, "Transfers at once with -Z")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    add_transfer_flags(*get, args->transfer, fail);
    get->footer(kGetExitCodes);
    // A flag pier get lacks: a curl user is told whether it is one of curl's, to look for it
    // in a later pier rather than for a typo.
    get->allow_extras();
    get->parse_complete_callback([get] {
        const std::vector<std::string> unknown = get->remaining();
        for (const std::string& arg : unknown)
            if (arg.starts_with('-') && is_curl_option(arg))
                throw CLI::ParseError(fmt::format("pier get: {} is a curl option pier get does "
                                                  "not support yet",
                                                  arg.substr(0, arg.find('='))),
                                      CLI::ExitCodes::ExtrasError);
        if (!unknown.empty()) throw CLI::ExtrasError(get->get_name(), unknown);
    });
    return get;
}

namespace {

void print_verbose(client::DebugKind kind, std::string_view text) {
    const char* prefix = kind == client::DebugKind::request_head    ? "> "
                         : kind == client::DebugKind::response_head ? "< "
                                                                    : "* ";
    if (kind == client::DebugKind::request_body) return;
    while (!text.empty()) {
        const std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        fmt::print(stderr, "{}{}\n", prefix, line);
        if (eol == std::string_view::npos) break;
        text.remove_prefix(eol + 1);
    }
}

// curl's rule for -b: an argument with '=' is cookies to send, any other a file to read.
bool is_cookie_string(const std::string& arg) {
    return arg.find('=') != std::string::npos;
}

bool cookie_engine(const GetArgs& args) {
    return !args.cookie_jar.empty() ||
           std::any_of(args.cookies.begin(), args.cookies.end(),
                       [](const std::string& b) { return !is_cookie_string(b); });
}

std::string cookie_string(const GetArgs& args) {
    std::string out;
    for (const std::string& b : args.cookies) {
        if (!is_cookie_string(b)) continue;
        if (!out.empty()) out += "; ";
        out += b;
    }
    return out;
}

// The -b files into the jar. A file that does not exist is no error (curl's habit: the same
// name is often given to -b and -c, and the first run has no jar yet).
void load_cookie_files(const GetArgs& args, client::Session& session) {
    for (const std::string& b : args.cookies) {
        if (is_cookie_string(b) || b.empty()) continue;
        std::error_code ec;
        if (b != "-" && !std::filesystem::exists(b, ec)) continue;
        try {
            session.load_cookie_file(b, args.junk_session_cookies);
        } catch (const client::CookieFileError& e) {
            throw Failure{26, e.what()};
        }
    }
}

// Where one URL's body goes.
struct Destination {
    std::string path;          // empty: stdout
    bool named_by_url = false; // -O: -J may name it after Content-Disposition instead
    int urlnum = 0;            // the URL's place on the command line, from 0
};

class Transfer {
  public:
    Transfer(const GetArgs& args, const TransferSettings& settings, client::Session& session)
        : args_(args), settings_(settings), session_(session) {}

    // One URL (the index-th of the call), retries included. Returns the exit code.
    int run(std::size_t index, const std::string& url, const Destination& to) {
        url_index_ = index;
        const auto first_attempt = std::chrono::steady_clock::now();
        // -C N appends at every attempt: a retry must not append after a failed one's bytes.
        // (-C - needs no such care: it resumes where the failed attempt stopped.)
        std::optional<off_t> restore_size;
        struct stat st {};
        if (settings_.resume && !settings_.resume_from_file_size && !to.path.empty() &&
            to.path != "-" && ::stat(to.path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
            restore_size = st.st_size;
        int code = 0;
        for (int attempt = 0;; ++attempt) {
            Transient transient;
            code = run_once(url, to, transient);
            const bool all_errors = code != 0 && args_.transfer.retry_all_errors;
            if (attempt >= args_.retry || !(transient.yes || all_errors)) break;
            const double elapsed =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - first_attempt)
                    .count();
            const std::optional<int> wait =
                retry_wait(args_.transfer, attempt, transient.retry_after, elapsed);
            if (!wait) break; // --retry-max-time
            if (!args_.silent)
                fmt::print(stderr,
                           "Warning: Problem{}. Will retry in {} second{}. {} retr{} left.\n",
                           transient.yes ? ": transient error" : " (retrying all errors)", *wait,
                           *wait == 1 ? "" : "s", args_.retry - attempt,
                           args_.retry - attempt == 1 ? "y" : "ies");
            std::this_thread::sleep_for(std::chrono::seconds(*wait));
            if (restore_size && ::truncate(to.path.c_str(), *restore_size) != 0)
                return report(
                    {23, fmt::format("Failed to truncate {}: {}", to.path, std::strerror(errno))});
        }
        return code;
    }

    // The options of the index-th URL's request (-Z builds its transfers from them).
    client::FetchOptions options_for(std::size_t index, std::string& url) {
        url_index_ = index;
        return options_for(url);
    }

  private:
    client::FetchOptions options_for(std::string& url) {
        client::FetchOptions o;
        // As curl: no cookie is stored or sent unless -b FILE or -c turned the engine on.
        o.cookies = cookie_engine(args_);
        o.cookie = cookie_string(args_);
        o.follow_redirects = args_.location;
        o.path_as_is = args_.path_as_is;
        o.max_redirects = args_.max_redirs < 0 ? 1 << 30 : args_.max_redirs;
        o.decompress = args_.compressed;
        // Unlike http.client, curl sends no Accept-Encoding unless asked to decode.
        if (!args_.compressed) o.omit_fields.emplace_back("Accept-Encoding");
        o.tls.verify = !args_.insecure;
        o.tls.ca_file = args_.cacert;
        o.timeouts.connect = client::Duration(static_cast<long long>(args_.connect_timeout * 1000));
        o.timeouts.total = client::Duration(static_cast<long long>(args_.max_time * 1000));
        if (args_.proxy_set) o.proxy = args_.proxy;
        apply_connection_options(args_.connection, o);
        if (!args_.user.empty()) {
            const std::size_t colon = args_.user.find(':');
            o.user = args_.user.substr(0, colon);
            o.password = colon == std::string::npos ? "" : args_.user.substr(colon + 1);
        }
        bool has_type = false;
        for (const std::string& h : args_.headers) {
            const std::size_t colon = h.find(':');
            if (colon == std::string::npos && h.size() > 1 && h.back() == ';') {
                // curl's "Name;": the field, with an empty value.
                o.fields.add(std::string_view(h).substr(0, h.size() - 1), "");
                continue;
            }
            if (colon == std::string::npos || colon == 0)
                throw Failure{2, "-H wants 'Name: value' (or 'Name;' for an empty value), not '" +
                                     h + "'"};
            std::string_view value = std::string_view(h).substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                value.remove_prefix(1);
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
                value.remove_suffix(1);
            const std::string name = h.substr(0, colon);
            // Given or dropped ("Content-Type:"), the caller's word on the type is final.
            if (field_id(name) == FieldId::content_type) has_type = true;
            if (value.empty()) { // curl's "Name:": do not send that built-in field
                o.omit_fields.push_back(name);
                continue;
            }
            o.fields.add(name, value);
        }
        o.method = args_.head ? "HEAD" : "GET";
        apply_body(args_.body, {url_index_, args_.head, has_type, args_.silent}, url, o);
        if (!args_.method.empty()) o.method = args_.method;
        if (!args_.user_agent.empty()) o.fields.set("User-Agent", args_.user_agent);
        o.debug = [this](client::DebugKind kind, std::string_view text) {
            if (kind == client::DebugKind::response_head) heads_.emplace_back(text);
            if (args_.verbose) print_verbose(kind, text);
        };
        return o;
    }

    bool show_errors() const { return !args_.silent || args_.show_error; }

    int report(const Failure& f) {
        if (show_errors()) fmt::print(stderr, "pier: ({}) {}\n", f.code, f.message);
        error_message_ = f.message;
        return f.code;
    }

    int run_once(const std::string& url, const Destination& to, Transient& transient) {
        heads_.clear();
        request_head_.clear();
        error_message_.clear();
        start_ = std::chrono::steady_clock::now();
        TransferInfo info;
        info.url = url;
        info.urlnum = to.urlnum;
        int code = 0;
        try {
            code = transfer(url, to, info, transient);
        } catch (const Failure& f) {
            code = report(f);
        } catch (const std::exception& e) {
            const Failure f = classify(e);
            // What curl retries: a timeout, a failed lookup; a refused connection if asked.
            const auto* connect = dynamic_cast<const client::ConnectError*>(&e);
            transient.yes =
                f.code == 28 || f.code == 6 ||
                (args_.retry_connrefused && connect != nullptr && connect->error() == ECONNREFUSED);
            code = report(f);
        }
        info.time_total = seconds_since_start();
        info.exit_code = code;
        info.errormsg = error_message_;
        if (!args_.write_out.empty()) {
            fmt::print("{}", format_write_out(args_.write_out, info));
            std::fflush(stdout);
        }
        return code;
    }

    void write_heads(OutputFile& out, bool to_output, TransferInfo& info) {
        std::string all;
        for (const std::string& h : heads_) all += h;
        info.size_header = all.size();
        write_head_text(out, to_output, all);
    }

    // Trailer fields go where the heads went, after the body, as curl prints them.
    void write_trailers(OutputFile& out, const Fields& trailers) {
        if (trailers.empty()) return;
        std::string lines;
        for (const Field& f : trailers)
            lines.append(f.name).append(": ").append(f.value).append("\r\n");
        write_head_text(out, args_.include, lines);
    }

    // Head text to the output (-i) and to the -D file.
    void write_head_text(OutputFile& out, bool to_output, const std::string& text) {
        if (to_output && !out.write(text)) throw Failure{23, "Failure writing output"};
        if (args_.dump_header.empty()) return;
        if (args_.dump_header == "-") {
            fmt::print("{}", text);
            return;
        }
        // One file for the whole call: each transfer's heads after the previous ones.
        const auto mode = dump_started_ ? std::ios::app : std::ios::trunc;
        std::ofstream f(args_.dump_header, std::ios::binary | mode);
        if (!(f << text)) throw Failure{23, "Failed to write " + args_.dump_header};
        dump_started_ = true;
    }

    double seconds_since_start() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

    // -J: the Content-Disposition name instead of the URL's, when there is one to take.
    std::string header_named(const client::Response& r, const std::string& url_named) const {
        const std::string disposition = r.header("Content-Disposition");
        if (disposition.empty()) return url_named;
        if (auto name = header_file_name(disposition)) return std::move(*name);
        // A name was offered but refused (its bytes are not echoed: they may be terminal
        // escapes). One that was not offered ("inline") is no news.
        if (!args_.silent && disposition.find("filename") != std::string::npos)
            fmt::print(stderr, "Warning: Content-Disposition names no safe file; writing {}\n",
                       url_named);
        return url_named;
    }

    int transfer(const std::string& given, const Destination& to, TransferInfo& info,
                 Transient& transient) {
        std::string url = given.find("://") == std::string::npos ? "http://" + given : given;
        client::FetchOptions options = options_for(url);
        const std::uint64_t offset = resume_offset(settings_, to.path);
        if (offset > 0)
            options.fields.set("Range", fmt::format("bytes={}-", offset));
        else if (!settings_.range.empty())
            options.fields.set("Range", settings_.range);
        if (!settings_.referer.empty()) options.fields.set("Referer", settings_.referer);
        options.auto_referer = settings_.auto_referer;
        options.debug = [this, inner = std::move(options.debug)](client::DebugKind kind,
                                                                 std::string_view text) {
            if (kind == client::DebugKind::request_head) request_head_ = text;
            if (inner) inner(kind, text);
        };
        // What -w knows before an answer, as curl's (a refused connection has them too).
        info.url_effective = url;
        info.method = options.method;
        if (!to.path.empty() && to.path != "-") info.filename_effective = to.path;
        client::Response r = session_.fetch(url, options);
        const ConnectionReport c = connection_report(r, start_);
        info.time_connect = c.time_connect;
        info.time_appconnect = c.time_appconnect;
        info.time_pretransfer = c.time_pretransfer;
        info.time_starttransfer = c.time_starttransfer;
        info.remote_ip = c.remote_ip;
        info.remote_port = c.remote_port;
        info.local_ip = c.local_ip;
        info.local_port = c.local_port;
        describe_exchange(r, request_head_, info);
        transient.yes = transient_status(r.status());
        if (transient.yes) transient.retry_after = retry_after_seconds(r.header("Retry-After"));
        const bool failed = r.status() >= 400 && (args_.fail || args_.transfer.fail_with_body);
        const Failure http_error{22,
                                 fmt::format("The requested URL returned error: {}", r.status())};
        if (args_.fail && r.status() >= 400) {
            r.close();
            // No body, but with -i or -I the head still goes to stdout first, as curl's.
            OutputFile out("");
            (void)out.open();
            write_heads(out, args_.include || args_.head, info);
            (void)out.commit();
            return report(http_error);
        }
        if (offset > 0 && !r.closed() && !args_.head) {
            switch (
                resume_answer(r.status(), r.header("Content-Range"), r.content_length(), offset)) {
            case ResumeAnswer::append:
                break;
            case ResumeAnswer::already_complete:
                r.close();
                if (args_.verbose) fmt::print(stderr, "* The entire document is already here\n");
                return failed ? report(http_error) : 0;
            case ResumeAnswer::unsupported:
                r.close();
                return report({33, "HTTP server doesn't seem to support byte ranges. Cannot "
                                   "resume."});
            }
        }
        std::string output = to.path;
        OutputMode mode = OutputMode::replace;
        if (to.named_by_url && args_.transfer.remote_header_name) {
            output = header_named(r, to.path);
            if (output != to.path) mode = OutputMode::create_new;
        }
        // What -C asked to resume stays even if this attempt fails.
        if (settings_.resume) mode = offset > 0 ? OutputMode::append : OutputMode::in_place;
        OutputFile out(output, mode, args_.transfer.create_dirs);
        if (!out.open()) {
            if (errno == EEXIST && mode == OutputMode::create_new)
                return report({23, fmt::format("Refusing to overwrite {}: {}", output,
                                               std::strerror(EEXIST))});
            return report(
                {23, fmt::format("Failed to create {}: {}", output, std::strerror(errno))});
        }
        if (out.is_file()) info.filename_effective = output; // -J's name, maybe
        write_heads(out, args_.include || args_.head, info);
        Progress progress(out.is_file() && !args_.silent && !args_.verbose && ::isatty(2));
        std::optional<RateLimiter> limiter;
        if (settings_.rate > 0) limiter.emplace(settings_.rate, std::chrono::steady_clock::now());
        // Reads under 64 KiB take what has arrived rather than wait for a full buffer (-N).
        const std::size_t size = limiter                    ? limiter->chunk()
                                 : args_.transfer.no_buffer ? std::size_t{16} * 1024
                                                            : std::size_t{256} * 1024;
        std::string buffer(size, '\0');
        while (const std::size_t n = r.readinto(buffer)) {
            if (limiter)
                std::this_thread::sleep_for(limiter->spend(n, std::chrono::steady_clock::now()));
            if (args_.head) continue; // -I shows heads only, whatever the method (-X GET)
            if (!out.write(std::string_view(buffer.data(), n)) ||
                (args_.transfer.no_buffer && !out.flush()))
                throw Failure{23, "Failure writing output to destination"};
            progress.update(r.bytes_received(), r.content_length());
        }
        info.size_download = r.bytes_received(); // as curl: the bytes received, still coded
        write_trailers(out, r.trailers());
        progress.finish();
        if (!out.commit()) {
            if (errno == EEXIST && mode == OutputMode::create_new)
                return report({23, fmt::format("Refusing to overwrite {}: {}", output,
                                               std::strerror(EEXIST))});
            return report({23, out.is_file()
                                   ? "Failed to write " + output
                                   : std::string("Failure writing output to destination")});
        }
        return failed ? report(http_error) : 0;
    }

    const GetArgs& args_;
    const TransferSettings& settings_;
    client::Session& session_;
    std::vector<std::string> heads_;
    std::string request_head_; // the last request's, for -w's method and referer
    std::string error_message_;
    std::chrono::steady_clock::time_point start_;
    bool dump_started_ = false;
    std::size_t url_index_ = 0;
};

} // namespace

int run_get(const GetArgs& args) {
    OutputFile::remove_temporaries_on_signals();
    if (const std::optional<Failure> f = body_conflict(args.body, args.head)) {
        if (!args.silent || args.show_error)
            fmt::print(stderr, "pier: ({}) {}\n", f->code, f->message);
        return f->code;
    }
    client::Session session;
    TransferSettings settings;
    try {
        settings = transfer_settings(args.transfer, args.silent);
        load_cookie_files(args, session);
    } catch (const Failure& f) {
        if (!args.silent || args.show_error)
            fmt::print(stderr, "pier: ({}) {}\n", f.code, f.message);
        return f.code;
    }
    Transfer transfer(args, settings, session);
    int last = 0;
    std::vector<ParallelJob> jobs;
    const std::string unsupported = args.parallel ? parallel_unsupported(args) : std::string();
    if (!unsupported.empty() && !args.silent)
        fmt::print(stderr, "pier: Warning: -Z with {}: the transfers run one after another\n",
                   unsupported);
    const bool parallel = args.parallel && unsupported.empty();
    for (std::size_t i = 0; i < args.urls.size(); ++i) {
        Destination to;
        to.urlnum = static_cast<int>(i);
        if (i < args.outputs.size()) {
            to.path = args.outputs[i];
        } else if (i < args.outputs.size() + static_cast<std::size_t>(args.remote_names)) {
            to.path = url_file_name(args.urls[i]);
            to.named_by_url = true;
            if (to.path.empty()) {
                if (!args.silent || args.show_error)
                    fmt::print(stderr, "pier: (23) Remote file name has no length\n");
                last = 23;
                continue;
            }
        }
        if (parallel)
            jobs.push_back({i, args.urls[i], to.path});
        else
            last = transfer.run(i, args.urls[i], to);
    }
    if (parallel)
        last = run_parallel(args, std::move(jobs), [&transfer](std::size_t i, std::string& url) {
            return transfer.options_for(i, url);
        });
    if (!args.cookie_jar.empty()) {
        // As curl: the jar is written whatever the transfers' outcome, and a failure to write
        // it is a warning that leaves the exit code alone.
        try {
            session.save_cookie_file(args.cookie_jar);
        } catch (const client::CookieFileError& e) {
            if (!args.silent || args.show_error)
                fmt::print(stderr, "pier: Warning: failed to save cookies: {}\n", e.what());
        }
    }
    return last; // as curl: the last transfer's outcome, whatever came before
}

} // namespace pier::cli
