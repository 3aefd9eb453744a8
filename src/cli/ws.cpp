// `pier ws URL` over pier::client::WebSocket on an event loop of its own: stdin is read as the
// socket lets it (a send over the high-water mark waits for on_writable), each received
// message is written to stdout as it comes.
#include "cli/ws.hpp"

#include "cli/get_errors.hpp"
#include "net/event_loop.hpp"

#include <pier/websocket_client.hpp>

#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <unistd.h>

namespace pier::cli {

struct WsArgs {
    std::string url;
    std::vector<std::string> headers;
    std::vector<std::string> subprotocols;
    bool binary = false;
    bool no_close = false;
    bool insecure = false;
    bool no_compression = false;
    bool verbose = false;
    std::string cacert;
    double connect_timeout = 10;
    double ping_interval = 30;
};

namespace {

const char* const kWsExitCodes = R"(Exit codes (as pier get's where they overlap):
   0  closed normally (1000, 1001, or a Close without a code), or stdin ended and the
      server agreed to close
   1  unsupported protocol (not ws or wss)
   2  usage error; a stdin line that is not UTF-8 (use --binary)
   3  malformed URL
   6  could not resolve host
   7  failed to connect
   8  the server's 101 did not agree to what was asked (key, subprotocol, extension)
  22  the server refused the handshake (a status that is not 101)
  28  timeout
  35  TLS handshake failed
  56  the connection ended without a Close, or the server closed with an error code
  60  peer certificate could not be verified (see --cacert, -k)
  77  the --cacert file cannot be loaded
)";

client::Duration seconds(double s) {
    return client::Duration(static_cast<long long>(s * 1000));
}

class WsSession {
  public:
    WsSession(const WsArgs& args, net::EventLoop& events) : args_(args), events_(events) {}

    int run() {
        Loop loop(events_);
        client::WebSocketOptions o;
        o.tls.verify = !args_.insecure;
        o.tls.ca_file = args_.cacert;
        o.timeouts.connect = seconds(args_.connect_timeout);
        o.ws.subprotocols = args_.subprotocols;
        o.ws.compression = !args_.no_compression;
        o.ws.ping_interval = seconds(args_.ping_interval);
        for (const std::string& h : args_.headers) {
            const std::size_t colon = h.find(':');
            if (colon == std::string::npos || colon == 0) return usage("-H wants 'Name: value'");
            std::string_view value = std::string_view(h).substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                value.remove_prefix(1);
            // try_add answers the error, if any: nullopt is success.
            if (o.fields.try_add(std::string_view(h).substr(0, colon), value))
                return usage("bad header '" + h + "'");
        }
        if (args_.verbose)
            o.debug = [](client::DebugKind kind, std::string_view text) {
                if (kind == client::DebugKind::request_body) return;
                fmt::print(stderr, "{}{}", kind == client::DebugKind::info ? "* " : "", text);
                if (kind == client::DebugKind::info) fmt::print(stderr, "\n");
            };
        ws::Handlers h;
        h.on_open = [this, &loop](ws::Socket& s) { opened(loop, s); };
        h.on_message = [this](ws::Socket&, const ws::Message& m) { print(m); };
        h.on_writable = [this](ws::Socket& s) { pump(s); };
        h.on_close = [this](ws::Socket&, std::uint16_t code, std::string_view reason) {
            closed(code, reason);
        };
        client::WebSocket socket(loop, args_.url, h, o,
                                 [this](std::exception_ptr e) { failed(e); });
        socket_ = &socket;
        events_.run();
        stdin_watch_ = {};
        return exit_code_;
    }

  private:
    int usage(const std::string& message) {
        fmt::print(stderr, "pier ws: {}\n", message);
        return 2;
    }

    void opened(Loop& loop, ws::Socket& s) {
        if (args_.verbose)
            fmt::print(stderr, "* connected{}\n",
                       s.subprotocol().empty() ? "" : ", subprotocol " + s.subprotocol());
        stdin_watch_ = loop.watch(STDIN_FILENO, Loop::readable, [this](unsigned) {
            if (ws::Socket* live = socket_->socket()) pump(*live);
        });
        // A regular file (or /dev/null) cannot be watched: it is always ready, so it is read
        // from the loop a piece at a time, as far as the send queue lets it.
        if (!stdin_watch_)
            loop.post([this] {
                if (ws::Socket* live = socket_->socket()) pump_file(*live);
            });
    }

    void pump_file(ws::Socket& s) {
        while (!stdin_done_ && pump(s)) {
        }
    }

