#include "server/worker.hpp"

#include "net/plain_transport.hpp"
#include "net/tls_transport.hpp"
#include "server/connection.hpp"

#include <cerrno>
#include <sys/socket.h>

namespace pier::server {
namespace {

// Out of file descriptors: stop accepting for a moment instead of spinning on EMFILE (the
// pending connections wait in the backlog; closing ones free descriptors meanwhile).
constexpr std::uint64_t kAcceptPauseMs = 100;
constexpr int kAcceptBatch = 64;

} // namespace

Worker::Worker(Shared& shared) : shared_(shared), timer_(&Worker::on_timer, this) {}

Worker::~Worker() {
    // Connections still open when the loop has ended (a hard stop).
    while (Connection* c = connections_) {
        detach(*c);
        delete c;
    }
}

bool Worker::listen(const net::SocketAddress& address, std::string& error) {
    net::ListenOptions options;
    if (shared_.config.defer_accept) options.defer_accept_seconds = 1;
    listener_ = net::listen_on(address, options, error);
    if (!listener_) return false;
    listen_port_ = port();
    // Level-triggered: a batch limit leaves connections pending, and they must wake us again.
    if (!loop_.add(listener_.get(), this, EPOLLIN)) {
        error = "epoll_ctl failed for the listener";
        return false;
    }
    return true;
}

void Worker::on_io(std::uint32_t) {
    if (accepting_ && !draining_) accept_batch();
}

void Worker::accept_batch() {
    Connection* accepted[kAcceptBatch];
    int count = 0;
    while (count < kAcceptBatch) {
        net::SocketAddress peer;
        peer.length = sizeof peer.storage;
        const int fd = accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer.storage),
                               &peer.length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                pause_accepting();
            break; // EAGAIN: the backlog is empty
        }
        net::Fd owned(fd);
        const std::size_t open = shared_.connections.fetch_add(1, std::memory_order_relaxed);
        if (open >= shared_.config.max_connections) {
            shared_.connections.fetch_sub(1, std::memory_order_relaxed);
            refuse_overloaded(std::move(owned));
            continue;
        }
        accepted[count++] = new Connection(*this, make_transport(std::move(owned)), peer);
    }
    // With deferred accept each client's request is already here and is read at once — after
    // the change notices that came before it (a file edited, then requested).
    const bool input_waiting = shared_.config.defer_accept;
    if (input_waiting && count > 0) loop_.run_first();
    for (int i = 0; i < count; ++i) accepted[i]->start(input_waiting);
}

std::unique_ptr<net::Transport> Worker::make_transport(net::Fd fd) {
    std::shared_ptr<const net::TlsContext> tls = shared_.tls.load(std::memory_order_acquire);
    if (!tls) return std::make_unique<net::PlainTransport>(std::move(fd));
    SSL* ssl = tls->new_ssl(); // null (out of memory): a transport that fails, and is closed
    return std::make_unique<net::TlsTransport>(std::move(fd), std::move(tls), ssl);
}

bool Worker::handshake_started(Connection& c) noexcept {
    const std::size_t bound = shared_.config.tls.max_handshakes_per_loop;
    if (bound == 0) return false;
    while (handshakes_ >= bound && oldest_handshake_ != nullptr)
        oldest_handshake_->abort(); // unlinks it (handshake_ended)
    c.handshake_prev_ = newest_handshake_;
    c.handshake_next_ = nullptr;
    (newest_handshake_ != nullptr ? newest_handshake_->handshake_next_ : oldest_handshake_) = &c;
    newest_handshake_ = &c;
    ++handshakes_;
    return true;
}

void Worker::handshake_ended(Connection& c) noexcept {
    (c.handshake_prev_ != nullptr ? c.handshake_prev_->handshake_next_ : oldest_handshake_) =
        c.handshake_next_;
    (c.handshake_next_ != nullptr ? c.handshake_next_->handshake_prev_ : newest_handshake_) =
        c.handshake_prev_;
    c.handshake_prev_ = c.handshake_next_ = nullptr;
    --handshakes_;
}

void Worker::refuse_overloaded(net::Fd fd) {
    // A TLS client could not read a plain-text answer, and a handshake is what overload
    // cannot afford: the close says it.
    if (shared_.tls.load(std::memory_order_relaxed)) return;
    // A fresh socket's send buffer is empty: this small answer goes out in one write.
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n"
        "Retry-After: 1\r\nConnection: close\r\n\r\nServer is too busy.\n";
    net::PlainTransport transport(std::move(fd));
    transport.write(kBusy);
    transport.shutdown_write();
}

void Worker::pause_accepting() {
    accepting_ = false;
    loop_.modify(listener_.get(), this, 0);
    loop_.timers().schedule(timer_, loop_.now_ms() + kAcceptPauseMs);
}

void Worker::on_timer(void* context) {
    auto* w = static_cast<Worker*>(context);
    if (w->draining_) { // the grace period is over: close whatever is left
        while (w->connections_ != nullptr) w->connections_->abort(); // detaches it
        w->loop_.stop();
        return;
    }
    w->accepting_ = true;
    w->loop_.modify(w->listener_.get(), w, EPOLLIN);
}

void Worker::attach(Connection& c) noexcept {
    c.prev_ = nullptr;
    c.next_ = connections_;
    if (connections_ != nullptr) connections_->prev_ = &c;
    connections_ = &c;
    ++connection_count_;
}

void Worker::detach(Connection& c) noexcept {
    if (c.prev_ == nullptr && connections_ != &c) return; // not linked
    if (c.prev_ != nullptr)
        c.prev_->next_ = c.next_;
    else
        connections_ = c.next_;
    if (c.next_ != nullptr) c.next_->prev_ = c.prev_;
    c.prev_ = c.next_ = nullptr;
    --connection_count_;
    if (draining_) maybe_finish_drain();
}

void Worker::stop(bool graceful) {
    loop_.post([this, graceful] {
        if (!graceful) {
            loop_.stop();
            return;
        }
        if (!draining_) begin_drain();
    });
}

void Worker::begin_drain() {
    draining_ = true;
    loop_.remove(listener_.get());
    listener_.reset();
    loop_.timers().schedule(
        timer_, loop_.now_ms() +
                    static_cast<std::uint64_t>(shared_.config.timeouts.shutdown_grace.count()));
    for (Connection* c = connections_; c != nullptr;) {
        Connection* next = c->next_;
        c->drain();
        c = next;
    }
    maybe_finish_drain();
}

void Worker::maybe_finish_drain() {
    if (connection_count_ == 0) loop_.stop();
}

std::unique_ptr<Exchange> Worker::take_exchange() {
    if (spare_exchanges_.empty()) return std::make_unique<Exchange>(shared_.config.limits);
    std::unique_ptr<Exchange> x = std::move(spare_exchanges_.back());
    spare_exchanges_.pop_back();
    return x;
}

void Worker::give_back(std::unique_ptr<Exchange> x) {
    // Enough spares for a burst of requests; more would only hold memory that idle connections
    // were meant to give up.
    constexpr std::size_t kMaxSpares = 64;
    if (spare_exchanges_.size() >= kMaxSpares) return;
    x->reset();
    spare_exchanges_.push_back(std::move(x));
}

} // namespace pier::server
