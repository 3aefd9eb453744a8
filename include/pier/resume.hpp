// A handle that wakes an exchange waiting on its handler: a response-body source that said
// "pending", a request-body sink that paused reading. The producer keeps it and calls it when
// it has more (from a loop watcher, a timer, or another thread); the server then pulls again
// — once, however many times it was called meanwhile.
#pragma once

#include <memory>

namespace pier {

namespace detail {
struct Wake;
}

class Resume {
  public:
    Resume() = default;
    explicit Resume(std::shared_ptr<detail::Wake> wake) noexcept : wake_(std::move(wake)) {}

    /// Callable from any thread, any number of times; does nothing once the exchange it
    /// belongs to has ended (the client went away, the body is complete).
    void operator()() const;
    explicit operator bool() const noexcept { return static_cast<bool>(wake_); }

  private:
    std::shared_ptr<detail::Wake> wake_;
};

} // namespace pier
