// AsyncSession: the FetchPlan that Session::fetch follows, driven from the event-loop client's
// callbacks — each answer's head decides whether it is the one to hand over or a redirect (or
// a 417) whose body is dropped before the next hop goes out.
#include "client/fetch_plan.hpp"

#include <pier/async_client.hpp>
#include <pier/client_errors.hpp>

namespace pier::client {

namespace {
// A redirect's body is read so its connection can carry the next request; past this it is not
// worth the wait and the connection is closed instead (as Session::fetch's discard()).
constexpr std::uint64_t kMaxDiscarded = std::uint64_t{1} << 20;
} // namespace

struct AsyncSession::Fetch : std::enable_shared_from_this<Fetch> {
    Fetch(AsyncSession& session, std::string_view url, const FetchOptions& options,
          AsyncHandlers handlers)
        : session(session), options(options), plan(url, this->options, session.cookies_),
          handlers(std::move(handlers)) {}

    // Sends the current hop's request.
    void step() {
        std::exception_ptr error;
        try {
            send(plan.hop());
            return;
        } catch (...) {
            error = std::current_exception();
        }
        if (handlers.on_done) handlers.on_done(error);
    }

    void send(const detail::Hop& hop) {
        if (!hop.proxy.empty() || hop.streamed)
            throw HTTPException("the event-loop client does not do proxies or streamed bodies yet");
        const detail::Target& t = hop.target;
        AsyncRequest request;
        request.method = hop.method;
        request.target = hop.request_target;
        request.fields = hop.fields;
        // As Connection::request: http.client's "identity" unless the caller spoke of codings.
        if (hop.accept_identity) request.fields.add("Accept-Encoding", "identity");
        request.body = plan.body();
        AsyncHandlers h;
        const auto self = shared_from_this();
        h.on_head = [self](const AsyncResponse& r) { self->head(r); };
        h.on_data = [self](std::string_view bytes) { return self->data(bytes); };
        h.on_done = [self](std::exception_ptr e) { self->done(e); };
        discarded = 0;
        session.connection_for(t.scheme, t.host, t.port, options)
            .request(std::move(request), std::move(h));
    }

    void head(const AsyncResponse& r) {
        try {
            final = plan.answered(r.status, r.fields, false) == detail::FetchPlan::Next::done;
        } catch (...) {
            failure = std::current_exception(); // too many redirects: ends with this answer
            return;
        }
        if (!final) return;
        AsyncResponse answer = r;
        answer.url = plan.url();
        answer.redirects = plan.redirects();
        if (handlers.on_head) handlers.on_head(answer);
    }

    bool data(std::string_view bytes) {
        if (failure) return false;
        if (final) return !handlers.on_data || handlers.on_data(bytes);
        discarded += bytes.size();
        return discarded < kMaxDiscarded;
    }

    void done(std::exception_ptr error) {
        if (failure) error = failure;
        if (final || error) {
            if (handlers.on_done) handlers.on_done(error);
            return;
        }
        step(); // the redirect's (or 417's) body is gone: the next request
    }

    AsyncSession& session;
    const FetchOptions options; // a copy: the plan refers to it
    detail::FetchPlan plan;
    AsyncHandlers handlers;
    bool final = false;
    std::exception_ptr failure;
    std::uint64_t discarded = 0;
};

AsyncSession::AsyncSession(Loop& loop, std::size_t max_per_origin)
    : loop_(loop), max_per_origin_(std::max<std::size_t>(1, max_per_origin)) {}

AsyncSession::~AsyncSession() = default;

void AsyncSession::fetch(std::string_view url, const FetchOptions& options,
                         AsyncHandlers handlers) {
    std::make_shared<Fetch>(*this, url, options, std::move(handlers))->step();
}

AsyncConnection& AsyncSession::connection_for(const std::string& scheme, const std::string& host,
                                              std::uint16_t port, const FetchOptions& options) {
    const std::string key = scheme + "://" + host + ":" + std::to_string(port) +
                            detail::destination_key(options, host, port);
    return detail::pick_connection(pool_[key], max_per_origin_, [&] {
        AsyncOptions o;
        o.timeouts = options.timeouts;
        o.tls = options.tls;
        o.decode_content = options.decompress;
        o.debug = options.debug;
        o.resolve = options.resolve;
        o.unix_socket = options.unix_socket;
        return std::make_unique<AsyncConnection>(loop_, host, port, scheme == "https", o);
    });
}

std::size_t AsyncSession::connects() const noexcept {
    std::size_t n = 0;
    for (const auto& [origin, conns] : pool_)
        for (const auto& c : conns) n += c->connects();
    return n;
}

} // namespace pier::client
