// AsyncConnection: one connection's life on the event loop — connect (address after
// address), TLS, a request out, its answer in through the ResponseStream state machine,
// keep-alive, and the one retry of an idempotent request a dead kept-alive socket earned.
// Every step runs from a readiness callback or a timer and returns at once.
#include "client/async_stream.hpp"
#include "client/async_upgrade.hpp"
#include "client/decode.hpp"
#include "client/fetch_plan.hpp"
#include "client/head_reader.hpp"
#include "client/request_checks.hpp"
#include "client/response_stream.hpp"
#include "client/transport.hpp"

#include <pier/async_client.hpp>
#include <pier/client_errors.hpp>

#include <algorithm>
#include <cstring>
#include <deque>

namespace pier::client {

using detail::Clock;
using detail::ResponseStream;

std::string AsyncResponse::header(std::string_view name, std::string_view fallback) const {
    if (!fields.contains(name)) return std::string(fallback);
    return fields.joined(name);
}

namespace {

constexpr std::size_t kReadSize = std::size_t{64} * 1024;
constexpr std::size_t kMaxInterim = 32; // as the blocking client: 1xx forever is an attack

std::exception_ptr error_of(auto&& thrower) {
    try {
        thrower();
    } catch (...) {
        return std::current_exception();
    }
    return nullptr;
}

std::string authority(const std::string& host, std::uint16_t port, bool https) {
    std::string a = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (https ? 443 : 80)) a += ":" + std::to_string(port);
    return a;
}

} // namespace

class AsyncConnection::Impl : public std::enable_shared_from_this<Impl> {
  public:
    Impl(Loop& loop, std::string host, std::uint16_t port, bool https, AsyncOptions options)
        : loop_(loop), host_(std::move(host)), port_(port != 0 ? port : (https ? 443 : 80)),
          https_(https), options_(std::move(options)), stream_(options_.limits) {}

    void request(AsyncRequest request, AsyncHandlers handlers,
                 detail::UpgradeDone upgrade = nullptr) {
        queue_.push_back({std::move(request), std::move(upgrade),
                          std::make_shared<AsyncHandlers>(std::move(handlers)), false});
        if (queue_.size() == 1) start_next();
    }
    // The owner is gone: no callback may run from now on.
    void cancel() noexcept {
        cancelled_ = true;
        queue_.clear();
        close_socket();
    }
    std::size_t pending() const noexcept { return queue_.size(); }
    std::size_t connects() const noexcept { return connects_; }

  private:
    enum class State : std::uint8_t {
        closed,
        connecting,
        handshaking,
        idle, // connected, nothing in flight
        sending,
        receiving,
    };
    struct Pending {
        AsyncRequest request;
        // Set for a request that asks to switch protocols: a 101 hands the socket over.
        detail::UpgradeDone upgrade;
        // Shared, so a handler that destroys its connection (and the queue) is not destroyed
        // while it runs.
        std::shared_ptr<AsyncHandlers> handlers;
        bool retried = false;
    };

    void report(DebugKind kind, std::string_view text) {
        if (options_.debug) options_.debug(kind, text);
    }

    // The request at the front of the queue goes out: on the open socket, or a new one.
    void start_next() {
        if (cancelled_) return;
        if (queue_.empty()) {
            timer_ = {};
            if (socket_) {
                // Readable while idle: the server closed (or sent what nobody asked for).
                state_ = State::idle;
                watch_.set_interest(Loop::readable);
            }
            return;
        }
        Pending& p = queue_.front();
        std::exception_ptr bad = error_of([&] { build_request(p.request); });
        if (bad) return finish(bad);
        stream_.expect(detail::method_of(p.request.method));
        interim_.clear();
        decoder_.reset();
        const Timeouts& t = options_.timeouts;
        deadline_ = t.total.count() != 0 ? Clock::now() + t.total : Clock::time_point::max();
        progress_ = Clock::now();
        arm_timer();
        if (socket_) {
            report(DebugKind::info, "Re-using existing connection");
            begin_sending();
        } else {
            open();
        }
    }

