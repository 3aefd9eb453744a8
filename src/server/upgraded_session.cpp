#include "server/upgraded_session.hpp"

#include "server/worker.hpp"

namespace pier::server {
namespace {

// The upgraded stream reads in pieces and hands each over at once: the buffer never needs to
// hold more than one read.
constexpr std::size_t kStreamInput = 64 * 1024;

} // namespace

// User code that throws ends the stream; it never takes the loop down.
template <typename Call>
void UpgradedSession::guarded(Call&& call) {
    try {
        call();
    } catch (...) {
        conn_.close_now();
    }
}

UpgradedSession::UpgradedSession(Connection& connection, std::unique_ptr<StreamHandlers> handlers)
    : conn_(connection), handlers_(std::move(handlers)) {
    conn_.set_max_input(kStreamInput);
    conn_.clear_deadline(); // the stream's own protocol decides how long it may be quiet
}

void UpgradedSession::start() {
    if (handlers_->on_open) guarded([&] { handlers_->on_open(*this); });
    if (conn_.closed()) return;
    on_input(); // bytes pipelined right after the head, then whatever the socket has
    if (!conn_.closed()) conn_.resume_reading();
}

void UpgradedSession::on_input() {
    deliver();
    if (conn_.closed() || !conn_.peer_closed() || peer_told_ || !conn_.input().empty()) return;
    peer_told_ = true;
    if (handlers_->on_peer_closed)
        guarded([&] { handlers_->on_peer_closed(*this); });
    else
        close();
}

void UpgradedSession::deliver() {
    if (delivering_) return;
    delivering_ = true;
    net::Buffer& in = conn_.input();
    while (!in.empty() && !paused_ && !closing_ && !conn_.closed()) {
        const std::string_view bytes = in.view();
        if (handlers_->on_data) guarded([&] { handlers_->on_data(*this, bytes); });
        if (conn_.closed()) break;
        in.consume(bytes.size()); // nothing reads into the buffer during the call
    }
    delivering_ = false;
    if (closing_ && !conn_.closed()) in.consume(in.size()); // not read after close()
    in.release();
}

std::size_t UpgradedSession::write(std::string_view bytes) {
    if (closing_ || conn_.closed()) return 0;
    out_.append(bytes);
    flush();
    return queued();
}

void UpgradedSession::on_writable() {
    if (queued() == 0) return;
    if (flush() && handlers_->on_drained && !closing_)
        guarded([&] { handlers_->on_drained(*this); });
}

// True once everything queued is written.
bool UpgradedSession::flush() {
    while (out_sent_ < out_.size()) {
        const net::IoResult r = conn_.transport().write(std::string_view(out_).substr(out_sent_));
        if (r.status == net::IoResult::ok) {
            out_sent_ += r.bytes;
            continue;
        }
        if (r.status == net::IoResult::would_block) {
            conn_.set_deadline(conn_.worker().shared().config.timeouts.write_stall);
            return false;
        }
        conn_.close_now(); // the peer is gone
        return false;
    }
    out_.clear();
    out_sent_ = 0;
    if (conn_.transport().pending_output() > 0) { // TLS records a full socket did not take
        const net::IoResult r = conn_.transport().flush();
        if (r.status == net::IoResult::would_block) {
            conn_.set_deadline(conn_.worker().shared().config.timeouts.write_stall);
            return false;
        }
        if (r.status != net::IoResult::ok) {
            conn_.close_now();
            return false;
        }
    }
    conn_.clear_deadline();
    if (closing_) finish_close();
    return true;
}

void UpgradedSession::on_deadline() {
    conn_.close_now(); // a peer that stopped reading what we write
}

void UpgradedSession::pause_reading(bool paused) {
    if (paused_ == paused) return;
    paused_ = paused;
    if (paused || delivering_ || conn_.closed()) return;
    on_input();
    if (!conn_.closed()) conn_.resume_reading();
}

void UpgradedSession::close() {
    if (closing_ || conn_.closed()) return;
    closing_ = true;
    if (queued() == 0) finish_close();
}

void UpgradedSession::abort() {
    conn_.close_now();
}

// What is queued is written: our side ends; the peer's last bytes are read and dropped (so it
// gets no reset) until it closes too.
void UpgradedSession::finish_close() {
    if (conn_.peer_closed()) {
        conn_.close_now();
        return;
    }
    conn_.linger(conn_.worker().shared().config.timeouts.linger);
}

void UpgradedSession::on_closed() noexcept {
    if (close_told_) return;
    close_told_ = true;
    if (handlers_->on_close) {
        try {
            handlers_->on_close(*this);
        } catch (...) { // user code: it must not take the loop down
        }
    }
}

Loop& UpgradedSession::loop() noexcept {
    return conn_.worker().handler_loop();
}

} // namespace pier::server
