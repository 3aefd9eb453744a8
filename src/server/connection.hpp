// One client connection, whatever protocol it speaks: the transport, the bytes read and not yet
// consumed, the one deadline, the epoll registration — and the Session that makes sense of the
// bytes (HTTP/1 from the start; a raw stream after 101; HTTP/2 later), which it can swap.
//
// The connection reads; the session parses, answers and writes through transport(). Closing
// is the connection's: at once (close_now), or lingering (shut our side, discard what the
// client still sends until it closes or time is up, so it never gets a reset in place of the
// answer it is reading).
#pragma once

#include "net/buffer.hpp"
#include "net/event_loop.hpp"
#include "net/socket.hpp"
#include "net/transport.hpp"
#include "server/session.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace pier::server {

class Worker;

class Connection final : public net::IoHandler, public net::Closeable {
  public:
    Connection(Worker& worker, std::unique_ptr<net::Transport> transport,
               const net::SocketAddress& peer);
    ~Connection() override;

    /// Starts HTTP/1 — once the transport's handshake (TLS) is done, within its own deadline —
    /// and registers with the loop (when the transport has a descriptor). `input_waiting`: the
    /// client's first bytes are known to be there (deferred accept), so they are read and
    /// answered first, and a connection that is done by then is never registered at all. The
    /// caller has run the loop's change watchers first (EventLoop::run_first), so the request
    /// does not overtake a file change made before it was sent.
    void start(bool input_waiting = false);
    void on_io(std::uint32_t events) override;

    // Server shutdown (Worker).
    void drain() {
        if (handshaking_)
            close_now(); // nothing asked yet
        else
            session_->drain();
    }
    bool idle() const noexcept { return !closed_ && (handshaking_ || session_->idle()); }
    void abort() { close_now(); }

    // What sessions use.
    Worker& worker() noexcept { return worker_; }
    /// After close_now() a transport whose every call fails, so a session finishing the event
    /// it was handling needs no null check.
    net::Transport& transport() noexcept { return transport_ ? *transport_ : closed_transport(); }
    net::Buffer& input() noexcept { return in_; }
    const std::string& remote_address() const noexcept { return remote_; }
    std::uint16_t remote_port() const noexcept { return remote_port_; }
    /// The client closed its side: nothing more will arrive.
    bool peer_closed() const noexcept { return peer_closed_; }
    /// The last read found nothing more to read, and no edge came since: the client has not
    /// sent anything we have not seen.
    bool input_drained() const noexcept { return input_drained_; }
    bool closed() const noexcept { return closed_; }
    bool lingering() const noexcept { return lingering_; }
    /// Reading stopped because the session did not want input (or the buffer is full).
    bool read_paused() const noexcept { return read_paused_; }
    /// Reads what has arrived, if reading had stopped; true when the session was given new
    /// input (and so has answered what it could).
    bool resume_reading();
    /// The input buffer may grow to this (the session's largest head plus body in memory).
    void set_max_input(std::size_t bytes) noexcept { max_input_ = bytes; }
    /// One deadline at a time: replaces the previous one. The session's on_deadline() runs
    /// when it passes.
    void set_deadline(std::chrono::milliseconds after);
    /// No deadline: the wait is not the client's (a handler runs on the pool).
    void clear_deadline() noexcept { timer_.unlink(); }
    void close_now();
    /// Closes after what was written has reached the client: see the comment at the top.
    void linger(std::chrono::milliseconds at_most);
    /// Work elsewhere (a pool thread) still refers to this connection: a close is done, but
    /// the object lives until every pin is released. unpin() runs on the loop.
    void pin() noexcept { ++pins_; }
    void unpin();
    /// Hands the connection to another protocol (after 101). The old session is destroyed
    /// once the current event is handled.
    void replace_session(std::unique_ptr<Session> next);

    Connection* next_ = nullptr; // the worker's list
    Connection* prev_ = nullptr;
    Connection* handshake_next_ = nullptr; // the worker's handshakes in progress
    Connection* handshake_prev_ = nullptr;

  private:
    static net::Transport& closed_transport() noexcept;
    void begin_session();
    void continue_handshake();
    void end_handshake() noexcept;
    void read_available();
    static void on_timer(void* context);

    Worker& worker_;
    std::unique_ptr<net::Transport> transport_;
    std::unique_ptr<Session> session_;
    std::unique_ptr<Session> retired_; // replaced while one of its calls ran; freed next event
    std::string remote_;
    std::uint16_t remote_port_ = 0;
    net::Buffer in_; // bytes read and not yet consumed
    std::size_t max_input_ = 0;
    net::Timer timer_;
    std::uint32_t pins_ = 0;
    bool closed_ = false;
    bool handshaking_ = false; // the transport's handshake is in progress: no session yet
    bool lingering_ = false;
    bool peer_closed_ = false;
    bool hangup_seen_ = false;   // epoll reported RDHUP/HUP: read until the transport says eof
    bool input_drained_ = false; // see input_drained()
    bool read_paused_ = false;   // the session did not want input: resume_reading() reads
    std::uint64_t inputs_ = 0;   // on_input() calls, so resume_reading() can tell
};

} // namespace pier::server
