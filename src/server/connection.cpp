#include "server/connection.hpp"

#include "server/http1_session.hpp"
#include "server/worker.hpp"

#include <cstring>

namespace pier::server {
namespace {

// What one read asks for once a request is partly buffered.
constexpr std::size_t kReadChunk = 16 * 1024;

class ClosedTransport final : public net::Transport {
  public:
    int fd() const noexcept override { return -1; }
    net::IoResult read(char*, std::size_t) noexcept override { return net::IoResult::failed(); }
    net::IoResult writev(const iovec*, int) noexcept override { return net::IoResult::failed(); }
    net::IoResult send_file(int, std::uint64_t&, std::size_t) noexcept override {
        return net::IoResult::failed();
    }
    void shutdown_write() noexcept override {}
};

} // namespace

net::Transport& Connection::closed_transport() noexcept {
    static ClosedTransport closed;
    return closed;
}

Connection::Connection(Worker& worker, std::unique_ptr<net::Transport> transport,
                       const net::SocketAddress& peer)
    : worker_(worker), transport_(std::move(transport)), remote_(peer.host()),
      remote_port_(peer.port()), timer_(&Connection::on_timer, this) {
    worker_.attach(*this);
}

Connection::~Connection() {
    // The session first: it hands its exchange back to the worker.
    session_.reset();
    retired_.reset();
    // Shared outlives every worker; the worker's list was left in close_now() (or by ~Worker).
    worker_.shared().connections.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::start(bool input_waiting) {
    const int fd = transport_->fd();
    if (fd >= 0) net::set_nodelay(fd);
    const net::IoResult r = transport_->handshake();
    if (r.status == net::IoResult::ok) {
        begin_session();
        if (input_waiting) read_available();
    } else if (!worker_.handshake_started(*this)) {
        // TLS: a loop takes only so many handshakes at once (the oldest makes room) — a
        // flood of slow ones would cost the CPU its served connections need.
        close_now();
    } else {
        handshaking_ = true; // it has its own deadline
        set_deadline(worker_.shared().config.timeouts.handshake);
        if (r.status != net::IoResult::would_block) close_now();
    }
    if (closed_ || fd < 0) return;
    // Edge-triggered, read and write interest from the start: a write edge arrives whenever a
    // full send buffer drains, so no epoll_ctl per response. Registering reports what is
    // ready now, so nothing that arrived meanwhile is missed.
    if (!worker_.loop().add(fd, this, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)) close_now();
}

void Connection::begin_session() {
    // ALPN chooses the protocol once there is more than HTTP/1 to choose from.
    session_ = std::make_unique<Http1Session>(*this);
}

void Connection::continue_handshake() {
    const net::IoResult r = transport_->handshake();
    if (r.status == net::IoResult::would_block) return;
    end_handshake();
    if (r.status != net::IoResult::ok) {
        close_now(); // a failed or abandoned handshake; a plain-text client got its answer
        return;
    }
    begin_session();
    // The client's first request may have come with its last handshake flight: the edge
    // that brought it is spent.
    read_available();
}

void Connection::end_handshake() noexcept {
    if (!handshaking_) return;
    handshaking_ = false;
    worker_.handshake_ended(*this);
}

void Connection::on_io(std::uint32_t events) {
    retired_.reset();
    if (closed_) return;
    if (handshaking_) {
        // The client may have sent its request and its FIN while the handshake ran: that edge
        // is spent once the handshake is done, so remember it for the first reads.
        if (events & (EPOLLRDHUP | EPOLLHUP)) hangup_seen_ = true;
        // Only the edge the handshake waits for moves it (the write edge that comes with
        // registering, say, would only cost a read that finds nothing).
        const std::uint32_t awaited =
            transport_->read_waits_for_writable() ? EPOLLOUT : EPOLLIN | EPOLLRDHUP | EPOLLHUP;
        if (events & EPOLLERR)
            close_now();
        else if (events & awaited)
            continue_handshake();
        return;
    }
    if (events & EPOLLERR) {
        close_now();
        return;
    }
    if ((events & EPOLLOUT) && !lingering_) {
        session_->on_writable();
        if (closed_) return;
    }
    // Lingering: the answer's last TLS records and close_notify may still be on their way.
    if ((events & EPOLLOUT) && lingering_ && transport_->pending_output() > 0 &&
        transport_->flush().status == net::IoResult::error) {
        close_now();
        return;
    }
    // TLS: a write that waited for the socket to be readable, or a read for it to be
    // writable, is retried on that edge.
    if ((events & EPOLLIN) && !lingering_ && transport_->write_waits_for_readable()) {
        session_->on_writable();
        if (closed_) return;
    }
    if ((events & (EPOLLRDHUP | EPOLLHUP)) && !hangup_seen_) {
        hangup_seen_ = true;
        session_->on_hangup(); // it may not be reading, and no later edge says it again
        if (closed_) return;
    }
    if (events & EPOLLIN) input_drained_ = false;
    const bool read_retry = (events & EPOLLOUT) && transport_->read_waits_for_writable();
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) || read_retry) read_available();
}

