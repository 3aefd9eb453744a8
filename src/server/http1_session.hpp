// HTTP/1.0 and 1.1 on one connection (RFC 9112): parse each request, check it, hand it to its
// handler, frame and write the answer — in order, pipelined or not — and decide when the
// connection ends and how (at once, or lingering so the last answer is not lost to a reset).
//
// Stages, in the order a request moves through them:
//   head     waiting for / parsing the request head          (deadline: header or idle)
//   body     reading a Content-Length or chunked body         (deadline: body stall)
//   handler  a blocking handler runs on the pool              (no client deadline: the
//                                                              handler's time is not the
//                                                              client's)
//   waiting  the handler answers later (finish_later)         (none either: the handler
//                                                              keeps its own)
//   (response appended to the output)
//   write    output not yet accepted by the transport         (deadline: write stall)
//
// Reading is in http1_session.cpp, running handlers in http1_dispatch.cpp, writing in
// http1_write.cpp.
#pragma once

#include "server/connection.hpp"
#include "server/exchange.hpp"
#include "server/response_access.hpp"
#include "server/session.hpp"

#include <pier/request.hpp>
#include <pier/response.hpp>
#include <pier/router.hpp>

#include <functional>
#include <memory>
#include <string>

namespace pier::server {

class Worker;

class Http1Session final : public Session, private detail::Finisher {
  public:
    explicit Http1Session(Connection& connection);
    ~Http1Session() override;

    bool wants_input() const noexcept override;
    void on_input() override { process(); }
    void on_writable() override;
    void on_deadline() override;
    bool idle() const noexcept override;
    void drain() override;
    void on_closed() noexcept override;
    void on_hangup() override;

  private:
    enum class Stage : std::uint8_t {
        head,
        body_length,
        body_chunked,
        handler,     // a blocking handler runs on the pool
        body_stream, // the body goes to the handler's sink as it arrives
        waiting,     // the handler's answer comes later (Response::finish_later)
    };
    enum class Deadline : std::uint8_t {
        header,
        idle,
        body,
        write
    };

    // Reading (http1_session.cpp).
    void process();
    bool start_request(std::string_view avail);
    bool read_length_body();
    bool read_chunked_body();
    bool start_streaming(const Request& request, const Handler& handler);
    bool feed_stream();
    void pause_sink();
    void end_stream();
    void send_continue_if_expected();
    bool reparse_head_if_moved();
    void reject(int status, std::string_view message, bool close);
    void arm(Deadline d);

    // Running handlers (http1_dispatch.cpp).
    void finish_request(std::string_view body, std::size_t consumed);
    void run_handler(const Request& request, const Handler& handler);
    void guarded(const std::function<void()>& user_code);
    void finish_or_offload(std::size_t consumed);
    enum class Filtered : std::uint8_t {
        pass,
        answered,
        deferred, // a check runs on the pool; on_blocking_done() goes on from there
    };
    Filtered filter(Request& request);
    void defer_check(bool at_head, std::string_view body, std::size_t consumed);
    void after_deferred_check();
    Request make_request(std::string_view body);
    void dispatch(Request& request, std::size_t consumed);
    bool start_body(Request& request);
    bool enter_body_stage();
    void offload(std::function<void()> work, std::size_t consumed);
    void on_blocking_done();
    Resume finish_handle() override;
    void on_finished();
    void complete_request(std::size_t consumed);
    void answer();

    // Writing (http1_write.cpp).
    void write_response(bool head_only);
    void start_body(bool streamed, bool chunked);
    void log(int status, std::string_view raw_line = {});
    bool flush();
    bool write_exchange();
    bool send_file();
    bool pull_stream();
    void after_flush();
    void settle();
    void end_connection();
    bool close_if_peer_done();
    bool accept_upgrade();
    void hand_over_upgraded();

    /// What a Resume given to this exchange's source or sink calls (on the loop).
    Resume resume_handle();
    void on_resume();

    /// The exchange in progress, taken from the worker's spares when the connection first
    /// needs one; given back by release_exchange_if_idle().
    Exchange& x() {
        if (!x_) x_ = take_exchange();
        return *x_;
    }
    std::unique_ptr<Exchange> take_exchange();
    void release_exchange_if_idle();
    /// Something of an answer is not on the socket yet: the exchange's, or records the
    /// transport gathered (TLS) that a full socket did not take.
    bool output_pending() const noexcept {
        return (x_ && x_->output_pending()) || conn_.transport().pending_output() > 0;
    }

    Connection& conn_;
    Worker& worker_;
    net::Buffer& in_; // the connection's input
    // The exchange in progress; none while idle (see exchange.hpp).
    std::unique_ptr<Exchange> x_;

    Stage stage_ = Stage::head;
    Deadline deadline_ = Deadline::idle;
    bool close_after_write_ = false;
    bool pipelined_ = false; // a request was already waiting when one ended: more may be coming
    bool continue_sent_ = false;
    bool sending_body_ = false;    // a file or stream is still going out: parse no further
    bool in_pool_ = false;         // a blocking handler runs on the pool
    bool request_started_ = false; // bytes of a request arrived (header deadline running)
};

} // namespace pier::server
