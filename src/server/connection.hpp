// One client connection: read, parse, check, hand to the handler, write — for each request,
// in order, pipelined or not — and close without losing the last response.
//
// States, in the order a request moves through them:
//   head     waiting for / parsing the request head          (deadline: header or idle)
//   body     reading a Content-Length or chunked body         (deadline: body stall)
//   (handler runs, response appended to out_)
//   write    out_ not yet accepted by the socket              (deadline: write stall)
//   linger   response sent, our side shut down, draining what the client still sends so it
//            never gets a reset in place of its response       (deadline: linger)
#pragma once

#include "net/buffer.hpp"
#include "net/event_loop.hpp"
#include "net/socket.hpp"
#include "server/exchange.hpp"
#include "server/semantics.hpp"

#include <pier/chunked.hpp>
#include <pier/parser.hpp>
#include <pier/request.hpp>
#include <pier/response.hpp>

#include <functional>
#include <memory>
#include <string>

namespace pier::server {

class Worker;

class Connection final : public net::IoHandler, public net::Closeable {
  public:
    Connection(Worker& worker, net::Fd fd, const net::SocketAddress& peer);
    ~Connection() override;

    void start();
    void on_io(std::uint32_t events) override;
    /// Server shutdown: close now if idle, else after the response in progress.
    void drain();
    bool idle() const noexcept;
    /// Closes at once (shutdown grace period over).
    void abort() { close_now(); }

    Connection* next_ = nullptr; // the worker's list
    Connection* prev_ = nullptr;

  private:
    enum class Stage : std::uint8_t {
        head,
        body_length,
        body_chunked,
        handler,     // a blocking handler runs on the pool
        body_stream, // the body goes to the handler's sink as it arrives
        linger,
        closed
    };
    enum class Deadline : std::uint8_t {
        header,
        idle,
        body,
        write,
        linger
    };

    void read_available();
    void process();
    bool start_request(std::string_view avail);
    void finish_request(std::string_view body, std::size_t consumed);
    void run_handler(const Request& request, const Handler& handler);
    void guarded(const std::function<void()>& user_code);
    void finish_or_offload(std::size_t consumed);
    void offload(std::function<void()> work, std::size_t consumed);
    void complete_request(std::size_t consumed);
    void on_blocking_done();
    bool start_streaming(const Request& request, const Handler& handler);
    bool feed_stream();
    void end_stream();
    void reject(int status, std::string_view message, bool close);
    void write_response(bool head_only);
    void log(int status, std::string_view raw_line = {});
    bool flush();
    bool send_file();
    bool pull_stream();
    void start_body(bool streamed, bool chunked);
    void after_flush();
    void settle();
    void start_linger();
    bool close_if_peer_done();
    void close_now();
    void arm(Deadline d);
    static void on_timer(void* context);
    bool reparse_head_if_moved();
    void send_continue_if_expected();

    /// The exchange in progress, taken from the worker's spares when the connection first
    /// needs one; given back by release_exchange_if_idle().
    Exchange& x() {
        if (!x_) x_ = worker_take_exchange();
        return *x_;
    }
    std::unique_ptr<Exchange> worker_take_exchange(); // Worker is incomplete here
    void release_exchange_if_idle();
    bool output_pending() const noexcept { return x_ && x_->output_pending(); }

    Worker& worker_;
    net::Fd fd_;
    std::string remote_;
    std::uint16_t remote_port_ = 0;

    net::Buffer in_; // bytes read and not yet consumed
    // The exchange in progress; none while idle (see exchange.hpp).
    std::unique_ptr<Exchange> x_;

    Stage stage_ = Stage::head;
    net::Timer timer_;
    Deadline deadline_ = Deadline::idle;
    bool close_after_write_ = false;
    bool peer_closed_ = false;
    bool hangup_seen_ = false;    // epoll reported RDHUP/HUP: read until recv says 0
    bool socket_drained_ = false; // the last read found the socket empty, and no edge since
    bool pipelined_ = false; // a request was already waiting when one ended: more may be coming
    bool continue_sent_ = false;
    bool read_paused_ = false;     // stopped reading (backpressure); resume after a flush
    bool sending_body_ = false;    // a file or stream is still going out: parse no further
    bool in_pool_ = false;         // a blocking handler runs on the pool: don't destroy
    bool request_started_ = false; // bytes of a request arrived (header deadline running)
};

} // namespace pier::server
