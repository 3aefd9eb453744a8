// The event loop a request is served on, as handlers see it: watch a descriptor, set a timer,
// post work back from another thread. This is how a handler streams from a pipe (a CGI
// child), a socket (an upstream) or a clock without blocking the loop or spinning on it.
//
//     pier::Loop& loop = req.loop();
//     auto watch = loop.watch(pipe_fd, pier::Loop::readable, [&](unsigned) { ... read ... });
//     auto timer = loop.after(std::chrono::seconds(1), [&] { ... });
//     std::thread([&loop] { ...; loop.post([] { ... on the loop again ... }); }).detach();
//
// watch() and after() must be called on the loop's own thread (a non-blocking handler, a body
// source, a callback of this loop); their callbacks run there. post() may be called from any
// thread. Watches and timers end when their handle is destroyed — on the loop's thread —
// and never call back after that, even for an event already reported in the same iteration.
// A handle may outlive its loop; destroying it then does nothing more.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace pier {

namespace net {
class EventLoop;
}

class Loop {
  public:
    /// Interest and readiness bits for watch().
    static constexpr unsigned readable = 1;
    static constexpr unsigned writable = 2;
    /// Hang-up or error on the descriptor (always reported).
    static constexpr unsigned hangup = 4;

    class Watch {
      public:
        Watch() noexcept;
        Watch(Watch&&) noexcept;
        Watch& operator=(Watch&&) noexcept;
        ~Watch();
        /// Changes what is watched (readable, writable, both, or 0 to pause).
        void set_interest(unsigned interest);
        explicit operator bool() const noexcept { return static_cast<bool>(impl_); }
        struct Impl;

      private:
        friend class Loop;
        std::unique_ptr<Impl> impl_;
        void reset() noexcept;
    };

    class Timer {
      public:
        Timer() noexcept;
        Timer(Timer&&) noexcept;
        Timer& operator=(Timer&&) noexcept;
        ~Timer();
        explicit operator bool() const noexcept { return static_cast<bool>(impl_); }
        struct Impl;

      private:
        friend class Loop;
        std::unique_ptr<Impl> impl_;
    };

    explicit Loop(net::EventLoop& loop);
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    /// Calls `on_ready(events)` (readable / writable / hangup bits) while `fd` is ready for
    /// what `interest` names: level-triggered, so a callback that reads only part of what is
    /// there is called again. `fd` must be non-blocking; the caller keeps it open while the
    /// watch lives. An empty handle when the descriptor cannot be watched (a regular file).
    Watch watch(int fd, unsigned interest, std::function<void(unsigned events)> on_ready);
    /// Calls `on_expiry` once, `after` from now (rounded up to the loop's timer tick, 64 ms;
    /// never early).
    Timer after(std::chrono::milliseconds after, std::function<void()> on_expiry);
    /// Runs `task` on this loop's thread, soon. Callable from any thread.
    void post(std::function<void()> task);

    /// For the server's own handlers (the file cache): events go before every other of the
    /// iteration they come in.
    Watch watch_first(int fd, std::function<void(unsigned events)> on_ready);
    /// Tells loops apart over time (a new loop may reuse an old one's address).
    std::uint64_t id() const noexcept;
    /// True on the loop's own thread (false on the blocking pool's).
    bool is_current() const noexcept;

  private:
    net::EventLoop& loop_;
    // Watches may outlive their loop (a thread's cache destroyed at thread exit): they hold
    // this weakly and do nothing to a loop that is gone.
    std::shared_ptr<const bool> alive_;
};

} // namespace pier
