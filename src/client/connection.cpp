// Connection: request heads out, response heads in, and the connection's life between them
// (connect on demand, keep-alive reuse, the one retry, 100-continue).
#include "client/channel.hpp"
#include "client/head_reader.hpp"

#include <pier/chunked.hpp>
#include <pier/client.hpp>
#include <pier/field_lists.hpp>
#include <pier/method.hpp>

#include <cstdio>
#include <cstring>
#include <poll.h>

namespace pier::client {

using detail::Clock;
using detail::IoStatus;

namespace {

// Hop-by-hop and framing fields: a second one on the wire would be ambiguous (two Hosts, two
// lengths) or contradict the first, so putheader refuses it.
int hop_by_hop_bit(FieldId id) noexcept {
    switch (id) {
    case FieldId::host:
        return 0;
    case FieldId::content_length:
        return 1;
    case FieldId::transfer_encoding:
        return 2;
    case FieldId::connection:
        return 3;
    case FieldId::te:
        return 4;
    case FieldId::upgrade:
        return 5;
    case FieldId::keep_alive:
        return 6;
    case FieldId::proxy_connection:
        return 7;
    case FieldId::expect:
        return 8;
    case FieldId::trailer:
        return 9;
    default:
        return -1;
    }
}

bool has_control_or_space(std::string_view s) noexcept {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return true;
    }
    return false;
}

// Python's debug output: "send: b'...'" with the bytes escaped.
std::string escaped(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\'' || c == '\\')
            (out += '\\') += c;
        else
            out += c;
    }
    return out;
}

void print_python_style(DebugKind kind, std::string_view text) {
    switch (kind) {
    case DebugKind::request_head:
        std::fprintf(stderr, "send: b'%s'\n", escaped(text).c_str());
        break;
    case DebugKind::request_body:
        std::fprintf(stderr, "send: %zu body bytes\n", text.size());
        break;
    case DebugKind::response_head: {
        std::size_t eol = text.find('\n');
        std::fprintf(stderr, "reply: '%s'\n", escaped(text.substr(0, eol + 1)).c_str());
        text.remove_prefix(eol + 1);
        while (!text.empty()) {
            eol = text.find('\n');
            std::string_view line = text.substr(0, eol);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (!line.empty())
                std::fprintf(stderr, "header: %.*s\n", static_cast<int>(line.size()), line.data());
            if (eol == std::string_view::npos) break;
            text.remove_prefix(eol + 1);
        }
        break;
    }
    case DebugKind::info:
        std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
        break;
    }
}

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
    if (host.empty() || has_control_or_space(host)) throw InvalidURL("bad host: '" + host + "'");
}

Method method_of(std::string_view name) {
    return parse_method(name).value_or(Method::extension);
}

// One kept copy of a request for the retry; bodies beyond this are not kept twice.
constexpr std::size_t kMaxReplay = std::size_t{1} << 20;

} // namespace

Connection::Connection(std::string host, std::uint16_t port, std::optional<Duration> timeout)
    : Connection(std::move(host), port, 80, timeout) {}

Connection::Connection(std::string host, std::uint16_t port, std::uint16_t default_port,
                       std::optional<Duration> timeout)
    : host_(std::move(host)), port_(port), default_port_(default_port),
      channel_(std::make_shared<detail::Channel>()) {
    std::uint16_t from_host = 0;
    split_host_port(host_, from_host);
    if (port_ == 0) port_ = from_host != 0 ? from_host : default_port_;
    if (timeout) timeouts_.connect = timeouts_.read = *timeout;
    limits_.max_body = UINT64_MAX;
}

Connection::~Connection() = default;

void Connection::set_debuglevel(int level) {
    debug_ = level > 0 ? DebugSink(print_python_style) : DebugSink();
}

