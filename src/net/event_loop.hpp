// One event loop per worker thread: epoll (edge-triggered for connections), a timer wheel,
// a queue of tasks posted from other threads (results of offloaded work), and deferred
// destruction. Read run() top to bottom for the phases of an iteration.
#pragma once

#include "net/timer_wheel.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <sys/epoll.h>
#include <utility>
#include <vector>

namespace pier::net {

/// Whatever the loop wakes up for: a connection, a listener, the wake-up eventfd.
class IoHandler {
  public:
    /// `events`: EPOLLIN / EPOLLOUT / EPOLLRDHUP / EPOLLERR / EPOLLHUP bits.
    virtual void on_io(std::uint32_t events) = 0;

  protected:
    ~IoHandler() = default;
};

/// Something the loop owns and destroys at the end of an iteration (so no event still in
/// this iteration's batch can reach a deleted object).
class Closeable {
  public:
    virtual ~Closeable() = default;
};

class EventLoop {
  public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    /// Registers `fd`; `events` as for epoll_ctl (add EPOLLET for edge-triggered).
    bool add(int fd, IoHandler* handler, std::uint32_t events) noexcept;
    /// The same for a handler whose events must be handled before the others of the batch
    /// they come in: a file-change watcher, so a change made before a request was sent is
    /// applied before that request is served.
    bool add_first(int fd, IoHandler* handler, std::uint32_t events) noexcept;
    /// Runs the add_first() handlers now, as if their descriptors were readable (they must
    /// cope with nothing to read): before work that reads ahead of the loop, such as a
    /// request read as its connection is accepted, which must not overtake a change notice.
    void run_first();
    bool modify(int fd, IoHandler* handler, std::uint32_t events) noexcept;
    void remove(int fd) noexcept;

    /// Runs `task` on this loop's thread, soon. Callable from any thread.
    void post(std::function<void()> task);
    /// Destroys `object` after the current iteration's events, timers and tasks.
    void destroy_later(std::unique_ptr<Closeable> object);

    TimerWheel& timers() noexcept { return timers_; }
    /// Monotonic milliseconds, read once per iteration.
    std::uint64_t now_ms() const noexcept { return now_ms_; }
    /// Wall-clock second, read once per iteration (for Date and access logs).
    std::chrono::sys_seconds wall_now() const noexcept { return wall_now_; }

    /// The loop run() is running on this thread, or nullptr.
    static EventLoop* current() noexcept;
    /// Tells loops apart over time (a new loop may reuse an old one's address).
    std::uint64_t id() const noexcept { return id_; }

    /// Runs iterations until stop().
    void run();
    /// Ends run() after the current iteration. Callable from any thread.
    void stop() noexcept;
    /// Runs tasks posted after run() returned (completions of jobs finished during shutdown)
    /// and destroys what they closed.
    void drain_posted();

  private:
    class Waker;
    void update_clock() noexcept;
    void run_posted();

    void dispatch(const epoll_event* events, int n);

    std::uint64_t id_;
    int epoll_fd_ = -1;
    std::unique_ptr<Waker> waker_;
    TimerWheel timers_;
    std::uint64_t now_ms_ = 0;
    std::chrono::sys_seconds wall_now_{};
    std::atomic<bool> stopping_{false};
    std::mutex posted_mutex_;
    std::vector<std::function<void()>> posted_;
    void destroy_doomed() noexcept;
    std::vector<std::unique_ptr<Closeable>> doomed_;
    std::vector<std::pair<int, IoHandler*>> first_; // what add_first() registered, for run_first()
};

std::uint64_t monotonic_ms() noexcept;

} // namespace pier::net
