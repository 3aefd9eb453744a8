// Connection: its life — connect on demand (through a tunnel if asked), TLS for
// HttpsConnection, response heads in, keep-alive and close. Request heads go out in
// request.cpp.
#include "client/channel.hpp"
#include "client/debug.hpp"
#include "client/head_reader.hpp"
#include "client/request_checks.hpp"
#include "client/response_stream.hpp"

#include <pier/client.hpp>
#include <pier/method.hpp>

#include <cstring>

namespace pier::client {

using detail::Clock;
using detail::IoStatus;

namespace {

constexpr std::size_t kMaxInterim = 32;

// "host:port" in the host argument, as Python accepts it; "[v6]" loses its brackets.
void split_host_port(std::string& host, std::uint16_t& port) {
    std::string_view h = host;
    std::string_view port_text;
    if (!h.empty() && h.front() == '[') {
        const std::size_t close = h.find(']');
        if (close == std::string_view::npos) throw InvalidURL("unclosed '[' in host: " + host);
        if (close + 1 < h.size()) {
            if (h[close + 1] != ':') throw InvalidURL("junk after ']' in host: " + host);
            port_text = h.substr(close + 2);
        }
        h = h.substr(1, close - 1);
    } else if (const std::size_t colon = h.find(':');
               colon != std::string_view::npos &&
               h.find(':', colon + 1) == std::string_view::npos) {
        port_text = h.substr(colon + 1);
        h = h.substr(0, colon);
    }
    if (!port_text.empty()) {
        unsigned value = 0;
        for (const char c : port_text) {
            if (c < '0' || c > '9' || value > 65535) throw InvalidURL("nonnumeric port: " + host);
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535) throw InvalidURL("port out of range: " + host);
        port = static_cast<std::uint16_t>(value);
    }
    host = std::string(h);
    if (host.empty() || detail::has_control_or_space(host))
        throw InvalidURL("bad host: '" + host + "'");
}

} // namespace

Connection::Connection(std::string host, std::uint16_t port, std::optional<Duration> timeout)
    : Connection(std::move(host), port, 80, timeout) {}

Limits client_limits() noexcept {
    Limits l;
    // What servers really send, as curl takes it: a field line up to 100 KiB (a long CSP), a
    // head up to 300 KiB, the fields that fit in it (many Set-Cookie), any body. The server's
    // own defaults are tighter: there the peer is the one to distrust.
    l.max_field_line = std::size_t{100} * 1024;
    l.max_header_section = std::size_t{300} * 1024;
    l.max_fields = 10'000;
    l.max_trailer_section = std::size_t{64} * 1024;
    l.max_body = UINT64_MAX;
    return l;
}

Connection::Connection(std::string host, std::uint16_t port, std::uint16_t default_port,
                       std::optional<Duration> timeout)
    : host_(std::move(host)), port_(port), default_port_(default_port),
      channel_(std::make_shared<detail::Channel>()) {
    std::uint16_t from_host = 0;
    split_host_port(host_, from_host);
    if (port_ == 0) port_ = from_host != 0 ? from_host : default_port_;
    if (timeout) timeouts_.connect = timeouts_.read = *timeout;
    limits_ = client_limits();
}

Connection::~Connection() = default;

void Connection::set_debuglevel(int level) {
    debug_ = level > 0 ? DebugSink(detail::print_python_style) : DebugSink();
}

void Connection::set_tunnel(std::string tunnel_host, std::uint16_t tunnel_port, Fields headers) {
    if (channel_->open()) throw ImproperConnectionState("set_tunnel on an open connection");
    split_host_port(tunnel_host, tunnel_port);
    tunnel_host_ = std::move(tunnel_host);
    tunnel_port_ = tunnel_port != 0 ? tunnel_port : default_port_;
    tunnel_fields_ = std::move(headers);
}

void Connection::set_addresses(std::vector<std::string> addresses) {
    if (channel_->open()) throw ImproperConnectionState("set_addresses on an open connection");
    addresses_ = std::move(addresses);
}

void Connection::set_unix_socket(std::string path) {
    if (channel_->open()) throw ImproperConnectionState("set_unix_socket on an open connection");
    unix_socket_ = std::move(path);
}

void Connection::report(DebugKind kind, std::string_view text) {
    if (debug_) debug_(kind, text);
}

bool Connection::connected() const noexcept {
    return channel_->open();
}
bool Connection::busy() const noexcept {
    return channel_->response_active;
}

void Connection::close() noexcept {
    channel_->close();
    state_ = State::idle;
}

std::chrono::steady_clock::time_point Connection::connect_deadline() const {
    Clock::time_point d = request_deadline_;
    if (timeouts_.connect.count() != 0) d = std::min(d, Clock::now() + timeouts_.connect);
    return d;
}

std::unique_ptr<detail::Transport> Connection::open_transport(int fd, const std::string&) {
    return detail::make_plain_transport(fd);
}

void Connection::connect() {
    // A Response still reading from the old channel keeps it; this connection starts afresh.
    if (channel_->response_active) channel_ = std::make_shared<detail::Channel>();
    channel_->close();
    if (state_ == State::idle) request_deadline_ = Clock::time_point::max();
    const auto deadline = connect_deadline();
    const std::string where = host_ + ":" + std::to_string(port_);
    detail::ConnectResult r;
    if (!unix_socket_.empty()) {
        report(DebugKind::info, "Trying " + unix_socket_ + " (unix socket)...");
        r = detail::unix_connect(unix_socket_, deadline);
    } else if (!addresses_.empty()) {
        std::string list;
        for (const std::string& a : addresses_) list += (list.empty() ? "" : ", ") + a;
        report(DebugKind::info, "Trying " + where + " at " + list + " (given, not looked up)...");
        r = detail::tcp_connect_addresses(addresses_, port_, deadline);
    } else {
        report(DebugKind::info, "Trying " + where + "...");
        r = detail::tcp_connect(host_, port_, deadline);
    }
    if (r.resolve_failed)
        throw ConnectError(addresses_.empty() ? "could not resolve host: " + host_
                                              : "not an IP address among those given for " + where,
                           ConnectError::Kind::resolve);
    if (r.timed_out)
        throw TimeoutError("timed out connecting to " +
                           (unix_socket_.empty() ? where : "unix socket " + unix_socket_));
    if (r.fd < 0)
        throw ConnectError("failed to connect to " +
                               (unix_socket_.empty() ? where : "unix socket " + unix_socket_) +
                               ": " + std::strerror(r.error),
                           ConnectError::Kind::connect, r.error);
    auto info = std::make_shared<ConnectionInfo>();
    info->connected = Clock::now();
    info->unix_socket = unix_socket_;
    if (unix_socket_.empty()) detail::read_endpoints(r.fd, *info);
    report(DebugKind::info,
           "Connected to " + where +
               (unix_socket_.empty() ? " (" + info->remote_ip + ")" : " over " + unix_socket_));
    channel_->limits = limits_;
    channel_->debug = debug_;
    channel_->read_timeout = timeouts_.read;
    channel_->total_deadline = request_deadline_;
    int fd = r.fd;
    if (!tunnel_host_.empty()) {
        channel_->transport = detail::make_plain_transport(fd);
        try {
            open_tunnel();
        } catch (...) {
            channel_->close(); // half a tunnel must not pass for a connection
            throw;
        }
        fd = channel_->transport->release_fd();
        channel_->transport.reset();
        detail::set_nonblocking(fd);
    }
    channel_->transport = open_transport(fd, tunnel_host_.empty() ? host_ : tunnel_host_);
    if (channel_->transport->is_tls()) info->tls_done = Clock::now();
    channel_->info = std::move(info);
    requests_on_channel_ = 0;
}

void Connection::open_tunnel() {
    const std::string authority =
        (tunnel_host_.find(':') != std::string::npos ? "[" + tunnel_host_ + "]" : tunnel_host_) +
        ":" + std::to_string(tunnel_port_);
    std::string head = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    for (const Field& f : tunnel_fields_) {
        head.append(f.name).append(": ").append(f.value).append("\r\n");
    }
    head += "\r\n";
    report(DebugKind::request_head, head);
    const detail::Io io = channel_->transport->write(head, channel_->deadline());
    if (io.status != IoStatus::ok)
        detail::throw_io_error(io, channel_->transport.get(), "sending CONNECT");
    ResponseParser parser(limits_);
    ResponseHead response;
    const std::size_t size =
        detail::read_response_head(*channel_, Method::connect, parser, response);
    report(DebugKind::response_head, channel_->pending().substr(0, size));
    const int status = response.status;
    const std::string reason(response.reason);
    channel_->consume(size);
    if (status / 100 != 2) {
        channel_->close();
        throw HTTPException("Tunnel connection failed: " + std::to_string(status) + " " + reason);
    }
}

Response Connection::getresponse() {
    if (state_ != State::request_sent) throw ResponseNotReady("no request has been sent");
    if (channel_->response_active)
        throw ResponseNotReady("the previous response has not been read to its end");
    const Method m = detail::method_of(method_);
    Response response;
    // The same state machine as the event-loop client's; here the driver waits for bytes.
    auto stream = std::make_unique<detail::ResponseStream>(limits_);
    stream->expect(m);
    std::vector<InterimResponse> interim;
    try {
        channel_->compact();
        bool eof = false;
        for (;;) {
            const std::string_view pending = channel_->pending();
            const detail::ResponseStream::Step s = stream->next(pending, eof);
            using Event = detail::ResponseStream::Event;
            if (s.event == Event::need_more) {
                const detail::Io io = channel_->fill();
                if (io.status == IoStatus::eof || io.status == IoStatus::reset) {
                    eof = true;
                } else if (io.status != IoStatus::ok) {
                    detail::throw_io_error(io, channel_->transport.get(),
                                           "reading the response head");
                }
                continue;
            }
            if (s.event == Event::error) {
                if (stream->nothing_received() &&
                    stream->failure() == detail::ResponseStream::Failure::closed_early &&
                    reconnect_for_retry()) {
                    stream->expect(m);
                    eof = false;
                    continue;
                }
                detail::throw_response_error(*stream, pending, std::nullopt);
            }
            const std::string_view text = pending.substr(0, s.consumed);
            report(DebugKind::response_head, text);
            if (s.event == Event::interim) {
                // A server that sends 1xx forever must not hold the client forever.
                if (interim.size() == kMaxInterim)
                    throw ProtocolError("more than " + std::to_string(kMaxInterim) +
                                        " interim (1xx) responses");
                const ResponseHead& head = stream->head();
                InterimResponse i;
                i.status = head.status;
                i.reason.assign(head.reason);
                // The codec validated these bytes; try_add so no corner of the two validators
                // can turn an interim field into an exception.
                for (const Field& f : head.fields) (void)i.fields.try_add(f.name, f.value);
                interim.push_back(std::move(i));
                channel_->consume(s.consumed);
                channel_->compact();
                continue;
            }
            std::string head_text(text);
            channel_->consume(s.consumed);
            channel_->response_active = true;
            response.interim_ = std::move(interim);
            response.connection_info_ = channel_->info;
            response.reused_ = last_reused_;
            response.sent_ = sent_at_;
            response.first_byte_ = channel_->first_byte;
            response.start(channel_, std::move(head_text), m, decode_content_, std::move(stream));
            break;
        }
    } catch (...) {
        channel_->close();
        state_ = State::idle;
        throw;
    }
    state_ = State::idle;
    if (body_withheld_ || close_after_) {
        if (response.closed())
            channel_->close();
        else
            response.keep_alive_ = false;
    }
    return response;
}

HttpsConnection::HttpsConnection(std::string host, std::uint16_t port, TlsOptions tls,
                                 std::optional<Duration> timeout)
    : Connection(std::move(host), port, 443, timeout), tls_(std::move(tls)) {}

std::unique_ptr<detail::Transport> HttpsConnection::open_transport(int fd,
                                                                   const std::string& host) {
    detail::TlsResult r = detail::make_tls_transport(fd, host, tls_, connect_deadline());
    switch (r.status) {
    case detail::TlsStatus::ok:
        return std::move(r.transport);
    case detail::TlsStatus::timeout:
        throw TimeoutError("timed out in the TLS handshake with " + host);
    case detail::TlsStatus::verify_failed:
        throw CertificateError("certificate verify failed for " + host + ": " + r.error);
    case detail::TlsStatus::ca_unusable:
        throw CaCertificatesError(r.error);
    case detail::TlsStatus::client_cert_unusable:
        throw ClientCertificateError(r.error);
    case detail::TlsStatus::handshake_failed:
        break;
    }
    throw TlsError("TLS handshake with " + host + " failed: " + r.error);
}

} // namespace pier::client