bool Connection::resume_reading() {
    if (!read_paused_ || closed_) return false;
    const std::uint64_t before = inputs_;
    read_available();
    return inputs_ != before;
}

void Connection::read_available() {
    read_paused_ = false;
    while (!closed_ && !peer_closed_) {
        if (!lingering_ && !session_->wants_input()) {
            read_paused_ = true;
            return;
        }
        // With nothing buffered, read into the worker's scratch space and copy what came:
        // a connection whose read finds nothing (the usual end of a burst) allocates nothing,
        // and a small request costs a small buffer, not kReadChunk.
        const bool into_scratch = in_.empty() || lingering_;
        std::size_t room = 0;
        char* at = into_scratch ? worker_.read_scratch(room)
                                : in_.prepare(kReadChunk, max_input_ + kReadChunk, room);
        if (room == 0) { // full and nothing more can be parsed: the limits say no
            read_paused_ = true;
            return;
        }
        const net::IoResult r = transport_->read(at, room);
        if (r.status == net::IoResult::ok) {
            if (lingering_) continue; // discarded: the answer is already sent
            if (into_scratch) {
                std::size_t space = 0;
                std::memcpy(in_.prepare(r.bytes, max_input_ + kReadChunk, space), at, r.bytes);
            }
            in_.commit(r.bytes);
            // A short read emptied the socket: edge-triggered epoll reports whatever comes
            // next, so the read that would only say EAGAIN is saved — unless the peer's FIN
            // came with this edge (no later edge reports it again), or the transport holds
            // bytes the socket no longer shows (TLS records decrypted ahead).
            const bool drained = transport_->drained_by(r.bytes, room) && !hangup_seen_ &&
                                 !transport_->has_buffered();
            if (drained) input_drained_ = true; // before on_input(): a close there may use it
            ++inputs_;
            session_->on_input();
            if (drained) return;
            continue;
        }
        if (r.status == net::IoResult::eof) {
            peer_closed_ = true;
            break;
        }
        if (r.status == net::IoResult::would_block) {
            input_drained_ = true;
            return;
        }
        close_now(); // ECONNRESET and the like
        return;
    }
    if (closed_) return;
    if (peer_closed_) {
        if (lingering_) {
            close_now();
            return;
        }
        ++inputs_;
        session_->on_input(); // it learns that nothing more will come
    }
}

void Connection::set_deadline(std::chrono::milliseconds after) {
    worker_.loop().timers().schedule(timer_, worker_.loop().now_ms() +
                                                 static_cast<std::uint64_t>(after.count()));
}

void Connection::on_timer(void* context) {
    auto* c = static_cast<Connection*>(context);
    if (c->lingering_ || c->handshaking_) {
        c->close_now();
        return;
    }
    c->session_->on_deadline();
}

void Connection::linger(std::chrono::milliseconds at_most) {
    if (closed_ || lingering_) return;
    transport_->shutdown_write();
    lingering_ = true;
    set_deadline(at_most);
    read_available();
}

void Connection::close_now() {
    if (closed_) return;
    closed_ = true;
    timer_.unlink();
    end_handshake();
    if (session_) session_->on_closed();
    // Closing the socket also takes it out of epoll (it is never duplicated).
    transport_.reset();
    worker_.detach(*this);
    if (pins_ > 0) return; // unpin() frees it
    worker_.loop().destroy_later(std::unique_ptr<net::Closeable>(this));
}

void Connection::unpin() {
    if (--pins_ == 0 && closed_)
        worker_.loop().destroy_later(std::unique_ptr<net::Closeable>(this));
}

void Connection::replace_session(std::unique_ptr<Session> next) {
    retired_ = std::move(session_);
    session_ = std::move(next);
}

} // namespace pier::server