    void build_request(const AsyncRequest& r) {
        if (!parse_method(r.method)) throw std::invalid_argument("method is not a token");
        if (r.target.empty() || detail::has_control_or_space(r.target))
            throw InvalidURL("URL can't contain control characters or spaces");
        out_.clear();
        out_at_ = 0;
        out_.append(r.method).append(" ").append(r.target).append(" HTTP/1.1\r\n");
        if (!r.fields.contains(FieldId::host))
            out_.append("Host: ").append(authority(host_, port_, https_)).append("\r\n");
        for (const Field& f : r.fields) {
            if (!is_valid_field_name(f.name) ||
                (!f.value.empty() && !is_valid_field_value(f.value)))
                throw std::invalid_argument("invalid header '" + std::string(f.name) + "'");
            out_.append(f.name).append(": ").append(f.value).append("\r\n");
        }
        const bool wants_length =
            !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
        if (wants_length && !r.fields.contains(FieldId::content_length))
            out_.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
        out_ += "\r\n";
        report(DebugKind::request_head, out_);
        out_ += r.body;
    }

    void open() {
        if (!options_.unix_socket.empty()) {
            const auto address = detail::unix_address(options_.unix_socket);
            if (!address)
                return finish(std::make_exception_ptr(
                    ConnectError("failed to connect to unix socket " + options_.unix_socket + ": " +
                                     std::strerror(ENAMETOOLONG),
                                 ConnectError::Kind::connect, ENAMETOOLONG)));
            addresses_ = {*address};
        } else if (const auto* given = detail::given_addresses(options_.resolve, host_, port_)) {
            addresses_ = detail::numeric_addresses(*given, port_);
            if (addresses_.empty())
                return finish(std::make_exception_ptr(
                    ConnectError("not an IP address among those given for " + host_ + ":" +
                                     std::to_string(port_),
                                 ConnectError::Kind::resolve)));
        } else {
            addresses_ = detail::resolve_host(host_, port_);
        }
        if (addresses_.empty())
            return finish(std::make_exception_ptr(
                ConnectError("could not resolve host: " + host_, ConnectError::Kind::resolve)));
        next_address_ = 0;
        connect_deadline_ = options_.timeouts.connect.count() != 0
                                ? Clock::now() + options_.timeouts.connect
                                : Clock::time_point::max();
        connect_next();
    }

    void connect_next(bool again = false) {
        if (!again) report(DebugKind::info, "Trying " + trying() + "...");
        while (next_address_ < addresses_.size()) {
            const detail::Address& address = addresses_[next_address_++];
            const int fd = detail::start_connect(address);
            if (fd < 0) {
                last_error_ = errno;
                // A unix socket whose listener's backlog is full says EAGAIN, with no connect
                // in progress to wait for: it is tried again shortly, until the connect
                // deadline (the exchange's timer) — as the blocking client waits in connect().
                if (last_error_ == EAGAIN && address.storage.ss_family == AF_UNIX) {
                    --next_address_;
                    state_ = State::connecting; // for the timeout's message
                    retry_ = loop_.after(std::chrono::milliseconds(5), [weak = weak_from_this()] {
                        if (const auto self = weak.lock()) self->connect_next(true);
                    });
                    return;
                }
                continue;
            }
            socket_ = detail::make_async_plain_stream(fd);
            state_ = State::connecting;
            watch_ = loop_.watch(fd, Loop::writable, [weak = weak_from_this()](unsigned events) {
                if (const auto self = weak.lock()) self->on_ready(events);
            });
            return;
        }
        finish(std::make_exception_ptr(
            ConnectError("failed to connect to " + where() + ": " + std::strerror(last_error_),
                         ConnectError::Kind::connect, last_error_)));
    }