void Connection::set_tunnel(std::string tunnel_host, std::uint16_t tunnel_port, Fields headers) {
    if (channel_->open()) throw ImproperConnectionState("set_tunnel on an open connection");
    split_host_port(tunnel_host, tunnel_port);
    tunnel_host_ = std::move(tunnel_host);
    tunnel_port_ = tunnel_port != 0 ? tunnel_port : default_port_;
    tunnel_fields_ = std::move(headers);
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
    report(DebugKind::info, "Trying " + host_ + ":" + std::to_string(port_) + "...");
    const detail::ConnectResult r = detail::tcp_connect(host_, port_, deadline);
    if (r.resolve_failed)
        throw ConnectError("could not resolve host: " + host_, ConnectError::Kind::resolve);
    if (r.timed_out)
        throw TimeoutError("timed out connecting to " + host_ + ":" + std::to_string(port_));
    if (r.fd < 0)
        throw ConnectError("failed to connect to " + host_ + ":" + std::to_string(port_) + ": " +
                               std::strerror(r.error),
                           ConnectError::Kind::connect);
    report(DebugKind::info, "Connected to " + host_ + ":" + std::to_string(port_));
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

void Connection::putrequest(std::string_view method, std::string_view target, bool skip_host,
                            bool skip_accept_encoding) {
    if (state_ != State::idle) throw CannotSendRequest("Request-sent");
    if (channel_->response_active)
        throw CannotSendRequest("the previous response has not been read to its end");
    if (!parse_method(method)) throw std::invalid_argument("method is not a token");
    if (target.empty() || has_control_or_space(target))
        throw InvalidURL("URL can't contain control characters or spaces");
    request_deadline_ =
        timeouts_.total.count() != 0 ? Clock::now() + timeouts_.total : Clock::time_point::max();
    method_.assign(method);
    head_.clear();
    head_.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
    hop_by_hop_ = 0;
    replayable_ = is_idempotent(method_of(method));
    body_withheld_ = false;
    close_after_ = false;
    state_ = State::request_started;
    if (!skip_host) {
        const std::string& h = tunnel_host_.empty() ? host_ : tunnel_host_;
        const std::uint16_t p = tunnel_host_.empty() ? port_ : tunnel_port_;
        std::string value = h.find(':') != std::string::npos ? "[" + h + "]" : h;
        if (p != default_port_) value += ":" + std::to_string(p);
        putheader("Host", value);
    }
    if (!skip_accept_encoding) putheader("Accept-Encoding", "identity");
}

void Connection::putheader_values(std::string_view name,
                                  std::initializer_list<std::string_view> values) {
    if (state_ != State::request_started) throw CannotSendHeader("no request head is open");
    if (!is_valid_field_name(name))
        throw std::invalid_argument("invalid header name '" + std::string(name) + "'");
    std::string value;
    for (const std::string_view v : values) {
        if (!value.empty()) value += ", ";
        value += v;
    }
    if (!value.empty() && !is_valid_field_value(value))
        throw std::invalid_argument("invalid value for header '" + std::string(name) + "'");
    // RFC 9112 §9.6: a client that sends "close" does not send another request after it.
    if (field_id(name) == FieldId::connection && has_token(value, "close")) close_after_ = true;
    if (const int bit = hop_by_hop_bit(field_id(name)); bit >= 0) {
        if ((hop_by_hop_ & (1u << bit)) != 0)
            throw std::invalid_argument("a second '" + std::string(name) + "' field");
        hop_by_hop_ |= 1u << bit;
    }
    head_.append(name).append(": ").append(value).append("\r\n");
}

void Connection::endheaders(std::string_view body) {
    if (state_ != State::request_started) throw CannotSendHeader("no request head is open");
    head_ += "\r\n";
    send_request_head(body);
}

void Connection::send_request_head(std::string_view body) {
    // A server closes an idle connection after its keep-alive timeout (seconds, usually), so
    // one idle for under a second is taken as alive without a system call; if it was not, an
    // idempotent request is retried. Other requests are never sent unchecked.
    const bool check =
        !replayable_ || Clock::now() - channel_->idle_since >= std::chrono::seconds(1);
    if (check && channel_->open() && requests_on_channel_ != 0 && channel_->pending().empty() &&
        channel_->transport->idle_but_dead()) {
        report(DebugKind::info, "Connection closed by the server while idle; reconnecting");
        channel_->close();
    }
    if (!channel_->open()) {
        try {
            connect();
        } catch (...) {
            state_ = State::idle; // nothing was sent: the connection may be used again
            throw;
        }
    }
    channel_->total_deadline = request_deadline_;
    channel_->read_timeout = timeouts_.read;
    channel_->limits = limits_;
    channel_->debug = debug_;
    last_reused_ = requests_on_channel_ != 0;
    if (last_reused_) report(DebugKind::info, "Re-using existing connection");
    report(DebugKind::request_head, head_);
    if (!body.empty()) report(DebugKind::request_body, body);
    if (replayable_ && head_.size() + body.size() <= kMaxReplay) {
        replay_.assign(head_).append(body);
    } else {
        replayable_ = false;
    }
    state_ = State::request_sent;
    ++requests_on_channel_;
    send_bytes(head_, body);
    channel_->wait_before_read = channel_->pending().empty();
}

bool Connection::reconnect_for_retry() {
    if (!last_reused_ || !replayable_) return false;
    replayable_ = false; // once
    report(DebugKind::info, "Reused connection was closed by the server; retrying once");
    connect();
    channel_->total_deadline = request_deadline_;
    ++requests_on_channel_;
    last_reused_ = false;
    const detail::Io io = channel_->transport->write(replay_, channel_->deadline());
    if (io.status != IoStatus::ok) {
        const auto t = std::move(channel_->transport);
        channel_->close();
        detail::throw_io_error(io, t.get(), "sending the request");
    }
    return true;
}

void Connection::send_bytes(std::string_view a, std::string_view b) {
    const detail::Io io = channel_->transport->write2(a, b, channel_->deadline());
    if (io.status == IoStatus::ok) return;
    if (io.status == IoStatus::reset && reconnect_for_retry()) return;
    std::unique_ptr<detail::Transport> t = std::move(channel_->transport);
    channel_->close();
    state_ = State::idle;
    detail::throw_io_error(io, t.get(), "sending the request");
}

void Connection::send(std::string_view data) {
    if (state_ == State::idle && !channel_->open()) connect();
    if (!channel_->open()) throw NotConnected("not connected");
    if (state_ == State::request_sent) replayable_ = false; // the replay copy lacks this part
    report(DebugKind::request_body, data);
    send_bytes(data);
}

void Connection::start_request(std::string_view method, std::string_view target,
                               const Fields& fields) {
    // Host first whoever supplies it (RFC 9110 §7.2 asks for it), then the defaults.
    const Field* host = fields.find(FieldId::host);
    putrequest(method, target, host != nullptr, true);
    try {
        if (host != nullptr) putheader(host->name, host->value);
        if (!fields.contains(FieldId::accept_encoding)) putheader("Accept-Encoding", "identity");
        for (const Field& f : fields)
            if (f.id != FieldId::host) putheader(f.name, f.value);
    } catch (...) {
        state_ = State::idle; // a refused field: nothing was sent, the connection stays usable
        throw;
    }
}

void Connection::request(std::string_view method, std::string_view target, std::string_view body,
                         const Fields& fields) {
    start_request(method, target, fields);
    const bool framed =
        fields.contains(FieldId::content_length) || fields.contains(FieldId::transfer_encoding);
    const Method m = method_of(method);
    if (!framed && (!body.empty() || m == Method::post || m == Method::put || m == Method::patch))
        putheader("Content-Length", std::to_string(body.size()));
    const bool expect =
        body.size() >= expect_threshold_ && !body.empty() && !fields.contains(FieldId::expect);
    if (!expect) {
        endheaders(body);
        return;
    }
    putheader("Expect", "100-continue");
    endheaders();
    if (wait_for_continue()) {
        report(DebugKind::request_body, body);
        if (replayable_) replay_.append(body);
        if (replay_.size() > kMaxReplay) replayable_ = false;
        send_bytes(body);
    } else {
        body_withheld_ = true;
        replayable_ = false;
    }
}

bool Connection::wait_for_continue() {
    const Clock::time_point until = std::min(request_deadline_, Clock::now() + expect_wait_);
    if (channel_->pending().empty() && !detail::wait_fd(channel_->transport->fd(), POLLIN, until))
        return true; // no answer in time: send the body anyway (RFC 9110 §10.1.1)
    ResponseParser parser(limits_);
    ResponseHead head;
    std::size_t size = 0;
    try {
        size = detail::read_response_head(*channel_, method_of(method_), parser, head);
    } catch (...) {
        close();
        throw;
    }
    // A final answer (a 401 or 413, say) is left for getresponse(); so is a 103.
    if (head.status != 100) return head.status < 200;
    report(DebugKind::response_head, channel_->pending().substr(0, size));
    channel_->consume(size);
    return true;
}

void Connection::request_stream(std::string_view method, std::string_view target, BodyReader body,
                                std::optional<std::uint64_t> length, const Fields& fields) {
    start_request(method, target, fields);
    const bool chunked = !length && !fields.contains(FieldId::content_length);
    if (chunked && !fields.contains(FieldId::transfer_encoding))
        putheader("Transfer-Encoding", "chunked");
    else if (length && !fields.contains(FieldId::content_length))
        putheader("Content-Length", std::to_string(*length));
    replayable_ = false; // the body cannot be read twice
    endheaders();
    std::string buffer(64 * 1024, '\0');
    std::string frame;
    for (;;) {
        const std::size_t n = body(buffer.data(), buffer.size());
        if (n == 0) break;
        const std::string_view data(buffer.data(), n);
        report(DebugKind::request_body, data);
        if (chunked) {
            frame.clear();
            append_chunk_header(frame, n);
            send_bytes(frame, data);
            send_bytes("\r\n");
        } else {
            send_bytes(data);
        }
    }
    if (chunked) send_bytes("0\r\n\r\n");
}

Response Connection::getresponse() {
    if (state_ != State::request_sent) throw ResponseNotReady("no request has been sent");
    if (channel_->response_active)
        throw ResponseNotReady("the previous response has not been read to its end");
    const Method m = method_of(method_);
    Response response;
    ResponseParser parser(limits_);
    ResponseHead head;
    std::vector<InterimResponse> interim;
    try {
        for (;;) {
            std::size_t size = 0;
            try {
                size = detail::read_response_head(*channel_, m, parser, head);
            } catch (const RemoteDisconnected& e) {
                if (e.received() != 0 || !reconnect_for_retry()) throw;
                continue;
            }
            report(DebugKind::response_head, channel_->pending().substr(0, size));
            if (head.is_informational() && head.status != 101) {
                InterimResponse i;
                i.status = head.status;
                i.reason.assign(head.reason);
                for (const Field& f : head.fields) i.fields.add(f.name, f.value);
                interim.push_back(std::move(i));
                channel_->consume(size);
                continue;
            }
            std::string text(channel_->pending().substr(0, size));
            channel_->consume(size);
            channel_->response_active = true;
            response.interim_ = std::move(interim);
            response.start(channel_, std::move(text), m, decode_content_);
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
    case detail::TlsStatus::handshake_failed:
        break;
    }
    throw TlsError("TLS handshake with " + host + " failed: " + r.error);
}

} // namespace pier::client
