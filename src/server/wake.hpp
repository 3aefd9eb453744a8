// What a Resume (include/pier/resume.hpp) points at: the loop to post to, and what to run there
// — until the exchange detaches, after which a Resume does nothing. Calls from other threads
// only post; what runs, runs on the loop, so the session's state is only ever touched there.
#pragma once

#include "net/event_loop.hpp"

#include <pier/resume.hpp>

#include <functional>
#include <memory>
#include <mutex>

namespace pier::detail {

struct Wake : std::enable_shared_from_this<Wake> {
    Wake(net::EventLoop& loop, std::function<void()> on_wake)
        : loop(&loop), on_wake(std::move(on_wake)) {}

    /// From any thread: have on_wake run on the loop, once for any number of calls until it
    /// runs.
    void wake();
    /// On the loop: no further on_wake, whatever is already posted.
    void detach() noexcept;

    std::mutex mutex;
    net::EventLoop* loop;          // guarded by mutex; nullptr once detached
    bool posted = false;           // guarded by mutex
    std::function<void()> on_wake; // the loop's thread only
};

} // namespace pier::detail
