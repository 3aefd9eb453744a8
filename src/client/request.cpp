// Connection: request heads out — putrequest / putheader / endheaders / send, request() on top
// of them, the streamed body, 100-continue, and the one retry on a reused connection.
#include "client/channel.hpp"
#include "client/head_reader.hpp"
#include "client/request_checks.hpp"

#include <pier/chunked.hpp>
#include <pier/client.hpp>
#include <pier/field_lists.hpp>
#include <pier/method.hpp>

#include <poll.h>

namespace pier::client {

using detail::Clock;
using detail::IoStatus;
using detail::method_of;

namespace {

constexpr std::uint64_t bit_of(FieldId id) noexcept {
    return std::uint64_t{1} << static_cast<unsigned>(id);
}
static_assert(kFieldIdCount <= 64, "one bit per field id");

// Hop-by-hop and framing fields: a second one on the wire would be ambiguous (two Hosts, two
// lengths) or contradict the first, so putheader refuses it.
constexpr std::uint64_t kOnlyOnce =
    bit_of(FieldId::host) | bit_of(FieldId::content_length) | bit_of(FieldId::transfer_encoding) |
    bit_of(FieldId::connection) | bit_of(FieldId::te) | bit_of(FieldId::upgrade) |
    bit_of(FieldId::keep_alive) | bit_of(FieldId::proxy_connection) | bit_of(FieldId::expect) |
    bit_of(FieldId::trailer);

// One kept copy of a request for the retry; bodies beyond this are not kept twice.
constexpr std::size_t kMaxReplay = std::size_t{1} << 20;

} // namespace

void Connection::putrequest(std::string_view method, std::string_view target, bool skip_host,
                            bool skip_accept_encoding) {
    if (state_ != State::idle) throw CannotSendRequest("Request-sent");
    if (channel_->response_active)
        throw CannotSendRequest("the previous response has not been read to its end");
    if (!parse_method(method)) throw std::invalid_argument("method is not a token");
    if (target.empty() || detail::has_control_or_space(target))
        throw InvalidURL("URL can't contain control characters or spaces");
    request_deadline_ =
        timeouts_.total.count() != 0 ? Clock::now() + timeouts_.total : Clock::time_point::max();
    method_.assign(method);
    head_.clear();
    head_.append(method).append(" ").append(target).append(http10_ ? " HTTP/1.0\r\n"
                                                                   : " HTTP/1.1\r\n");
    hop_by_hop_ = 0;
    replayable_ = is_idempotent(method_of(method));
    body_withheld_ = false;
    // RFC 9112 §9.3: an HTTP/1.0 connection closes after the response unless both say
    // keep-alive (putheader_values sees the request's word on it).
    close_after_ = http10_;
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
    if (http10_ && field_id(name) == FieldId::connection && has_token(value, "keep-alive"))
        close_after_ = false;
    if (const std::uint64_t bit = bit_of(field_id(name)) & kOnlyOnce; bit != 0) {
        if ((hop_by_hop_ & bit) != 0)
            throw std::invalid_argument("a second '" + std::string(name) + "' field");
        hop_by_hop_ |= bit;
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
    sent_at_ = Clock::now();
    // Bytes already here (sent early by the server) are the first byte: -w's starttransfer.
    channel_->awaiting_first_byte = channel_->pending().empty();
    if (!channel_->awaiting_first_byte) channel_->first_byte = sent_at_;
    send_bytes(head_, body);
    channel_->wait_before_read = channel_->pending().empty();
}

bool Connection::reconnect_for_retry() {
    if (!last_reused_ || !replayable_) return false;
    replayable_ = false; // once
    report(DebugKind::info, "Reused connection was closed by the server; retrying once");
    connect();
    channel_->total_deadline = request_deadline_;
    channel_->awaiting_first_byte = true;
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
        if (accept_identity_ && !fields.contains(FieldId::accept_encoding))
            putheader("Accept-Encoding", "identity");
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
    const bool expect = !body.empty() && put_expect(fields, body.size());
    if (!expect) {
        endheaders(body);
        return;
    }
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

// Whether the body waits for 100 Continue: the caller's Expect says so, or (without one) the
// body is large or of unknown size, and then the field is put here.
bool Connection::put_expect(const Fields& fields, std::optional<std::uint64_t> size) {
    own_expect_ = false;
    // RFC 9110 §10.1.1: an HTTP/1.0 server sends no 100, so nothing is waited for (and pier
    // adds no expectation); a caller's Expect field goes out as given.
    if (http10_) return false;
    if (const Field* given = fields.find(FieldId::expect))
        return has_token(given->value, "100-continue");
    const bool large = size ? *size >= expect_threshold_ : expect_threshold_ != UINT64_MAX;
    if (!large) return false;
    putheader("Expect", "100-continue");
    own_expect_ = true;
    return true;
}

bool Connection::wait_for_continue() {
    const Clock::time_point until = std::min(request_deadline_, Clock::now() + expect_wait_);
    if (channel_->pending().empty() && !channel_->transport->wait_readable(until))
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

void Connection::request_stream(std::string_view method, std::string_view target,
                                const BodyReader& body, std::optional<std::uint64_t> length,
                                const Fields& fields) {
    const bool chunked = !length && !fields.contains(FieldId::content_length);
    if (chunked && http10_) // as curl: "Chunky upload is not supported by HTTP 1.0"
        throw std::invalid_argument("a body of unknown length needs chunked transfer coding, "
                                    "which HTTP/1.0 does not have");
    start_request(method, target, fields);
    if (chunked && !fields.contains(FieldId::transfer_encoding))
        putheader("Transfer-Encoding", "chunked");
    else if (length && !fields.contains(FieldId::content_length))
        putheader("Content-Length", std::to_string(*length));
    const bool expect = (!length || *length != 0) && put_expect(fields, length);
    replayable_ = false; // the body cannot be read twice
    endheaders();
    if (expect && !wait_for_continue()) {
        body_withheld_ = true;
        return;
    }
    try {
        send_stream(body, length, chunked);
    } catch (...) {
        // Half a body is on the wire: nothing more can be said on this connection.
        close();
        throw;
    }
}

void Connection::send_stream(const BodyReader& body, std::optional<std::uint64_t> length,
                             bool chunked) {
    std::string buffer(std::size_t{64} * 1024, '\0');
    std::string frame;
    std::uint64_t left = length.value_or(UINT64_MAX);
    while (left != 0) {
        const std::size_t n = body(
            buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), left)));
        if (n == 0) {
            if (length)
                throw BodyReadError("the request body ended " + std::to_string(left) +
                                    " bytes before its announced length");
            break;
        }
        if (length) left -= n;
        const std::string_view data(buffer.data(), n);
        report(DebugKind::request_body, data);
        if (chunked) {
            frame.clear();
            append_chunk_header(frame, n);
            send_bytes(frame, data);
            frame.clear();
            append_chunk_end(frame);
            send_bytes(frame);
        } else {
            send_bytes(data);
        }
    }
    if (chunked) {
        frame.clear();
        append_last_chunk(frame);
        send_bytes(frame);
    }
}

} // namespace pier::client
