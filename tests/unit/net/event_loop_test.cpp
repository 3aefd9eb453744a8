// The loop's deferred destruction: an object destroyed at the end of an iteration may queue
// more (a connection's exchange releases a handler's watches), and those are destroyed too —
// never pushed into the vector being cleared (ASan caught that once).
#include "net/event_loop.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace pier::net {
namespace {

struct Chain final : Closeable {
    Chain(EventLoop& loop, int links, int& destroyed)
        : loop(loop), links(links), destroyed(destroyed) {}
    ~Chain() override {
        ++destroyed;
        // Several, so the vector being cleared would have to grow.
        for (int i = 0; i < 4 && links > 0; ++i)
            loop.destroy_later(std::make_unique<Chain>(loop, links - 1, destroyed));
    }
    EventLoop& loop;
    int links;
    int& destroyed;
};

TEST(EventLoop, WhatADestroyedObjectQueuesIsDestroyedToo) {
    EventLoop loop;
    int destroyed = 0;
    loop.destroy_later(std::make_unique<Chain>(loop, 3, destroyed));
    loop.drain_posted();
    EXPECT_EQ(destroyed, 1 + 4 + 16 + 64);
}

} // namespace
} // namespace pier::net
