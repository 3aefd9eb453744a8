#include "server/wake.hpp"

namespace pier {

void Resume::operator()() const {
    if (wake_) wake_->wake();
}

namespace detail {

void Wake::wake() {
    std::lock_guard lock(mutex);
    if (loop == nullptr || posted) return;
    posted = true;
    loop->post([self = shared_from_this()] {
        {
            std::lock_guard relock(self->mutex);
            self->posted = false;
        }
        // A copy: what runs may detach, which empties on_wake.
        const std::function<void()> run = self->on_wake;
        if (run) run();
    });
}

void Wake::detach() noexcept {
    {
        std::lock_guard lock(mutex);
        loop = nullptr;
    }
    on_wake = nullptr;
}

} // namespace detail
} // namespace pier
