// A WebSocket client for tests that watch what a server endpoint does over time (live reload,
// ws-exec): pier::client::WebSocket on an event loop of its own thread, recording what comes,
// with bounded waits from the test's thread. Over TLS (wss://, no verification) when the suite
// runs in TLS mode, as test_server.hpp's Client does.
#pragma once

#include "net/event_loop.hpp"
#include "test_server.hpp"

#include <pier/websocket_client.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace pier::test {

class WsProbe {
  public:
    struct Received {
        bool text = true;
        std::string data;
    };

    /// Connects at once to `path` on the test server's port; `pause_at_open` stops reading as
    /// soon as the handshake is over (a peer that does not read).
    WsProbe(std::uint16_t port, std::string path, bool pause_at_open = false) {
        const std::string url =
            std::string(tls_mode() ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port) + path;
        client::WebSocketOptions options;
        options.tls.verify = false;
        options.ws.ping_interval = std::chrono::milliseconds(0);
        ws::Handlers h;
        h.on_open = [this, pause_at_open](ws::Socket& s) {
            if (pause_at_open) s.pause_reading(true);
            update([](State& st) { st.open = true; });
        };
        h.on_message = [this](ws::Socket&, const ws::Message& m) {
            update([&m](State& st) { st.messages.push_back({m.is_text(), std::string(m.data)}); });
        };
        h.on_close = [this](ws::Socket&, std::uint16_t code, std::string_view reason) {
            update([&](State& st) {
                st.close_code = code;
                st.close_reason = std::string(reason);
            });
        };
        auto on_error = [this](std::exception_ptr) { update([](State& st) { st.failed = true; }); };
        // watch() and after() belong to the loop's thread: the client is made and ended there.
        loop_.post([this, url, h, options, on_error] {
            socket_ = std::make_unique<client::WebSocket>(loop_, url, h, options, on_error);
        });
        thread_ = std::thread([this] { events_.run(); });
    }
    ~WsProbe() {
        loop_.post([this] {
            socket_.reset();
            events_.stop();
        });
        thread_.join();
        events_.drain_posted();
    }
    WsProbe(const WsProbe&) = delete;
    WsProbe& operator=(const WsProbe&) = delete;

    bool wait_open(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        return wait([](const State& st) { return st.open; }, limit);
    }
    bool wait_messages(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        return wait([n](const State& st) { return st.messages.size() >= n; }, limit);
    }
    bool wait_closed(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        return wait([](const State& st) { return st.close_code.has_value(); }, limit);
    }
    std::vector<Received> messages() {
        return read([](const State& st) { return st.messages; });
    }
    std::size_t message_count() {
        return read([](const State& st) { return st.messages.size(); });
    }
    /// The close code on_close got (its absence: still open).
    std::optional<std::uint16_t> close_code() {
        return read([](const State& st) { return st.close_code; });
    }
    std::string close_reason() {
        return read([](const State& st) { return st.close_reason; });
    }
    bool failed() {
        return read([](const State& st) { return st.failed; });
    }

    /// Runs `f` on the open socket, on the client's loop.
    void with_socket(std::function<void(ws::Socket&)> f) {
        loop_.post([this, f = std::move(f)] {
            if (socket_ && socket_->socket() != nullptr) f(*socket_->socket());
        });
    }
    void send_text(std::string text) {
        with_socket([text = std::move(text)](ws::Socket& s) { s.send_text(text); });
    }
    /// The closing handshake, from this side.
    void close(std::uint16_t code = ws::close_code::normal) {
        with_socket([code](ws::Socket& s) { s.close(code); });
    }
    /// Goes away without a Close, as a tab that is shut does.
    void drop() {
        loop_.post([this] { socket_.reset(); });
    }

  private:
    struct State {
        bool open = false;
        bool failed = false;
        std::vector<Received> messages;
        std::optional<std::uint16_t> close_code;
        std::string close_reason;
    };
    template <class F>
    void update(F f) {
        {
            const std::lock_guard lock(mutex_);
            f(state_);
        }
        changed_.notify_all();
    }
    template <class F>
    std::invoke_result_t<F, const State&> read(F f) {
        const std::lock_guard lock(mutex_);
        return f(state_);
    }
    template <class Pred>
    bool wait(Pred pred, std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return pred(state_); });
    }

    net::EventLoop events_;
    Loop loop_{events_};
    std::unique_ptr<client::WebSocket> socket_; // the loop thread's
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    State state_;
};

} // namespace pier::test