    // What connect_next() tries, as the blocking Connection says it.
    std::string trying() const {
        if (!options_.unix_socket.empty()) return options_.unix_socket + " (unix socket)";
        const auto* given = detail::given_addresses(options_.resolve, host_, port_);
        if (given == nullptr) return where();
        std::string list;
        for (const std::string& a : *given) list += (list.empty() ? "" : ", ") + a;
        return where() + " at " + list + " (given, not looked up)";
    }

    // What the connection goes to, for messages.
    std::string where() const {
        return options_.unix_socket.empty() ? host_ + ":" + std::to_string(port_)
                                            : "unix socket " + options_.unix_socket;
    }

    void on_ready(unsigned events) {
        switch (state_) {
        case State::connecting:
            return on_connect_ready();
        case State::handshaking:
            return handshake();
        case State::sending:
            return send_some();
        case State::receiving:
            return receive();
        case State::idle:
            (void)events;
            report(DebugKind::info, "Connection closed by the server while idle");
            close_socket();
            return;
        case State::closed:
            return;
        }
    }

    void on_connect_ready() {
        if (const int err = detail::connect_result(socket_->fd()); err != 0) {
            last_error_ = err;
            close_socket();
            return connect_next();
        }
        ++connects_;
        requests_on_socket_ = 0;
        report(DebugKind::info, options_.unix_socket.empty()
                                    ? "Connected to " + host_ + ":" + std::to_string(port_)
                                    : "Connected to " + host_ + " over " + options_.unix_socket);
        if (https_) {
            std::string error;
            auto tls = detail::make_async_tls_stream(socket_->fd(), host_, options_.tls, error);
            if (!tls) {
                close_socket();
                return finish(std::make_exception_ptr(TlsError(error)));
            }
            (void)socket_->release_fd(); // the TLS stream owns the socket now
            socket_ = std::move(tls);
            state_ = State::handshaking;
            return handshake();
        }
        begin_sending();
    }

    void handshake() {
        const detail::AsyncStream::Result r = socket_->handshake();
        if (r.status == detail::AsyncStream::Status::would_block) {
            watch_.set_interest(socket_->wants());
            return;
        }
        if (r.status != detail::AsyncStream::Status::ok) {
            const std::string text = socket_->error_text();
            const bool verify = socket_->verify_failed();
            close_socket();
            if (verify)
                return finish(std::make_exception_ptr(
                    CertificateError("certificate verify failed for " + host_ + ": " + text)));
            return finish(std::make_exception_ptr(
                TlsError("TLS handshake with " + host_ + " failed: " + text)));
        }
        begin_sending();
    }

    void begin_sending() {
        state_ = State::sending;
        in_.clear();
        in_at_ = 0;
        send_some();
    }

    void send_some() {
        while (out_at_ < out_.size()) {
            const detail::AsyncStream::Result r =
                socket_->write(std::string_view(out_).substr(out_at_));
            if (r.status == detail::AsyncStream::Status::ok) {
                out_at_ += r.bytes;
                progress_ = Clock::now();
                continue;
            }
            if (r.status == detail::AsyncStream::Status::would_block) {
                watch_.set_interest(socket_->wants());
                return;
            }
            // The server may have answered before taking the whole body (a 413): read what
            // it said; if it said nothing, the failure to send is the error.
            send_failed_ = true;
            break;
        }
        ++requests_on_socket_;
        state_ = State::receiving;
        watch_.set_interest(Loop::readable);
        if (send_failed_) receive();
    }

    void receive() {
        for (;;) {
            if (in_at_ == in_.size()) {
                in_.clear();
                in_at_ = 0;
            }
            // Into a buffer of the connection's own, then appended: growing in_ by the read's
            // size first would zero 64 KiB for every small answer.
            const detail::AsyncStream::Result r = socket_->read(read_buffer_.get(), kReadSize);
            if (r.status == detail::AsyncStream::Status::ok)
                in_.append(read_buffer_.get(), r.bytes);
            switch (r.status) {
            case detail::AsyncStream::Status::ok:
                progress_ = Clock::now();
                if (!drive(false)) return;
                continue;
            case detail::AsyncStream::Status::would_block:
                watch_.set_interest(socket_->wants());
                return;
            case detail::AsyncStream::Status::eof:
                (void)drive(true);
                return;
            case detail::AsyncStream::Status::error: {
                const std::string text = socket_->error_text();
                close_socket();
                return finish(std::make_exception_ptr(
                    https_ ? HTTPException("TLS error reading the response: " + text)
                           : HTTPException("socket error reading the response: " + text)));
            }
            }
        }
    }