    // One read of stdin, its complete lines (or, with --binary, the piece) sent. False when
    // the socket asked to wait, or stdin ended.
    bool pump(ws::Socket& s) {
        if (stdin_done_) return false;
        char buffer[65536];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
        if (n <= 0) {
            stdin_done_ = true;
            stdin_watch_ = {};
            if (!args_.binary && !pending_line_.empty()) send_line(s, pending_line_);
            if (!args_.no_close) s.close(ws::close_code::normal, {});
            return false;
        }
        bool more = true;
        if (args_.binary)
            return s.send_binary(std::string_view(buffer, static_cast<std::size_t>(n)));
        pending_line_.append(buffer, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (std::size_t eol; (eol = pending_line_.find('\n', start)) != std::string::npos;
             start = eol + 1) {
            std::string_view line(pending_line_.data() + start, eol - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            more = send_line(s, line) && more;
        }
        pending_line_.erase(0, start);
        if (!more) stdin_watch_.set_interest(0); // wait for on_writable
        return more;
    }

    bool send_line(ws::Socket& s, std::string_view line) {
        try {
            return s.send_text(line);
        } catch (const std::invalid_argument&) {
            fmt::print(stderr, "pier ws: a stdin line is not UTF-8 (use --binary)\n");
            exit_code_ = 2;
            stdin_done_ = true;
            s.close(ws::close_code::unsupported_data, {});
            return false;
        }
    }

    void print(const ws::Message& m) {
        std::fwrite(m.data.data(), 1, m.data.size(), stdout);
        if (m.is_text() && !args_.binary) std::fputc('\n', stdout);
        std::fflush(stdout);
    }

    void closed(std::uint16_t code, std::string_view reason) {
        const bool normal = code == ws::close_code::normal || code == ws::close_code::going_away ||
                            code == ws::close_code::no_status;
        if (!normal && exit_code_ == 0) {
            fmt::print(stderr, "pier ws: (56) {} {}{}\n",
                       code == ws::close_code::abnormal ? "connection lost without a Close"
                                                        : "closed with code",
                       code == ws::close_code::abnormal ? "" : std::to_string(code),
                       reason.empty() ? "" : ": " + std::string(reason));
            exit_code_ = 56;
        } else if (args_.verbose) {
            fmt::print(stderr, "* closed ({})\n", code);
        }
        stdin_watch_ = {};
        events_.stop();
    }

    void failed(std::exception_ptr e) {
        try {
            std::rethrow_exception(e);
        } catch (const client::WebSocketHandshakeError& h) {
            exit_code_ = h.status() == 101 ? 8 : 22;
            fmt::print(stderr, "pier ws: ({}) {}\n", exit_code_, h.what());
        } catch (const std::exception& x) {
            const Failure f = classify(x);
            exit_code_ = f.code;
            fmt::print(stderr, "pier ws: ({}) {}\n", f.code, f.message);
        }
        events_.stop();
    }

    const WsArgs& args_;
    net::EventLoop& events_;
    client::WebSocket* socket_ = nullptr;
    Loop::Watch stdin_watch_;
    std::string pending_line_;
    bool stdin_done_ = false;
    int exit_code_ = 0;
};

} // namespace

CLI::App* add_ws_command(CLI::App& app, std::shared_ptr<WsArgs>& args) {
    args = std::make_shared<WsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "ws", "Open a WebSocket: stdin lines become messages, messages go to stdout (as websocat)");
    cmd->add_option("url", args->url, "ws:// or wss:// URL")->required();
    cmd->add_option("-H,--header", args->headers, "Extra handshake field 'Name: value'")
        ->allow_extra_args(false);
    cmd->add_option("--subprotocol", args->subprotocols, "Subprotocol to offer (repeatable)")
        ->allow_extra_args(false);
    cmd->add_flag("--binary", args->binary,
                  "Send stdin as binary messages (as it is read) and print messages raw");
    cmd->add_flag("--no-close", args->no_close,
                  "At the end of stdin keep the connection (print what comes) until the server "
                  "closes it; default: close, as websocat does");
    cmd->add_flag("-k,--insecure", args->insecure, "Do not verify the server's certificate");
    cmd->add_option("--cacert", args->cacert, "CA certificates (PEM) to verify the server with");
    cmd->add_option("--connect-timeout", args->connect_timeout, "Seconds to connect")
        ->capture_default_str();
    cmd->add_option("--ping-interval", args->ping_interval,
                    "Seconds of silence before a ping (0: never)")
        ->capture_default_str();
    cmd->add_flag("--no-compression", args->no_compression, "Do not offer permessage-deflate");
    cmd->add_flag("-v,--verbose", args->verbose, "Print the handshake and events to stderr");
    cmd->footer(kWsExitCodes);
    return cmd;
}

int run_ws(const WsArgs& args) {
    net::EventLoop events;
    WsSession session(args, events);
    return session.run();
}

} // namespace pier::cli
