// pier::Loop (include/pier/loop.hpp): the handler's view of its worker's net::EventLoop.
#include "net/event_loop.hpp"
#include "net/timer_wheel.hpp"

#include <pier/loop.hpp>

#include <utility>

namespace pier {

// A watched descriptor. Level-triggered, unlike connections: a handler that reads part of
// what a pipe holds is called again, with no edge to lose.
struct Loop::Watch::Impl final : net::IoHandler, net::Closeable {
    Impl(net::EventLoop& loop, std::weak_ptr<const bool> alive, int fd,
         std::function<void(unsigned)> on_ready)
        : loop(loop), alive(std::move(alive)), fd(fd), on_ready(std::move(on_ready)) {}

    void on_io(std::uint32_t events) override {
        if (dead) return; // its handle went earlier in this iteration
        unsigned ready = 0;
        if (events & EPOLLIN) ready |= Loop::readable;
        if (events & EPOLLOUT) ready |= Loop::writable;
        if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) ready |= Loop::hangup;
        on_ready(ready);
    }

    static std::uint32_t epoll_bits(unsigned interest) noexcept {
        std::uint32_t bits = EPOLLRDHUP;
        if (interest & Loop::readable) bits |= EPOLLIN;
        if (interest & Loop::writable) bits |= EPOLLOUT;
        return bits;
    }

    net::EventLoop& loop;
    std::weak_ptr<const bool> alive; // expired: the loop is gone
    int fd;
    std::function<void(unsigned)> on_ready;
    bool dead = false;
};

// A one-shot timer on the loop's wheel.
struct Loop::Timer::Impl {
    Impl(std::function<void()> on_expiry) : on_expiry(std::move(on_expiry)) {}

    static void fire(void* context) {
        auto* self = static_cast<Impl*>(context);
        // The callback may destroy its own handle (and so this): run it from the stack.
        std::function<void()> run = std::move(self->on_expiry);
        run();
    }

    std::function<void()> on_expiry;
    net::Timer timer{&Impl::fire, this};
};

void Loop::Watch::reset() noexcept {
    if (!impl_) return;
    if (impl_->alive.expired()) { // no loop left to tell, nor an iteration to wait for
        impl_.reset();
        return;
    }
    impl_->dead = true;
    impl_->loop.remove(impl_->fd);
    // An event for it may still be in this iteration's batch: destroyed after the batch.
    net::EventLoop& loop = impl_->loop;
    loop.destroy_later(std::unique_ptr<net::Closeable>(impl_.release()));
}

Loop::Loop(net::EventLoop& loop) : loop_(loop), alive_(std::make_shared<const bool>(true)) {}
Loop::~Loop() = default;

Loop::Watch::Watch() noexcept = default;
Loop::Watch::Watch(Watch&&) noexcept = default;

Loop::Watch& Loop::Watch::operator=(Watch&& other) noexcept {
    if (this != &other) {
        reset();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

Loop::Watch::~Watch() {
    reset();
}

void Loop::Watch::set_interest(unsigned interest) {
    if (impl_ && !impl_->alive.expired())
        impl_->loop.modify(impl_->fd, impl_.get(), Impl::epoll_bits(interest));
}

Loop::Timer::Timer() noexcept = default;
Loop::Timer::Timer(Timer&&) noexcept = default;
Loop::Timer& Loop::Timer::operator=(Timer&& other) noexcept = default;
Loop::Timer::~Timer() = default;

Loop::Watch Loop::watch(int fd, unsigned interest, std::function<void(unsigned)> on_ready) {
    Watch w;
    w.impl_ = std::make_unique<Watch::Impl>(loop_, alive_, fd, std::move(on_ready));
    if (!loop_.add(fd, w.impl_.get(), Watch::Impl::epoll_bits(interest))) w.impl_.reset();
    return w;
}

Loop::Watch Loop::watch_first(int fd, std::function<void(unsigned)> on_ready) {
    Watch w;
    w.impl_ = std::make_unique<Watch::Impl>(loop_, alive_, fd, std::move(on_ready));
    if (!loop_.add_first(fd, w.impl_.get(), EPOLLIN)) w.impl_.reset();
    return w;
}

Loop::Timer Loop::after(std::chrono::milliseconds after, std::function<void()> on_expiry) {
    Timer t;
    t.impl_ = std::make_unique<Timer::Impl>(std::move(on_expiry));
    const auto ms = static_cast<std::uint64_t>(after.count() < 0 ? 0 : after.count());
    loop_.timers().schedule(t.impl_->timer, loop_.now_ms() + ms);
    return t;
}

void Loop::post(std::function<void()> task) {
    loop_.post(std::move(task));
}

std::uint64_t Loop::id() const noexcept {
    return loop_.id();
}

bool Loop::is_current() const noexcept {
    return net::EventLoop::current() == &loop_;
}

} // namespace pier
