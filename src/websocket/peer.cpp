#include "websocket/peer.hpp"

#include "ws/utf8_validator.hpp"

#include <span>
#include <stdexcept>

namespace pier::ws::detail {

Peer::Peer(Role role, std::shared_ptr<const Endpoint> endpoint, std::string target,
           std::string subprotocol, const std::optional<DeflateParams>& deflate)
    : endpoint_(std::move(endpoint)), target_(std::move(target)),
      subprotocol_(std::move(subprotocol)), reader_(role, endpoint_->options.limits),
      writer_(role) {
    if (deflate) {
        reader_.enable_deflate(*deflate);
        writer_.enable_deflate(*deflate, endpoint_->options.deflate);
    }
}

StreamHandlers Peer::stream_handlers() {
    auto self = shared_from_this();
    StreamHandlers h;
    h.on_open = [self](Stream& s) { self->opened(s); };
    h.on_data = [self](Stream&, std::string_view bytes) { self->received(bytes); };
    h.on_drained = [self](Stream&) { self->drained(); };
    h.on_peer_closed = [self](Stream&) { self->peer_closed(); };
    h.on_close = [self](Stream&) { self->stream_closed(); };
    return h;
}

void Peer::opened(Stream& stream) {
    stream_ = &stream;
    remote_ = stream.remote_address();
    last_heard_ = Clock::now();
    arm_ping();
    if (endpoint_->handlers.on_open) endpoint_->handlers.on_open(*this);
}

void Peer::received(std::string_view bytes) {
    last_heard_ = Clock::now();
    awaiting_pong_ = false;
    if (close_received_) return; // nothing after the peer's Close is read (§5.5.1)
    in_.append(bytes);
    process();
}

void Peer::process() {
    if (processing_) return; // a handler's call that resumes reading comes back here
    // Also a cork: the answers to the messages of one read leave in one write, at the end.
    processing_ = true;
    std::size_t at = 0;
    while (stream_ != nullptr && !paused_ && !close_received_ && !reader_.failed()) {
        const Reader::Step s = reader_.read(std::span<char>(in_.data() + at, in_.size() - at));
        at += s.consumed;
        if (s.status == Reader::Status::need_more) break;
        if (s.status == Reader::Status::error) {
            fail(reader_.failure().code, reader_.failure().reason);
            break;
        }
        if (s.status == Reader::Status::control) {
            control(s);
            continue;
        }
        // Messages the peer sent before it saw our Close still count (RFC 6455 §1.4: the
        // closing handshake ends the data in both directions, each at its own Close).
        if (endpoint_->handlers.on_message)
            endpoint_->handlers.on_message(*this, Message{s.opcode, s.data});
    }
    in_.erase(0, at);
    processing_ = false;
    if (!corked_ && stream_ != nullptr) (void)flush_frames();
}

void Peer::control(const Reader::Step& step) {
    switch (step.opcode) {
    case Opcode::ping:
        if (!close_sent_) {
            writer_.control(out_, Opcode::pong, step.data);
            (void)flush_unless_corked();
        }
        return;
    case Opcode::pong:
        return; // any bytes at all showed the peer alive
    case Opcode::close: {
        close_received_ = true;
        const std::uint16_t code = step.close_code;
        const std::string reason(step.data);
        if (!close_sent_) {
            // Echo the code (RFC 6455 §5.5.1), then end once it is written.
            send_close(code == close_code::no_status ? close_code::no_status : code, {});
        }
        close_timer_ = {};
        close_code_ = code;
        close_reason_ = reason;
        if (stream_ != nullptr) stream_->close();
        ended(code, reason);
        return;
    }
    default:
        return;
    }
}

bool Peer::send_text(std::string_view text) {
    Utf8Validator v;
    if (!v.feed(text) || !v.complete())
        throw std::invalid_argument("WebSocket text message that is not UTF-8");
    return send(Opcode::text, text);
}

bool Peer::send_binary(std::string_view bytes) {
    return send(Opcode::binary, bytes);
}

bool Peer::send(Opcode opcode, std::string_view payload) {
    if (stream_ == nullptr || close_sent_) return false;
    writer_.message(out_, opcode, payload);
    // A write that finds the peer gone ends the stream at once (on_close has run).
    if (!flush_unless_corked() || stream_ == nullptr) return false;
    if (queued() <= endpoint_->options.high_water) return true;
    // Held frames go to the stream first: its draining is what on_writable waits for.
    if (!flush_frames() || stream_ == nullptr) return false;
    if (stream_->queued() <= endpoint_->options.high_water) return true;
    above_high_water_ = true;
    return false;
}

void Peer::ping(std::string_view payload) {
    if (stream_ == nullptr || close_sent_) return;
    writer_.control(out_, Opcode::ping, payload);
    (void)flush_frames();
}

void Peer::cork(bool corked) {
    corked_ = corked;
    if (!corked && !processing_ && stream_ != nullptr) (void)flush_frames();
}

bool Peer::flush_unless_corked() {
    // Held frames go out once they would fill a good-sized write anyway.
    constexpr std::size_t kHeldAtMost = 64 * 1024;
    return (corked_ || processing_) && out_.size() < kHeldAtMost ? true : flush_frames();
}

// Nothing to write is no write (a Close, once sent, leaves nothing held).
bool Peer::flush_frames() {
    if (out_.empty()) return true;
    const std::size_t queued = stream_->write(out_);
    out_.clear();
    // A write that finds the peer gone (a reset) ends the stream inside it: stream_closed()
    // has run and there is no stream left to use.
    if (stream_ == nullptr) return false;
    if (queued > endpoint_->options.max_queued) {
        // A peer that does not read, or a handler that ignores back-pressure: the queue is
        // not allowed to grow without end. A Close frame behind it would not be read either,
        // so the connection is dropped at once (RFC 6455 §7.1.7), not left to the write
        // timeout.
        close_sent_ = true;
        close_code_ = close_code::policy_violation;
        close_reason_ = "send queue full";
        stream_->abort(); // stream_closed() reports it
        return false;
    }
    if (queued == 0 && above_high_water_) {
        // Written at once, the stream's queue with it: the stream has nothing left to drain
        // and will not say so, so on_writable is owed from here (from the loop, not from
        // inside whatever wrote).
        stream_->loop().post([weak = weak_from_this()] {
            if (const auto self = weak.lock()) self->drained();
        });
    }
    return true;
}

void Peer::close(std::uint16_t code, std::string_view reason) {
    if (stream_ == nullptr || close_sent_) return;
    send_close(is_valid_close_code(code) ? code : close_code::normal, reason);
    if (stream_ == nullptr) return; // the write found the peer gone: already ended
    close_timer_ =
        stream_->loop().after(endpoint_->options.close_timeout, [weak = weak_from_this()] {
            if (const auto self = weak.lock())
                if (self->stream_ != nullptr) self->stream_->close();
        });
}

// The write may end the stream at once (the peer is gone): callers check stream_ after it.
void Peer::send_close(std::uint16_t code, std::string_view reason) {
    close_sent_ = true;
    writer_.close(out_, code, reason);
    stream_->write(out_);
    out_.clear();
}

void Peer::fail(std::uint16_t code, std::string_view reason) {
    if (stream_ == nullptr) return;
    if (!close_sent_) send_close(code, reason);
    if (stream_ != nullptr) stream_->close();
    ended(code, reason);
}

std::size_t Peer::queued() const noexcept {
    return stream_ != nullptr ? stream_->queued() + out_.size() : 0;
}

void Peer::pause_reading(bool paused) {
    paused_ = paused;
    if (stream_ == nullptr) return;
    stream_->pause_reading(paused); // may deliver, and so end the stream, at once
    if (!paused && stream_ != nullptr && !in_.empty()) {
        // What was buffered when reading paused is processed from the loop, not from inside
        // the handler that resumed.
        stream_->loop().post([weak = weak_from_this()] {
            if (const auto self = weak.lock()) self->process();
        });
    }
}

void Peer::drained() {
    if (!above_high_water_ || close_sent_ || stream_ == nullptr) return;
    above_high_water_ = false;
    if (endpoint_->handlers.on_writable) endpoint_->handlers.on_writable(*this);
}

void Peer::peer_closed() {
    // TCP's end without a Close frame: abnormal closure (RFC 6455 §7.1.5). Frames a cork
    // held still go out first (the peer may only have closed its sending half).
    if (stream_ != nullptr && !flush_frames()) return;
    if (stream_ != nullptr) stream_->close();
    ended(close_code::abnormal, {});
}

void Peer::stream_closed() {
    ping_timer_ = {};
    close_timer_ = {};
    ended(close_code_, close_reason_);
    stream_ = nullptr;
}

void Peer::ended(std::uint16_t code, std::string_view reason) {
    if (ended_) return;
    ended_ = true;
    ping_timer_ = {};
    if (endpoint_->handlers.on_close) endpoint_->handlers.on_close(*this, code, reason);
}

void Peer::arm_ping() {
    const auto interval = endpoint_->options.ping_interval;
    if (interval.count() <= 0 || stream_ == nullptr) return;
    ping_timer_ = stream_->loop().after(interval, [weak = weak_from_this()] {
        if (const auto self = weak.lock()) self->on_ping_timer();
    });
}

void Peer::on_ping_timer() {
    if (stream_ == nullptr || close_received_) return;
    const auto interval = endpoint_->options.ping_interval;
    if (Clock::now() - last_heard_ >= interval) {
        if (awaiting_pong_) {
            // Silent through a whole interval after our ping: the peer is gone.
            stream_->close();
            ended(close_code::abnormal, "no answer to ping");
            return;
        }
        awaiting_pong_ = true;
        writer_.control(out_, Opcode::ping, {});
        if (!flush_frames()) return;
    }
    arm_ping();
}

} // namespace pier::ws::detail
