// The reading half of the HTTP/1 session: heads, bodies (Content-Length, chunked, streamed to
// a handler's sink), 100 Continue, rejections and deadlines. See http1_session.hpp.
#include "server/http1_session.hpp"

#include "server/access_log.hpp"
#include "server/error_page.hpp"
#include "server/request_builder.hpp"
#include "server/semantics.hpp"
#include "server/worker.hpp"

#include <pier/chunked.hpp>
#include <pier/router.hpp>

#include <algorithm>

namespace pier::server {

Http1Session::Http1Session(Connection& connection)
    : conn_(connection), worker_(connection.worker()), in_(connection.input()) {
    const ServerConfig& config = worker_.shared().config;
    // A body the handler gets whole is held in the input buffer (Content-Length) or beside it
    // (chunked, decoded): the buffer may hold a head and the largest body the limits allow.
    conn_.set_max_input(config.limits.max_header_section +
                        static_cast<std::size_t>(config.limits.max_body));
    arm(Deadline::header);
    request_started_ = true; // a fresh connection must send its request within the header time
}

Http1Session::~Http1Session() {
    if (x_ && !in_pool_) worker_.give_back(std::move(x_));
}

std::unique_ptr<Exchange> Http1Session::take_exchange() {
    return worker_.take_exchange();
}

bool Http1Session::idle() const noexcept {
    return stage_ == Stage::head && in_.empty() && !output_pending() && !request_started_;
}

void Http1Session::drain() {
    if (idle()) {
        conn_.close_now();
        return;
    }
    close_after_write_ = true;
    if (stage_ == Stage::head && in_.empty() && !output_pending()) conn_.close_now();
}

// Between requests a keep-alive connection keeps only its socket, timer and flags.
void Http1Session::release_exchange_if_idle() {
    if (x_ && stage_ == Stage::head && in_.empty() && !x_->output_pending() && !in_pool_)
        worker_.give_back(std::move(x_));
}

bool Http1Session::wants_input() const noexcept {
    // A pool thread reads the request in the input buffer: leave it be. A sink that paused
    // the body is not given more; an upgrade in progress owns what comes next. And while
    // answers pile up unread, read no further requests.
    if (stage_ == Stage::handler || stage_ == Stage::waiting) return false;
    if (!x_) return true;
    if (x_->sink_paused || x_->upgrade) return false;
    return x_->out.size() - x_->out_sent <= worker_.shared().config.max_pending_output;
}

void Http1Session::on_closed() noexcept {
    if (x_) x_->stop_all_waking();
}

// nginx's rule for a client that closes while its answer is being made elsewhere: it is gone,
// and the work for it (released with the exchange) stops.
void Http1Session::on_hangup() {
    // Also while a streamed answer waits for its source: nothing can tell a half-closed
    // client from a gone one, and the work that feeds the source (a script) must stop.
    const bool source_waits = x_ && x_->source_pending;
    if (stage_ != Stage::waiting && !source_waits) return;
    const ServerConfig& config = worker_.shared().config;
    log_error(config.log, config.access_log, worker_.loop().wall_now(), conn_.remote_address(), 499,
              source_waits ? "the client closed the connection before the answer was complete"
                           : "the client closed the connection before the answer was ready");
    conn_.close_now();
}

Resume Http1Session::resume_handle() {
    if (!x().wake)
        x().wake = std::make_shared<detail::Wake>(worker_.loop(), [this] { on_resume(); });
    return Resume(x().wake);
}

// A source that said "pending" has more, or a sink that paused wants more.
void Http1Session::on_resume() {
    if (!x_ || conn_.closed()) return;
    if (x_->source_pending) {
        x_->source_pending = false;
        if (flush()) after_flush();
        if (conn_.closed()) return;
    }
    if (x_ && x_->sink_paused) {
        x_->sink_paused = false;
        process(); // what arrived before the pause, then what the socket holds
        if (!conn_.closed()) conn_.resume_reading();
    }
}

void Http1Session::on_writable() {
    if (!output_pending()) return;
    if (!flush()) return;
    after_flush();
}

bool Http1Session::reparse_head_if_moved() {
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

void Http1Session::process() {
    const std::size_t max_pending = worker_.shared().config.max_pending_output;
    // A request body keeps flowing to its sink while the answer to it is already going out
    // (finish_later before the body ended); nothing else is read while an answer is sent.
    while (!conn_.closed() && !conn_.lingering() && stage_ != Stage::handler &&
           stage_ != Stage::waiting && !(x_ && x_->upgrade) &&
           (stage_ == Stage::body_stream || (!close_after_write_ && !sending_body_))) {
        if (x().out.size() - x().out_sent > max_pending) break;
        if (stage_ == Stage::head) {
            const std::string_view avail = in_.view();
            if (avail.empty()) break;
            if (!start_request(avail)) break;
            continue;
        }
        if (stage_ == Stage::body_stream) {
            if (x().sink_paused || !feed_stream()) break;
            continue;
        }
        if (!reparse_head_if_moved()) {
            reject(500, "Internal Server Error", true);
            break;
        }
        if (!(stage_ == Stage::body_length ? read_length_body() : read_chunked_body())) break;
    }
    if (conn_.closed()) return;
    if (output_pending()) {
        if (flush()) after_flush();
    } else {
        settle(); // also when the last answer had no bytes at all (an empty HTTP/0.9 one)
    }
}

// True when the body was complete and its request answered.
bool Http1Session::read_length_body() {
    const std::string_view rest = in_.view().substr(x().head_size);
    if (rest.size() < x().head.content_length) {
        send_continue_if_expected();
        arm(Deadline::body);
        return false;
    }
    finish_request(rest.substr(0, x().head.content_length),
                   x().head_size + x().head.content_length);
    return true;
}

bool Http1Session::read_chunked_body() {
    std::string_view rest = in_.view().substr(x().head_size + x().chunked_offset);
    for (;;) {
        const ChunkedDecoder::Step step = x().chunked.decode(rest);
        rest.remove_prefix(step.consumed);
        x().chunked_offset += step.consumed;
        x().body.append(step.data); // the decoder bounds the total by Limits::max_body
        if (step.status == ChunkedDecoder::Status::error) {
            reject(status_for(x().chunked.error()), to_string(x().chunked.error()), true);
            return false;
        }
        if (step.status == ChunkedDecoder::Status::done) break;
        if (step.status == ChunkedDecoder::Status::need_more) {
            send_continue_if_expected();
            arm(Deadline::body);
            return false;
        }
    }
    finish_request(x().body, x().head_size + x().chunked_offset);
    return true;
}

// Parses a head from `avail`; true when the session can go on to the next stage.
bool Http1Session::start_request(std::string_view avail) {
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
    if (x().head.body != BodyKind::none && !worker_.shared().direct) {
        Request request = make_request({});
        // Filters decide before the body is read: a refused upload costs nothing.
        switch (filter(request)) {
        case Filtered::answered:
            close_after_write_ = true; // the body is not read: the connection cannot go on
            complete_request(x().head_size);
            return false;
        case Filtered::deferred:
            defer_check(true, {}, x().head_size);
            return false;
        case Filtered::pass:
            break;
        }
        return start_body(request);
    }
    return enter_body_stage();
}

// The body's way once the filters let the request through: to a stream_body route's handler,
// called now, before the body arrives — or read whole for the handler found at its end.
bool Http1Session::start_body(Request& request) {
    const Router::Resolution r = worker_.shared().router.resolve(request);
    if (r.handler != nullptr && r.stream_body) return start_streaming(request, *r.handler);
    return enter_body_stage();
}

bool Http1Session::enter_body_stage() {
    switch (x().head.body) {
    case BodyKind::content_length:
        // Framing already refused a length over Limits::max_body (413).
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
bool Http1Session::start_streaming(const Request& request, const Handler& handler) {
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

// Hands what arrived to the sink; true when the body is complete and answered. A sink that
// pauses took its piece: the rest waits in in_ and the socket until it resumes.
bool Http1Session::feed_stream() {
    Response::BodySink& sink = ResponseAccess::sink(x().response);
    const Resume resume = resume_handle();
    try {
        if (x().head.body == BodyKind::content_length) {
            const std::string_view avail = in_.view();
            const auto take =
                static_cast<std::size_t>(std::min<std::uint64_t>(avail.size(), x().stream_left));
            Response::Intake intake = Response::Intake::more;
            if (take > 0) intake = sink(avail.substr(0, take), resume);
            in_.consume(take);
            x().stream_left -= take;
            if (x().stream_left > 0) {
                if (intake == Response::Intake::pause)
                    pause_sink();
                else
                    arm(Deadline::body);
                return false;
            }
        } else {
            for (;;) {
                const ChunkedDecoder::Step step = x().chunked.decode(in_.view());
                Response::Intake intake = Response::Intake::more;
                if (!step.data.empty()) intake = sink(step.data, resume);
                in_.consume(step.consumed);
                if (step.status == ChunkedDecoder::Status::error) {
                    reject(status_for(x().chunked.error()), to_string(x().chunked.error()), true);
                    return false;
                }
                if (step.status == ChunkedDecoder::Status::done) break;
                if (intake == Response::Intake::pause) {
                    pause_sink();
                    return false;
                }
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

// The client is not slow while the handler holds it back: no body deadline until it resumes.
void Http1Session::pause_sink() {
    x().sink_paused = true;
    conn_.clear_deadline();
}

void Http1Session::end_stream() {
    // The sink's Resume may still be called: on_resume() finds nothing paused then. (The
    // wake-up stays: an answer already streaming shares it.)
    x().sink_paused = false;
    if (Response::BodyEnd finish = ResponseAccess::take_body_end(x().response)) {
        ResponseAccess::stop_reading_body(x().response);
        try {
            finish(x().response);
        } catch (...) {
            fill_error(x().response, 500);
        }
    }
    ResponseAccess::stop_reading_body(x().response);
    finish_or_offload(0); // the end may leave slow work (an fsync) to the pool
}

void Http1Session::send_continue_if_expected() {
    // RFC 9110 §10.1.1: the client waits for 100 before sending the body; only HTTP/1.1
    // clients ever get one.
    if (continue_sent_) return;
    continue_sent_ = true;
    x().out += "HTTP/1.1 100 Continue\r\n\r\n";
    if (flush()) after_flush();
}

void Http1Session::reject(int status, std::string_view message, bool close) {
    const ServerConfig& config = worker_.shared().config;
    log_error(config.log, config.access_log, worker_.loop().wall_now(), conn_.remote_address(),
              status, message);
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
    if (x().out_sent < x().out.size() && flush() && close_after_write_) end_connection();
}

void Http1Session::arm(Deadline d) {
    const Timeouts& t = worker_.shared().config.timeouts;
    deadline_ = d;
    switch (d) {
    case Deadline::header:
        conn_.set_deadline(t.header);
        return;
    case Deadline::idle:
        conn_.set_deadline(t.idle);
        return;
    case Deadline::body:
        conn_.set_deadline(t.body_stall);
        return;
    case Deadline::write:
        conn_.set_deadline(t.write_stall);
        return;
    }
}

void Http1Session::on_deadline() {
    // A handler on the pool is not timed by the client's deadlines: its answer is on its way,
    // and the Response belongs to the pool thread until it is done.
    if (stage_ == Stage::handler || stage_ == Stage::waiting) return;
    switch (deadline_) {
    case Deadline::header:
    case Deadline::body:
        if (!in_.empty() || stage_ == Stage::body_stream) { // too slow: say so, close
            reject(408, "Request Timeout", true);
            return;
        }
        conn_.close_now();
        return;
    case Deadline::idle:
    case Deadline::write:
        conn_.close_now();
        return;
    }
}

} // namespace pier::server
