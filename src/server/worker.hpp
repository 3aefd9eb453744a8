// A worker: one thread, one event loop, one listening socket (SO_REUSEPORT), and the
// connections it accepted, which stay on it for life.
#pragma once

#include "net/event_loop.hpp"
#include "net/socket.hpp"
#include "net/tls_context.hpp"
#include "net/transport.hpp"
#include "server/blocking_pool.hpp"
#include "server/exchange.hpp"

#include <pier/date.hpp>
#include <pier/loop.hpp>
#include <pier/server.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace pier::server {

class Connection;

/// What all workers share, read-only after start-up except for the counters.
struct Shared {
    ServerConfig config;
    Handler direct; // every request goes here when set; else through the router
    Router router;
    std::unique_ptr<BlockingPool> pool;
    std::atomic<std::size_t> connections{0};
    /// HTTPS: the certificates new connections get. Swapped whole by a reload; a connection
    /// keeps the one it started with.
    std::atomic<std::shared_ptr<const net::TlsContext>> tls;
};

class Worker final : public net::IoHandler {
  public:
    explicit Worker(Shared& shared);
    ~Worker();

    bool listen(const net::SocketAddress& address, std::string& error);
    std::uint16_t port() const noexcept { return net::local_address(listener_.get()).port(); }
    /// port(), as it was when listen() succeeded (no system call).
    std::uint16_t listen_port() const noexcept { return listen_port_; }

    void run() { loop_.run(); }
    /// Graceful: stop accepting, close idle connections, let busy ones finish, then stop the
    /// loop (after the grace period at the latest). Callable from any thread.
    void stop(bool graceful);

    net::EventLoop& loop() noexcept { return loop_; }
    /// The loop as handlers see it (Request::loop(), Stream::loop()).
    Loop& handler_loop() noexcept { return handler_loop_; }
    Shared& shared() noexcept { return shared_; }
    std::string_view date() noexcept { return dates_.get(loop_.wall_now()); }
    bool draining() const noexcept { return draining_; }

    /// Connection bookkeeping: an intrusive list, so shutdown can reach every connection.
    void attach(Connection& c) noexcept;
    void detach(Connection& c) noexcept;

    void on_io(std::uint32_t events) override; // the listener is readable: accept

    /// Exchanges (exchange.hpp) for connections with a request in progress: a spare one when
    /// there is one, else a new one. Spares beyond a few are freed.
    std::unique_ptr<Exchange> take_exchange();
    /// Space a connection with nothing buffered reads into (it copies what it got), so idle
    /// connections need no read buffer of their own. Valid until the next call.
    char* read_scratch(std::size_t& room) noexcept {
        room = sizeof read_scratch_;
        return read_scratch_;
    }
    void give_back(std::unique_ptr<Exchange> x);
    /// TLS handshakes in progress on this loop, oldest first. At the configured bound the
    /// oldest is closed to make room: a flood of stalled handshakes then has to keep coming to
    /// keep a new client out, rather than fill the loop once per handshake timeout. False
    /// only for a bound of 0 (the connection is then closed at once).
    bool handshake_started(Connection& c) noexcept;
    void handshake_ended(Connection& c) noexcept;

  private:
    void accept_batch();
    std::unique_ptr<net::Transport> make_transport(net::Fd fd);
    void refuse_overloaded(net::Fd fd);
    void pause_accepting();
    void begin_drain();
    void maybe_finish_drain();
    static void on_timer(void* context);

    Shared& shared_;
    // Before loop_: connections the loop destroys last still hand their exchange back.
    std::vector<std::unique_ptr<Exchange>> spare_exchanges_;
    char read_scratch_[16 * 1024];
    net::EventLoop loop_;
    Loop handler_loop_{loop_};
    net::Fd listener_;
    DateCache dates_;
    Connection* connections_ = nullptr; // intrusive list head
    std::size_t connection_count_ = 0;
    std::size_t handshakes_ = 0;
    std::uint16_t listen_port_ = 0;
    Connection* oldest_handshake_ = nullptr; // the handshakes' intrusive list, oldest first
    Connection* newest_handshake_ = nullptr;
    bool draining_ = false;
    bool accepting_ = true;
    net::Timer timer_; // resumes accepting after EMFILE; ends the drain grace period
};

} // namespace pier::server
