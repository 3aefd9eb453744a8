// The HTTP/1 session hands a complete request to its handler: routing, running the handler on
// the loop or on the blocking pool, and turning what it filled in into the next answer.
#include "http/char_class.hpp"
#include "server/access_log.hpp"
#include "server/error_page.hpp"
#include "server/http1_session.hpp"
#include "server/request_builder.hpp"
#include "server/worker.hpp"

#include <pier/field_lists.hpp>
#include <pier/router.hpp>

#include <chrono>
#include <exception>

namespace pier::server {

Request Http1Session::make_request(std::string_view body) {
    return RequestBuilder::make(x().head, x().verdict, body, x().chunked.trailers(),
                                conn_.remote_address(), conn_.remote_port(), worker_.listen_port(),
                                conn_.transport().secure(), worker_.handler_loop(),
                                &x().remote_user, &x().deferred);
}

// The request is complete (`consumed` bytes of in_, released once it is answered): filter it
// if that was not done at its head, then find its handler and run it.
void Http1Session::finish_request(std::string_view body, std::size_t consumed) {
    Shared& shared = worker_.shared();
    Request request = make_request(body);
    if (shared.direct) {
        run_handler(request, shared.direct);
        finish_or_offload(consumed);
        return;
    }
    if (!x().filtered) {
        switch (filter(request)) {
        case Filtered::answered:
            complete_request(consumed);
            return;
        case Filtered::deferred:
            defer_check(false, body, consumed);
            return;
        case Filtered::pass:
            break;
        }
    }
    dispatch(request, consumed);
}

// Routing and the handler, here or on the blocking pool.
void Http1Session::dispatch(Request& request, std::size_t consumed) {
    Router::Resolution r = worker_.shared().router.resolve(request);
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

// The router's filters, once per request.
Http1Session::Filtered Http1Session::filter(Request& request) {
    x().filtered = true;
    const Router& router = worker_.shared().router;
    if (!router.has_filters()) return Filtered::pass;
    ResponseAccess::reset(x().response);
    bool answered = false;
    bool returned = false; // a filter that throws has answered 500 (guarded)
    guarded([&] {
        answered = router.run_filters(request, x().response);
        returned = true;
    });
    if (answered || !returned) {
        x().deferred = nullptr;
        return Filtered::answered;
    }
    return x().deferred ? Filtered::deferred : Filtered::pass;
}

// A filter's slow check goes to the pool; the request waits where it was — at its head, the
// body unread, or complete with `body` — and after_deferred_check() goes on from there.
void Http1Session::defer_check(bool at_head, std::string_view body, std::size_t consumed) {
    x().deferred_at_head = at_head;
    x().deferred_body = body;
    x().deferred_answered = false;
    // Made here, on the loop: the connection may be closed while the check runs, and a pool
    // thread must not look at it (the blocking routes' requests are made the same way).
    offload(
        [this, request = make_request(body)]() mutable {
            bool returned = false;
            guarded([&] {
                x().deferred_answered = x().deferred(request, x().response);
                returned = true;
            });
            if (!returned) x().deferred_answered = true; // it threw: 500
        },
        consumed);
}

void Http1Session::after_deferred_check() {
    x().deferred = nullptr;
    const bool at_head = x().deferred_at_head;
    if (x().deferred_answered) {
        if (at_head) close_after_write_ = true; // the body is not read
        complete_request(x().consume_after);
        return;
    }
    Request request = make_request(x().deferred_body);
    if (at_head) {
        start_body(request); // on_blocking_done's process() reads what is buffered
        return;
    }
    dispatch(request, x().consume_after);
}

// A handler that left the rest of its work for the pool (Response::finish_blocking) has it
// run there; otherwise the response is complete.
void Http1Session::finish_or_offload(std::size_t consumed) {
    if (!ResponseAccess::has_blocking_job(x().response)) {
        complete_request(consumed);
        return;
    }
    offload([this, job = ResponseAccess::take_blocking_job(
                       x().response)] { guarded([&] { job(x().response); }); },
            consumed);
}

// Runs `work` on the blocking pool; the loop moves on meanwhile. The request's views stay
// valid because nothing reads into in_ until the job is done (wants_input() says no in this
// stage), and nothing on the loop touches the Response until then: no client deadline runs
// (on_deadline() ignores this stage), and a connection closed meanwhile stays pinned.
void Http1Session::offload(std::function<void()> work, std::size_t consumed) {
    stage_ = Stage::handler;
    in_pool_ = true;
    conn_.pin();
    conn_.clear_deadline();
    x().consume_after = consumed;
    net::EventLoop& loop = worker_.loop();
    const bool queued = worker_.shared().pool->submit([this, work = std::move(work), &loop] {
        work();
        loop.post([this] { on_blocking_done(); });
    });
    if (!queued) {
        in_pool_ = false;
        conn_.unpin();
        stage_ = Stage::head;
        if (x().deferred && x().deferred_at_head) close_after_write_ = true; // body unread
        x().deferred = nullptr;
        fill_error(x().response, 503, "Too many requests waiting");
        x().response.set_header("Retry-After", "1");
        complete_request(consumed);
    }
}

// Runs on the loop or on a pool thread: touches only the request and x().response.
void Http1Session::run_handler(const Request& request, const Handler& handler) {
    ResponseAccess::reset(x().response);
    ResponseAccess::set_finisher(x().response, this);
    guarded([&] { handler(request, x().response); });
}

// User code that throws answers 500 and is logged; it never takes the server down.
void Http1Session::guarded(const std::function<void()>& user_code) {
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
        log_error(config.log, config.access_log, now, conn_.remote_address(), 500, failure);
        fill_error(x().response, 500);
    }
}

// Called by the handler (on the loop, or on a pool thread while its job runs): the Wake posts
// to the loop, so on_finished() runs there either way.
Resume Http1Session::finish_handle() {
    if (!x().later_wake)
        x().later_wake = std::make_shared<detail::Wake>(worker_.loop(), [this] { on_finished(); });
    return Resume(x().later_wake);
}

// The answer left for later is filled in. Until the request itself is complete (a body still
// arriving, a pool job still running) it only says so; complete_request() goes on from there.
void Http1Session::on_finished() {
    if (!x_ || conn_.closed()) return;
    x_->later_done = true;
    if (stage_ == Stage::body_stream && !x_->answered_early) {
        // Before the request body has ended (a script that answers as it reads): the answer
        // goes out now while the body still flows to the sink — waiting would deadlock a
        // script whose output fills its pipe before it has read all of its input.
        x_->answered_early = true;
        answer();
        if (flush()) after_flush();
        return;
    }
    if (stage_ != Stage::waiting) return;
    stage_ = Stage::head;
    complete_request(x().consume_after);
    process(); // pipelined requests that waited behind this one
    if (!conn_.closed() && !close_after_write_) conn_.resume_reading();
}

void Http1Session::on_blocking_done() {
    in_pool_ = false;
    if (conn_.closed()) { // closed while the job ran; nothing else refers to it now
        conn_.unpin();
        return;
    }
    conn_.unpin();
    stage_ = Stage::head;
    if (x().deferred) {
        after_deferred_check();
    } else {
        complete_request(x().consume_after);
    }
    process(); // pipelined requests that waited behind this one
    if (!conn_.closed() && !close_after_write_) conn_.resume_reading();
}

namespace {

bool lists_token(const Fields& fields, std::string_view name, std::string_view token) {
    for (std::string_view value : fields.values(name))
        if (has_token(value, token)) return true;
    return false;
}

// An Upgrade element is a protocol name with an optional "/version"; a handler may name
// either the whole of it or the name alone.
bool asks_for_protocol(const Fields& fields, std::string_view protocol) {
    for (std::string_view value : fields.values(FieldId::upgrade))
        for (std::string_view offer : list_elements(value)) {
            if (detail::iequals(offer, protocol)) return true;
            const std::size_t slash = offer.find('/');
            if (slash != std::string_view::npos &&
                detail::iequals(offer.substr(0, slash), protocol))
                return true;
        }
    return false;
}

} // namespace

// RFC 9110 §7.8: a server switches only to a protocol the client asked for, in the Upgrade
// field of an HTTP/1.1 request that lists "upgrade" in Connection (the field is hop-by-hop:
// without that, a proxy on the way may have added it). Anything else is the handler's
// mistake, logged and answered 500.
bool Http1Session::accept_upgrade() {
    std::unique_ptr<StreamHandlers> handlers = ResponseAccess::take_upgrade(x().response);
    const RequestHead& head = x().head;
    const std::string protocol(x().response.fields().get(FieldId::upgrade));
    std::string_view why;
    if (head.version != Version::http11)
        why = "upgrade refused: only an HTTP/1.1 request can be upgraded";
    else if (!lists_token(head.fields, "Connection", "upgrade"))
        why = "upgrade refused: the request's Connection field does not list upgrade";
    else if (!asks_for_protocol(head.fields, protocol))
        why = "upgrade refused: the request's Upgrade field does not offer that protocol";
    else if (close_after_write_)
        why = "upgrade refused: the request's body was not read";
    if (!why.empty()) {
        const ServerConfig& config = worker_.shared().config;
        log_error(config.log, config.access_log, worker_.loop().wall_now(), conn_.remote_address(),
                  500, why);
        return false;
    }
    x().upgrade = std::move(handlers);
    return true;
}

void Http1Session::complete_request(std::size_t consumed) {
    if (x().response.finishes_later() && !x().later_done) {
        stage_ = Stage::waiting; // on_finished() comes back here
        x().consume_after = consumed;
        conn_.clear_deadline();
        return;
    }
    if (!x().answered_early) answer();
    x().log_owned = false;
    // The handle of a finish_later, if any, belongs to this request only.
    x().later_done = false;
    x().answered_early = false;
    // The next request on this connection is filtered anew, and is nobody until it says.
    x().filtered = false;
    x().remote_user.clear();
    x().deferred = nullptr;
    if (x().later_wake) x().later_wake->detach();
    x().later_wake.reset();
    // Ready for the next request on this connection.
    stage_ = Stage::head;
    x().parser.reset();
    request_started_ = false;
    in_.consume(consumed);
    if (!in_.empty()) pipelined_ = true;
}

// The response goes out (its body as the transport takes it), and its log line.
void Http1Session::answer() {
    if (x().response.upgrades() && !accept_upgrade()) {
        fill_error(x().response, 500);
    }
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
        log_error(config.log, config.access_log, worker_.loop().wall_now(), conn_.remote_address(),
                  x().response.status(), why);
    }
    log(x().response.status());
}

} // namespace pier::server
