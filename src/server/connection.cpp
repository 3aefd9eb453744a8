#include "server/connection.hpp"

#include "server/access_log.hpp"
#include "server/error_page.hpp"
#include "server/semantics.hpp"
#include "server/worker.hpp"

#include <pier/chunked.hpp>
#include <pier/router.hpp>
#include <pier/serializer.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <sys/socket.h>
#include <unistd.h>

namespace pier {

// The one place a Request is put together from the connection's state.
class RequestBuilder {
  public:
    static Request make(const RequestHead& head, const server::Verdict& v, std::string_view body,
                        const Fields& trailers, const std::string& remote, std::uint16_t port) {
        Request r;
        r.head_ = &head;
        r.path_ = v.path;
        r.query_ = v.query;
        r.host_ = v.host;
        r.body_ = body;
        r.trailers_ = &trailers;
        r.remote_ = &remote;
        r.remote_port_ = port;
        return r;
    }
};

namespace server {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// Responses waiting for a slow reader beyond this stop the connection reading ahead.
constexpr std::size_t kMaxPendingOutput = 1024 * 1024;
// A body held in memory for the handler; larger ones are refused until streaming exists.
constexpr std::size_t kMaxBufferedBody = 16 * 1024 * 1024;
constexpr std::uint64_t kLingerMs = 2000;

} // namespace

Connection::Connection(Worker& worker, net::Fd fd, const net::SocketAddress& peer)
    : worker_(worker), fd_(std::move(fd)), remote_(peer.host()), remote_port_(peer.port()),
      timer_(&Connection::on_timer, this) {
    worker_.attach(*this);
}

Connection::~Connection() {
    if (x_ && !in_pool_) worker_.give_back(std::move(x_));
    // Shared outlives every worker; the worker's list was left in close_now() (or by ~Worker).
    worker_.shared().connections.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::start() {
    net::set_nodelay(fd_.get());
    // Edge-triggered, read and write interest from the start: a write edge arrives whenever
    // a full send buffer drains, so no epoll_ctl per response.
    if (!worker_.loop().add(fd_.get(), this, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)) {
        close_now();
        return;
    }
    arm(Deadline::header);
    request_started_ = true; // a fresh connection must send its request within the header time
}

bool Connection::idle() const noexcept {
    return stage_ == Stage::head && in_.empty() && !output_pending() && !request_started_;
}

std::unique_ptr<Exchange> Connection::worker_take_exchange() {
    return worker_.take_exchange();
}

// Between requests a keep-alive connection keeps only its socket, timer and flags.
void Connection::release_exchange_if_idle() {
    if (x_ && stage_ == Stage::head && in_.empty() && !x_->output_pending() && !in_pool_)
        worker_.give_back(std::move(x_));
}

void Connection::on_io(std::uint32_t events) {
    if (stage_ == Stage::closed) return;
    if (events & EPOLLERR) {
        close_now();
        return;
    }
    if ((events & EPOLLOUT) && output_pending()) {
        if (!flush()) return;
        after_flush();
        if (stage_ == Stage::closed) return;
    }
    if (events & (EPOLLRDHUP | EPOLLHUP)) hangup_seen_ = true;
    if (events & EPOLLIN) socket_drained_ = false;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) read_available();
}

void Connection::read_available() {
    const Limits& limits = worker_.shared().config.limits;
    const std::size_t max_buffer = limits.max_header_section + kMaxBufferedBody + kReadChunk;
    if (stage_ == Stage::handler) { // a pool thread reads the request in in_: leave it be
        read_paused_ = true;
        return;
    }
    read_paused_ = false;
    while (stage_ != Stage::closed && !peer_closed_) {
        // Backpressure: while responses pile up unread, read no further requests.
        if (x().out.size() - x().out_sent > kMaxPendingOutput) {
            read_paused_ = true;
            return;
        }
        // With nothing buffered, read into the worker's scratch space and copy what came:
        // a connection whose read finds nothing (the usual end of a burst) allocates nothing,
        // and a small request costs a small buffer, not kReadChunk.
        const bool into_scratch = in_.empty();
        std::size_t room = 0;
        char* at =
            into_scratch ? worker_.read_scratch(room) : in_.prepare(kReadChunk, max_buffer, room);
        if (room == 0) { // full and nothing more can be parsed: the limits say no
            read_paused_ = true;
            return;
        }
        const ssize_t n = recv(fd_.get(), at, room, 0);
        if (n > 0) {
            if (stage_ == Stage::linger) continue; // discarded: the answer is already sent
            const auto got = static_cast<std::size_t>(n);
            if (into_scratch) {
                std::size_t space = 0;
                std::memcpy(in_.prepare(got, max_buffer, space), at, got);
            }
            in_.commit(got);
            // A short read emptied the socket: edge-triggered epoll reports whatever comes
            // next, so the read that would only say EAGAIN is saved — unless the peer's FIN
            // came with this edge, which no later edge would report again.
            const bool drained = got < room && !hangup_seen_;
            if (drained) socket_drained_ = true; // before process(): a close there may use it
            process();
            if (drained) return;
            continue;
        }
        if (n == 0) {
            peer_closed_ = true;
            break;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            socket_drained_ = true;
            return;
        }
        close_now(); // ECONNRESET and the like
        return;
    }
    if (stage_ == Stage::closed) return;
    if (peer_closed_) {
        // A half-closed client still gets every response it asked for — after a listing built
        // on the pool, after a long file, all the pipelined ones — and then we close: process()
        // and after_flush() end the connection when nothing is left to do.
        if (stage_ == Stage::linger) {
            close_now();
            return;
        }
        process();
    }
}

// Nothing more will arrive from a half-closed client; once nothing is being answered either,
// the connection is done. A request it left incomplete can never be answered.
bool Connection::close_if_peer_done() {
    if (!peer_closed_ || stage_ == Stage::closed || stage_ == Stage::linger ||
        stage_ == Stage::handler || sending_body_ || output_pending())
        return false;
    close_now();
    return true;
}

bool Connection::reparse_head_if_moved() {
    // The head's views point into in_; if in_ moved (grew or compacted) while the body was
    // still arriving, parse the head again from its new place: same bytes, same result.
    const std::string_view avail = in_.view();
    if (avail.data() == x().head_base) return true;
    x().parser.reset();
    if (x().parser.parse(avail, x().head) != ParseStatus::complete) return false;
    x().head_base = avail.data();
    x().verdict = check_request(x().head, worker_.shared().config);
    return true;
}

void Connection::process() {
    while (stage_ != Stage::closed && stage_ != Stage::linger && stage_ != Stage::handler &&
           !close_after_write_ && !sending_body_) {
        if (x().out.size() - x().out_sent > kMaxPendingOutput) break;
        const std::string_view avail = in_.view();
        if (stage_ == Stage::head) {
            if (avail.empty()) break;
            if (!start_request(avail)) break;
            continue;
        }
        if (stage_ == Stage::body_stream) {
            if (!feed_stream()) break;
            continue;
        }
        if (!reparse_head_if_moved()) {
            reject(500, "Internal Server Error", true);
            break;
        }
        if (stage_ == Stage::body_length) {
            const std::string_view rest = in_.view().substr(x().head_size);
            if (rest.size() < x().head.content_length) {
                send_continue_if_expected();
                arm(Deadline::body);
                break;
            }
            finish_request(rest.substr(0, x().head.content_length),
                           x().head_size + x().head.content_length);
        } else { // body_chunked
            std::string_view rest = in_.view().substr(x().head_size + x().chunked_offset);
            bool done = false;
            while (!done) {
                const ChunkedDecoder::Step step = x().chunked.decode(rest);
                rest.remove_prefix(step.consumed);
                x().chunked_offset += step.consumed;
                x().body.append(step.data);
                if (step.status == ChunkedDecoder::Status::error) {
                    reject(status_for(x().chunked.error()), to_string(x().chunked.error()), true);
                    return;
                }
                if (x().body.size() > kMaxBufferedBody) {
                    reject(413, "Content Too Large", true);
                    return;
                }
                if (step.status == ChunkedDecoder::Status::done) done = true;
                if (step.status == ChunkedDecoder::Status::need_more) break;
            }
            if (!done) {
                send_continue_if_expected();
                arm(Deadline::body);
                break;
            }
            finish_request(x().body, x().head_size + x().chunked_offset);
        }
    }
    if (output_pending()) {
        if (flush()) after_flush();
    } else {
        settle(); // also when the last answer had no bytes at all (an empty HTTP/0.9 one)
    }
}

// Parses a head from `avail`; true when the connection can go on to the next stage.
bool Connection::start_request(std::string_view avail) {
    const ServerConfig& config = worker_.shared().config;
    if (!request_started_) {
        request_started_ = true;
        arm(Deadline::header); // the whole head must arrive within the header timeout
    }
    const ParseStatus st = x().parser.parse(avail, x().head);
    if (st == ParseStatus::incomplete) return false;
    if (st == ParseStatus::error) {
        reject(status_for(x().parser.error()), to_string(x().parser.error()), true);
        return false;
    }
    x().head_base = avail.data();
    x().head_size = x().parser.head_size();

    x().verdict = check_request(x().head, config);
    const Verdict& v = x().verdict;
    if (v.status != 0) {
        // The body, if any, is not read: the connection cannot be reused after it.
        reject(v.status, v.message, x().head.body != BodyKind::none);
        if (x().head.body == BodyKind::none && !close_after_write_) {
            in_.consume(x().head_size);
            x().parser.reset();
        }
        return !close_after_write_;
    }
    continue_sent_ = !v.expect_continue; // nothing to send unless asked
    Shared& shared = worker_.shared();
    if (x().head.body != BodyKind::none && !shared.direct) {
        // A route that streams its body is called now, before the body arrives.
        Request request = RequestBuilder::make(x().head, x().verdict, {}, x().chunked.trailers(),
                                               remote_, remote_port_);
        const Router::Resolution r = shared.router.resolve(request);
        if (r.handler != nullptr && r.stream_body) return start_streaming(request, *r.handler);
    }
    switch (x().head.body) {
    case BodyKind::content_length:
        if (x().head.content_length > kMaxBufferedBody) {
            reject(413, "Content Too Large", true);
            return false;
        }
        stage_ = Stage::body_length;
        return true;
    case BodyKind::chunked:
        x().chunked.reset();
        x().body.clear();
        x().chunked_offset = 0;
        stage_ = Stage::body_chunked;
        return true;
    default:
        finish_request({}, x().head_size);
        return true;
    }
}

// The handler of a stream_body route runs with the head only. If it takes the body, the head
// is released (the body then flows through the buffer without accumulating) and 100 Continue
// goes out now — "when the handler starts reading the body" — and not otherwise.
bool Connection::start_streaming(const Request& request, const Handler& handler) {
    run_handler(request, handler);
    if (!x().response.reads_body()) {
        close_after_write_ = true; // the body was never read: the connection cannot go on
        complete_request(x().head_size);
        return false;
    }
    const ServerConfig& config = worker_.shared().config;
    if (config.access_log != AccessLogFormat::off) {
        x().log_owned = true;
        x().owned_line.assign(x().head.method_name).append(" ").append(x().head.target);
        x().owned_line.append(x().head.version == Version::http10 ? " HTTP/1.0" : " HTTP/1.1");
        x().owned_referer.assign(x().head.fields.get(FieldId::referer));
        x().owned_agent.assign(x().head.fields.get(FieldId::user_agent));
    }
    const bool chunked = x().head.body == BodyKind::chunked;
    x().stream_left = x().head.content_length;
    x().head.fields.clear(); // its views are about to point at released bytes
    x().head.method_name = x().head.target = {};
    in_.consume(x().head_size);
    x().head_size = 0;
    if (chunked) x().chunked.reset();
    stage_ = Stage::body_stream;
    send_continue_if_expected();
    return true;
}

// Hands what arrived to the sink; true when the body is complete and answered.
bool Connection::feed_stream() {
    Response::BodySink& sink = x().response.body_sink();
    try {
        if (x().head.body == BodyKind::content_length) {
            const std::string_view avail = in_.view();
            const auto take =
                static_cast<std::size_t>(std::min<std::uint64_t>(avail.size(), x().stream_left));
            if (take > 0) sink(avail.substr(0, take));
            in_.consume(take);
            x().stream_left -= take;
            if (x().stream_left > 0) {
                arm(Deadline::body);
                return false;
            }
        } else {
            for (;;) {
                const ChunkedDecoder::Step step = x().chunked.decode(in_.view());
                if (!step.data.empty()) sink(step.data);
                in_.consume(step.consumed);
                if (step.status == ChunkedDecoder::Status::error) {
                    reject(status_for(x().chunked.error()), to_string(x().chunked.error()), true);
                    return false;
                }
                if (step.status == ChunkedDecoder::Status::done) break;
                if (step.status == ChunkedDecoder::Status::need_more) {
                    arm(Deadline::body);
                    return false;
                }
            }
        }
    } catch (...) {
        fill_error(x().response, 500);
        close_after_write_ = true; // the rest of the body will not be read
        end_stream();
        return false;
    }
    end_stream();
    return true;
}

void Connection::end_stream() {
    if (Response::BodyEnd& end = x().response.body_end()) {
        Response::BodyEnd finish = std::move(end);
        x().response.read_body(nullptr, nullptr);
        try {
            finish(x().response);
        } catch (...) {
            fill_error(x().response, 500);
        }
    }
    x().response.read_body(nullptr, nullptr);
    complete_request(0);
    x().log_owned = false;
}

void Connection::send_continue_if_expected() {
    // RFC 9110 §10.1.1: the client waits for 100 before sending the body; only HTTP/1.1
    // clients ever get one.
    if (continue_sent_) return;
    continue_sent_ = true;
    x().out += "HTTP/1.1 100 Continue\r\n\r\n";
    if (flush()) after_flush();
}

// The request is complete (`consumed` bytes of in_, released once it is answered): find its
// handler and run it, here or on the blocking pool.
void Connection::finish_request(std::string_view body, std::size_t consumed) {
    Shared& shared = worker_.shared();
    Request request = RequestBuilder::make(x().head, x().verdict, body, x().chunked.trailers(),
                                           remote_, remote_port_);
    if (shared.direct) {
        run_handler(request, shared.direct);
        finish_or_offload(consumed);
        return;
    }
    Router::Resolution r = shared.router.resolve(request);
    if (r.handler == nullptr) {
        fill_error(x().response, r.status);
        if (r.status == 204) x().response.body().clear();
        if (!r.allow.empty()) x().response.set_header("Allow", r.allow);
        complete_request(consumed);
        return;
    }
    if (!r.blocking) {
        run_handler(request, *r.handler);
        finish_or_offload(consumed);
        return;
    }
    const Handler* handler = r.handler;
    offload([this, request, handler] { run_handler(request, *handler); }, consumed);
}

// A handler that left the rest of its work for the pool (Response::finish_blocking) has it
// run there; otherwise the response is complete.
void Connection::finish_or_offload(std::size_t consumed) {
    if (!x().response.has_blocking_job()) {
        complete_request(consumed);
        return;
    }
    offload([this, job = x().response.take_blocking_job()] { guarded([&] { job(x().response); }); },
            consumed);
}

// Runs `work` on the blocking pool; the loop moves on meanwhile. The request's views stay
// valid because nothing reads into in_ until the job is done (read_available() pauses in
// this stage).
void Connection::offload(std::function<void()> work, std::size_t consumed) {
    stage_ = Stage::handler;
    in_pool_ = true;
    x().consume_after = consumed;
    net::EventLoop& loop = worker_.loop();
    const bool queued = worker_.shared().pool->submit([this, work = std::move(work), &loop] {
        work();
        loop.post([this] { on_blocking_done(); });
    });
    if (!queued) {
        in_pool_ = false;
        stage_ = Stage::head;
        fill_error(x().response, 503, "Too many requests waiting");
        x().response.set_header("Retry-After", "1");
        complete_request(consumed);
    }
}

// Runs on the loop or on a pool thread: touches only the request and x().response.
void Connection::run_handler(const Request& request, const Handler& handler) {
    x().response.reset();
    guarded([&] { handler(request, x().response); });
}

// User code that throws answers 500 and is logged; it never takes the server down.
void Connection::guarded(const std::function<void()>& user_code) {
    const char* failure = nullptr;
    std::string what;
    try {
        user_code();
    } catch (const std::exception& e) {
        what = e.what();
        failure = what.c_str();
    } catch (...) {
        failure = "handler threw";
    }
    if (failure != nullptr) {
        const ServerConfig& config = worker_.shared().config;
        const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        log_error(config.log, config.access_log, now, remote_, 500, failure);
        fill_error(x().response, 500);
    }
}

void Connection::complete_request(std::size_t consumed) {
    if (!x().head.keep_alive || x().response.closes_connection() || worker_.draining())
        close_after_write_ = true;
    write_response(x().head.method == Method::head);
    if (x().response.status() >= 400) {
        // Python's send_error logs "code 404, message ..." before the access line; so do we,
        // for errors handlers answer with as for those the server raises itself.
        const ServerConfig& config = worker_.shared().config;
        const std::string_view why = x().response.reason().empty()
                                         ? reason_phrase(x().response.status())
                                         : x().response.reason();
        log_error(config.log, config.access_log, worker_.loop().wall_now(), remote_,
                  x().response.status(), why);
    }
    log(x().response.status());
    // Ready for the next request on this connection.
    stage_ = Stage::head;
    x().parser.reset();
    request_started_ = false;
    in_.consume(consumed);
    if (!in_.empty()) pipelined_ = true;
}

void Connection::on_blocking_done() {
    in_pool_ = false;
    if (stage_ == Stage::closed) { // closed while the job ran; nothing refers to it now
        worker_.loop().destroy_later(std::unique_ptr<net::Closeable>(this));
        return;
    }
    complete_request(x().consume_after);
    process(); // pipelined requests that waited behind this one
    if (stage_ != Stage::closed && read_paused_ && !close_after_write_) read_available();
}

void Connection::reject(int status, std::string_view message, bool close) {
    const ServerConfig& config = worker_.shared().config;
    log_error(config.log, config.access_log, worker_.loop().wall_now(), remote_, status, message);
    fill_error(x().response, status, message);
    if (close) close_after_write_ = true;
    // A head that never parsed has no version: answer as HTTP/1.1, and log the raw first line
    // (bounded) as Python does.
    std::string raw_line;
    const bool unparsed = x().parser.error() != ParseError::none;
    if (unparsed) {
        x().head = RequestHead{};
        std::string_view rest = in_.view();
        while (!rest.empty() && (rest.front() == '\r' || rest.front() == '\n'))
            rest.remove_prefix(1);
        raw_line = rest.substr(0, std::min(rest.find_first_of("\r\n"), std::size_t{1024}));
    }
    write_response(x().head.method == Method::head && !unparsed);
    log(status, raw_line);
    x().log_owned = false;
    stage_ = Stage::head;
    x().parser.reset();
    request_started_ = false;
    // Only the closing case goes on from here. Otherwise the caller still holds the request's
    // bytes in in_ and consumes them after this returns: after_flush() would process them
    // again, answer again, and recurse until the stack ran out.
    if (x().out_sent < x().out.size() && flush() && close_after_write_) start_linger();
}

void Connection::close_now() {
    if (stage_ == Stage::closed) return;
    stage_ = Stage::closed;
    timer_.unlink();
    fd_.reset(); // closing the socket also takes it out of epoll (it is never duplicated)
    worker_.detach(*this);
    if (in_pool_) return; // the pool still uses this connection: on_blocking_done() frees it
    worker_.loop().destroy_later(std::unique_ptr<net::Closeable>(this));
}

void Connection::drain() {
    if (idle()) {
        close_now();
        return;
    }
    close_after_write_ = true;
    if (stage_ == Stage::head && in_.empty() && !output_pending()) close_now();
}

void Connection::arm(Deadline d) {
    const Timeouts& t = worker_.shared().config.timeouts;
    std::chrono::milliseconds ms{};
    switch (d) {
    case Deadline::header:
        ms = t.header;
        break;
    case Deadline::idle:
        ms = t.idle;
        break;
    case Deadline::body:
        ms = t.body_stall;
        break;
    case Deadline::write:
        ms = t.write_stall;
        break;
    case Deadline::linger:
        ms = std::chrono::milliseconds(kLingerMs);
        break;
    }
    deadline_ = d;
    worker_.loop().timers().schedule(timer_, worker_.loop().now_ms() +
                                                 static_cast<std::uint64_t>(ms.count()));
}

void Connection::on_timer(void* context) {
    auto* c = static_cast<Connection*>(context);
    switch (c->deadline_) {
    case Deadline::header:
    case Deadline::body:
        if (!c->in_.empty() || c->stage_ == Stage::body_stream) { // too slow: say so, close
            c->reject(408, "Request Timeout", true);
            return;
        }
        c->close_now();
        return;
    case Deadline::idle:
    case Deadline::write:
    case Deadline::linger:
        c->close_now();
        return;
    }
}

} // namespace server
} // namespace pier