    // Feeds what was received to the state machine; false once the exchange is over (the
    // caller must not touch the socket: it may be closed, or carrying the next request).
    bool drive(bool eof) {
        for (;;) {
            const std::string_view pending = std::string_view(in_).substr(in_at_);
            const ResponseStream::Step s = stream_.next(pending, eof);
            switch (s.event) {
            case ResponseStream::Event::need_more:
                // What is left (part of a head, of a chunk's framing) moves to the front:
                // a moved head is parsed again from its start, which the parser notices.
                in_.erase(0, in_at_ + s.consumed);
                in_at_ = 0;
                return true;
            case ResponseStream::Event::interim:
                if (!on_interim(pending.substr(0, s.consumed))) return false;
                in_at_ += s.consumed;
                continue;
            case ResponseStream::Event::head:
                if (!on_head(pending.substr(0, s.consumed))) return false;
                in_at_ += s.consumed;
                continue;
            case ResponseStream::Event::data:
                in_at_ += s.consumed;
                if (!s.data.empty() && !deliver(s.data)) return false;
                continue;
            case ResponseStream::Event::done:
                in_at_ += s.consumed;
                return on_done();
            case ResponseStream::Event::error:
                return on_error();
            }
        }
    }

    bool on_interim(std::string_view text) {
        report(DebugKind::response_head, text);
        if (interim_.size() == kMaxInterim) {
            close_socket();
            finish(std::make_exception_ptr(ProtocolError(
                "more than " + std::to_string(kMaxInterim) + " interim (1xx) responses")));
            return false;
        }
        const ResponseHead& h = stream_.head();
        InterimResponse i;
        i.status = h.status;
        i.reason.assign(h.reason);
        for (const Field& f : h.fields) (void)i.fields.try_add(f.name, f.value);
        interim_.push_back(std::move(i));
        return true;
    }

    bool on_head(std::string_view text) {
        report(DebugKind::response_head, text);
        const ResponseHead& h = stream_.head();
        response_ = AsyncResponse{};
        response_.status = h.status;
        response_.reason.assign(h.reason);
        response_.version = h.version == Version::http10 ? 10 : 11;
        for (const Field& f : h.fields) (void)response_.fields.try_add(f.name, f.value);
        response_.head_text.assign(text);
        response_.interim = std::move(interim_);
        if (h.body == BodyKind::content_length) response_.content_length = h.content_length;
        if (queue_.front().upgrade) {
            hand_over(in_.substr(in_at_ + text.size()));
            return false;
        }
        const bool no_content = h.body == BodyKind::none ||
                                (h.body == BodyKind::content_length && h.content_length == 0);
        if (options_.decode_content && !no_content &&
            response_.fields.contains(FieldId::content_encoding)) {
            detail::DecoderChoice choice =
                detail::make_content_decoder(response_.fields.joined(FieldId::content_encoding));
            if (!choice.decoder) {
                close_socket();
                finish(std::make_exception_ptr(
                    ContentDecodingError("unrecognized content coding: " + choice.unknown)));
                return false;
            }
            decoder_ = std::move(choice.decoder);
        }
        return call_back([&](AsyncHandlers& h) {
            if (h.on_head) h.on_head(response_);
            return true;
        });
    }

    // The answer to an upgrade request: on 101 the socket (and what came after the head)
    // goes to the new protocol; any other answer is the caller's to report, body unread.
    void hand_over(std::string leftover) {
        const auto self = shared_from_this();
        Pending done = std::move(queue_.front());
        queue_.pop_front();
        detail::Upgraded up;
        up.head = std::move(response_);
        response_ = AsyncResponse{};
        watch_ = {};
        timer_ = {};
        if (up.head.status == 101) {
            up.stream = std::move(socket_);
            up.leftover = std::move(leftover);
        }
        close_socket();
        done.upgrade(nullptr, std::move(up));
    }

