#include "client/loop_stream.hpp"

namespace pier::client::detail {

namespace {
constexpr std::size_t kReadSize = std::size_t{64} * 1024;
// A peer that sends as fast as it is read would keep the loop in one read_some() for ever, and
// nothing else on the loop (posted tasks, timers, other descriptors) would run: past this many
// reads the rest waits for the next round.
constexpr int kReadsPerRound = 16;
} // namespace

LoopStream::LoopStream(Loop& loop, std::unique_ptr<AsyncStream> socket, std::string remote,
                       StreamHandlers handlers)
    : loop_(loop), socket_(std::move(socket)), remote_(std::move(remote)),
      handlers_(std::move(handlers)) {}

void LoopStream::start(std::string leftover) {
    const auto self = shared_from_this();
    if (handlers_.on_open) handlers_.on_open(*this);
    if (!leftover.empty() && !finished_ && handlers_.on_data) handlers_.on_data(*this, leftover);
    if (finished_) return;
    watch_ = loop_.watch(socket_->fd(), Loop::readable, [weak = weak_from_this()](unsigned e) {
        if (const auto s = weak.lock()) s->on_ready(e);
    });
    update_interest();
}

void LoopStream::abandon() noexcept {
    finished_ = true;
    watch_ = {};
    socket_.reset();
    out_.clear(); // what was still queued is gone with the socket
    out_sent_ = 0;
}

std::size_t LoopStream::write(std::string_view bytes) {
    if (finished_ || closing_) return queued();
    out_.append(bytes);
    if (!write_blocked_) (void)flush();
    return queued();
}

bool LoopStream::flush() {
    while (out_sent_ < out_.size()) {
        const AsyncStream::Result r = socket_->write(std::string_view(out_).substr(out_sent_));
        if (r.status == AsyncStream::Status::ok) {
            out_sent_ += r.bytes;
            continue;
        }
        if (r.status == AsyncStream::Status::would_block) {
            write_blocked_ = true;
            update_interest();
            return true;
        }
        finish(); // the peer is gone
        return false;
    }
    out_.clear();
    out_sent_ = 0;
    write_blocked_ = false;
    update_interest();
    return true;
}

void LoopStream::update_interest() {
    if (!watch_ || finished_) return;
    unsigned interest = 0;
    if (!paused_ && !peer_closed_) interest |= Loop::readable;
    if (write_blocked_) interest |= socket_->wants();
    watch_.set_interest(interest);
}

void LoopStream::on_ready(unsigned events) {
    const auto self = shared_from_this();
    if (write_blocked_ && (events & (Loop::writable | Loop::readable | Loop::hangup))) {
        const bool had_queue = queued() != 0;
        if (!flush()) return;
        if (queued() == 0 && had_queue) {
            if (closing_) return finish();
            if (handlers_.on_drained) handlers_.on_drained(*this);
            if (finished_) return;
        }
    }
    if (!paused_ && !peer_closed_ && (events & (Loop::readable | Loop::hangup))) read_some();
}

void LoopStream::read_some() {
    char buffer[kReadSize];
    for (int reads = 0; !finished_ && !paused_ && !peer_closed_; ++reads) {
        if (reads == kReadsPerRound) {
            // Posted rather than left to the watch: TLS may hold what it decrypted already,
            // which the socket's readiness does not show.
            loop_.post([weak = weak_from_this()] {
                if (const auto s = weak.lock()) s->read_some();
            });
            return;
        }
        const AsyncStream::Result r = socket_->read(buffer, sizeof buffer);
        if (r.status == AsyncStream::Status::ok) {
            if (handlers_.on_data) handlers_.on_data(*this, std::string_view(buffer, r.bytes));
            continue;
        }
        if (r.status == AsyncStream::Status::would_block) {
            // A TLS read that needs the socket writable waits for that.
            if (socket_->wants() == Loop::writable) {
                write_blocked_ = true;
                update_interest();
            }
            return;
        }
        if (r.status == AsyncStream::Status::eof) {
            peer_closed_ = true;
            update_interest();
            if (handlers_.on_peer_closed)
                handlers_.on_peer_closed(*this);
            else
                close();
            return;
        }
        return finish();
    }
}

void LoopStream::pause_reading(bool paused) {
    paused_ = paused;
    update_interest();
}

void LoopStream::close() {
    if (finished_ || closing_) return;
    closing_ = true;
    if (queued() == 0) finish();
}

void LoopStream::finish() {
    if (finished_) return;
    const auto self = shared_from_this();
    abandon();
    if (handlers_.on_close) handlers_.on_close(*this);
}

} // namespace pier::client::detail
