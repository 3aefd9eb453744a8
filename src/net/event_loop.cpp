#include "net/event_loop.hpp"

#include <cerrno>
#include <stdexcept>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

namespace pier::net {

std::uint64_t monotonic_ms() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000 +
           static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

// An eventfd that post() and stop() write to, so a loop blocked in epoll_wait wakes up.
class EventLoop::Waker final : public IoHandler {
  public:
    explicit Waker(EventLoop& loop) : loop_(loop), fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    }
    ~Waker() { close(fd_); }
    int fd() const noexcept { return fd_; }
    void wake() noexcept {
        const std::uint64_t one = 1;
        [[maybe_unused]] const ssize_t n = write(fd_, &one, sizeof one);
    }
    void on_io(std::uint32_t) override {
        std::uint64_t count = 0;
        [[maybe_unused]] const ssize_t n = read(fd_, &count, sizeof count);
        loop_.run_posted();
    }

  private:
    EventLoop& loop_;
    int fd_;
};

namespace {

// Handlers are at least pointer-aligned, so bit 0 of the epoll data can mark the ones whose
// events go first.
constexpr std::uintptr_t kFirst = 1;

thread_local EventLoop* t_current = nullptr;
std::atomic<std::uint64_t> g_next_loop_id{1};

} // namespace

EventLoop* EventLoop::current() noexcept {
    return t_current;
}

EventLoop::EventLoop() : id_(g_next_loop_id.fetch_add(1)), timers_(monotonic_ms()) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    waker_ = std::make_unique<Waker>(*this);
    if (!add(waker_->fd(), waker_.get(), EPOLLIN)) {
        close(epoll_fd_);
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    }
    update_clock();
}

EventLoop::~EventLoop() {
    destroy_doomed();
    waker_.reset();
    close(epoll_fd_);
}

bool EventLoop::add(int fd, IoHandler* handler, std::uint32_t events) noexcept {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::add_first(int fd, IoHandler* handler, std::uint32_t events) noexcept {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = reinterpret_cast<std::uintptr_t>(handler) | kFirst;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return false;
    first_.emplace_back(fd, handler);
    return true;
}

void EventLoop::run_first() {
    // By index: a handler may remove itself (or another) while it runs.
    for (std::size_t i = 0; i < first_.size(); ++i) first_[i].second->on_io(EPOLLIN);
}

bool EventLoop::modify(int fd, IoHandler* handler, std::uint32_t events) noexcept {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    return epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::remove(int fd) noexcept {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    std::erase_if(first_, [fd](const std::pair<int, IoHandler*>& f) { return f.first == fd; });
}

void EventLoop::post(std::function<void()> task) {
    {
        std::lock_guard lock(posted_mutex_);
        posted_.push_back(std::move(task));
    }
    waker_->wake();
}

void EventLoop::destroy_later(std::unique_ptr<Closeable> object) {
    doomed_.push_back(std::move(object));
}

// A destructor may queue more (a connection's exchange releases a handler's watches): those
// go in the next round, never into the vector being destroyed.
void EventLoop::destroy_doomed() noexcept {
    while (!doomed_.empty()) {
        std::vector<std::unique_ptr<Closeable>> batch;
        batch.swap(doomed_);
        batch.clear();
    }
}

void EventLoop::stop() noexcept {
    stopping_.store(true, std::memory_order_release);
    waker_->wake();
}

void EventLoop::update_clock() noexcept {
    now_ms_ = monotonic_ms();
    wall_now_ = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

void EventLoop::run_posted() {
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(posted_mutex_);
        tasks.swap(posted_);
    }
    for (auto& task : tasks) task();
}

void EventLoop::drain_posted() {
    run_posted();
    destroy_doomed();
}

// Handlers added with add_first() see their events before every other handler of the batch.
void EventLoop::dispatch(const epoll_event* events, int n) {
    for (int i = 0; i < n; ++i)
        if ((events[i].data.u64 & kFirst) != 0)
            // NOLINTNEXTLINE(performance-no-int-to-ptr): the tag bit is why it is an integer
            reinterpret_cast<IoHandler*>(events[i].data.u64 & ~kFirst)->on_io(events[i].events);
    for (int i = 0; i < n; ++i)
        if ((events[i].data.u64 & kFirst) == 0)
            static_cast<IoHandler*>(events[i].data.ptr)->on_io(events[i].events);
}

void EventLoop::run() {
    t_current = this;
    constexpr int kBatch = 256;
    epoll_event events[kBatch];
    while (!stopping_.load(std::memory_order_acquire)) {
        // 1. Sleep until I/O, a posted task (the waker) or the next timer tick.
        int n = epoll_wait(epoll_fd_, events, kBatch, timers_.wait_ms(now_ms_));
        if (n < 0) n = 0; // EINTR: a signal; go round
        // 2. One clock read per iteration: every handler in it sees the same "now".
        update_clock();
        // 3. I/O. Objects closed here are only queued for destruction (phase 5), so a later
        //    event of this batch never reaches freed memory.
        dispatch(events, n);
        // 4. Deadlines: header, idle, body and write-stall timeouts.
        timers_.expire(now_ms_);
        // 5. Now nothing refers to what was closed in this iteration.
        destroy_doomed();
    }
    run_posted(); // tasks posted while stopping still run (they may release resources)
    destroy_doomed();
    t_current = nullptr;
}

} // namespace pier::net