    // Body bytes to the handler, through the decoder when there is one.
    bool deliver(std::string_view data) {
        if (!decoder_) return hand_over(data);
        char out[16384];
        do {
            const detail::ContentDecoder::Step s = decoder_->step(data, out);
            data.remove_prefix(s.consumed);
            if (s.error) {
                close_socket();
                finish(std::make_exception_ptr(ContentDecodingError(
                    "corrupt " + response_.fields.joined(FieldId::content_encoding) + " content")));
                return false;
            }
            if (s.produced != 0 && !hand_over(std::string_view(out, s.produced))) return false;
            if (s.done) decoded_done_ = true;
            if (s.consumed == 0 && s.produced == 0) break;
        } while (!data.empty() || !decoded_done_);
        return true;
    }

    bool hand_over(std::string_view bytes) {
        const bool go_on =
            call_back([&](AsyncHandlers& h) { return !h.on_data || h.on_data(bytes); });
        if (cancelled_) return false;
        if (!go_on) {
            close_socket(); // the rest of the body is not wanted: the connection is spent
            finish(nullptr);
            return false;
        }
        return true;
    }

    bool on_done() {
        if (decoder_ && !decoded_done_) {
            // Drain what the decoder holds; a stream that never ended is truncated.
            if (!deliver({})) return false;
            if (!decoded_done_) {
                close_socket();
                finish(std::make_exception_ptr(ContentDecodingError(
                    "truncated " + response_.fields.joined(FieldId::content_encoding) +
                    " content")));
                return false;
            }
        }
        // Bytes after the answer were never asked for (no pipelining): as the blocking client,
        // the connection is not trusted with another request.
        if (!stream_.keep_alive() || in_at_ != in_.size() || send_failed_) close_socket();
        finish(nullptr);
        return false;
    }

    bool on_error() {
        const bool reused_and_silent = stream_.failure() == ResponseStream::Failure::closed_early &&
                                       stream_.nothing_received() && requests_on_socket_ > 1;
        Pending& p = queue_.front();
        if (reused_and_silent && !p.retried && !send_failed_ &&
            is_idempotent(detail::method_of(p.request.method))) {
            // The server closed the kept-alive connection as the request went out.
            close_socket();
            report(DebugKind::info, "Connection died before an answer; retrying once");
            p.retried = true;
            out_at_ = 0;
            stream_.expect(detail::method_of(p.request.method));
            open();
            return false;
        }
        std::exception_ptr e;
        if (send_failed_ && stream_.nothing_received())
            e = std::make_exception_ptr(
                HTTPException("connection closed by the server sending the request"));
        else
            e = error_of([&] {
                detail::throw_response_error(stream_, std::string_view(in_).substr(in_at_),
                                             response_.content_length);
            });
        close_socket();
        finish(e);
        return false;
    }

    // Runs a handler with this object kept alive, in case the handler drops its owner.
    template <class F>
    bool call_back(F&& f) {
        if (cancelled_ || queue_.empty()) return false;
        const auto self = shared_from_this();
        const std::shared_ptr<AsyncHandlers> handlers = queue_.front().handlers;
        return f(*handlers);
    }

    // The exchange at the front ends: its owner hears, and the next one starts.
    void finish(std::exception_ptr error) {
        if (cancelled_ || queue_.empty()) return;
        const auto self = shared_from_this();
        Pending done = std::move(queue_.front());
        queue_.pop_front();
        response_ = AsyncResponse{};
        decoder_.reset();
        decoded_done_ = false;
        send_failed_ = false;
        state_ = socket_ ? State::idle : State::closed;
        if (done.upgrade)
            done.upgrade(error, detail::Upgraded{});
        else if (done.handlers->on_done)
            done.handlers->on_done(error);
        if (!cancelled_ && state_ != State::sending && state_ != State::receiving &&
            state_ != State::connecting && state_ != State::handshaking)
            start_next();
    }

