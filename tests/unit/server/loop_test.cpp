// pier::Loop, the handler's view of the event loop: level-triggered watches, one-shot timers,
// posts from other threads, and handles that end in their own callback or outlive the loop.
#include "net/event_loop.hpp"

#include <pier/loop.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <memory>
#include <thread>
#include <unistd.h>

namespace pier {
namespace {

using namespace std::chrono_literals;

struct Pipe {
    int fds[2] = {-1, -1};
    Pipe() {
        if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    }
    ~Pipe() {
        close(fds[0]);
        close(fds[1]);
    }
    void put(std::string_view s) { [[maybe_unused]] ssize_t n = write(fds[1], s.data(), s.size()); }
};

TEST(Loop, AWatchIsLevelTriggered) {
    net::EventLoop base;
    Loop loop(base);
    Pipe pipe;
    pipe.put("abcdef");
    std::string got;
    int calls = 0;
    Loop::Watch watch = loop.watch(pipe.fds[0], Loop::readable, [&](unsigned events) {
        EXPECT_TRUE(events & Loop::readable);
        char c;
        if (read(pipe.fds[0], &c, 1) == 1) got += c; // one byte per call: called again
        if (++calls == 6) base.stop();
    });
    ASSERT_TRUE(watch);
    base.run();
    EXPECT_EQ(got, "abcdef");
}

TEST(Loop, AWatchMayEndInItsOwnCallbackAndIsNotCalledAgain) {
    net::EventLoop base;
    Loop loop(base);
    Pipe pipe;
    pipe.put("x");
    int calls = 0;
    Loop::Watch watch;
    watch = loop.watch(pipe.fds[0], Loop::readable, [&](unsigned) {
        ++calls;
        watch = {}; // the byte stays unread: a live watch would fire again
        loop.post([&] { loop.post([&] { base.stop(); }); });
    });
    base.run();
    EXPECT_EQ(calls, 1);
}

TEST(Loop, TimersFireOnceNeverEarlyAndMayBeCancelled) {
    net::EventLoop base;
    Loop loop(base);
    const auto start = std::chrono::steady_clock::now();
    int fired = 0;
    Loop::Timer cancelled = loop.after(50ms, [&] { fired += 100; });
    Loop::Timer timer = loop.after(100ms, [&] {
        ++fired;
        timer = {}; // a timer may end its own handle
        base.stop();
    });
    cancelled = {};
    base.run();
    EXPECT_EQ(fired, 1);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
}

TEST(Loop, PostRunsOnTheLoopFromAnyThread) {
    net::EventLoop base;
    Loop loop(base);
    std::thread::id ran_on;
    std::thread other([&] {
        loop.post([&] {
            ran_on = std::this_thread::get_id();
            base.stop();
        });
    });
    base.run();
    other.join();
    EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(Loop, HandlesMayOutliveTheirLoop) {
    Pipe pipe;
    Loop::Watch watch;
    Loop::Timer timer;
    {
        net::EventLoop base;
        Loop loop(base);
        watch = loop.watch(pipe.fds[0], Loop::readable, [](unsigned) {});
        timer = loop.after(1000ms, [] {});
    }
    watch = {}; // no use of the loop that is gone (ASan would say)
    timer = {};
}

} // namespace
} // namespace pier