    void close_socket() noexcept {
        watch_ = {};
        retry_ = {};
        socket_.reset();
        state_ = State::closed;
        in_.clear();
        in_at_ = 0;
    }

    // One timer per exchange, checked against the deadlines when it fires: progress only
    // moves a time stamp, so a fast transfer never touches the timer wheel.
    void arm_timer() {
        const Timeouts& t = options_.timeouts;
        if (t.total.count() == 0 && t.read.count() == 0 && t.connect.count() == 0) return;
        const auto next = std::max(std::chrono::milliseconds(1), until_deadline());
        timer_ = loop_.after(next, [weak = weak_from_this()] {
            if (const auto self = weak.lock()) self->on_timer();
        });
    }

    std::chrono::milliseconds until_deadline() const {
        Clock::time_point d = deadline_;
        const Timeouts& t = options_.timeouts;
        if (state_ == State::connecting || state_ == State::handshaking || !socket_)
            d = std::min(d, connect_deadline_);
        if (t.read.count() != 0) d = std::min(d, progress_ + t.read);
        if (d == Clock::time_point::max()) return std::chrono::hours(24);
        return std::chrono::ceil<std::chrono::milliseconds>(d - Clock::now());
    }

    void on_timer() {
        if (cancelled_ || queue_.empty()) return;
        if (until_deadline().count() > 0) return arm_timer();
        const bool connecting = state_ == State::connecting || state_ == State::handshaking;
        close_socket();
        finish(std::make_exception_ptr(TimeoutError(
            connecting ? "timed out connecting to " + host_ + ":" + std::to_string(port_)
                       : std::string("timed out reading the response"))));
    }

    Loop& loop_;
    std::string host_;
    std::uint16_t port_;
    bool https_;
    AsyncOptions options_;
    std::deque<Pending> queue_; // the front one is in flight
    State state_ = State::closed;
    std::unique_ptr<detail::AsyncStream> socket_;
    Loop::Watch watch_;
    Loop::Timer timer_;
    Loop::Timer retry_; // a unix socket's connect, again
    std::string out_;   // the request's head and body; [out_at_, size) still to send
    std::size_t out_at_ = 0;
    std::unique_ptr<char[]> read_buffer_ = std::make_unique_for_overwrite<char[]>(kReadSize);
    std::string in_; // received; [in_at_, size) not yet used
    std::size_t in_at_ = 0;
    ResponseStream stream_;
    AsyncResponse response_;
    std::vector<InterimResponse> interim_;
    std::unique_ptr<detail::ContentDecoder> decoder_;
    bool decoded_done_ = false;
    bool send_failed_ = false;
    bool cancelled_ = false;
    std::vector<detail::Address> addresses_;
    std::size_t next_address_ = 0;
    int last_error_ = 0;
    std::size_t requests_on_socket_ = 0;
    std::size_t connects_ = 0;
    Clock::time_point progress_{};
    Clock::time_point deadline_ = Clock::time_point::max();
    Clock::time_point connect_deadline_ = Clock::time_point::max();
};

AsyncConnection::AsyncConnection(Loop& loop, std::string host, std::uint16_t port, bool https,
                                 AsyncOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(host), port, https, std::move(options))) {}

AsyncConnection::~AsyncConnection() {
    impl_->cancel();
}

void AsyncConnection::request(AsyncRequest request, AsyncHandlers handlers) {
    impl_->request(std::move(request), std::move(handlers));
}

void detail::request_upgrade(AsyncConnection& connection, AsyncRequest request, UpgradeDone done) {
    connection.impl_->request(std::move(request), {}, std::move(done));
}

std::size_t AsyncConnection::pending() const noexcept {
    return impl_->pending();
}

std::size_t AsyncConnection::connects() const noexcept {
    return impl_->connects();
}

} // namespace pier::client
