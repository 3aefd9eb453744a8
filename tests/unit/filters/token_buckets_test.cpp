#include <pier/rate_limit.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace pier {
namespace {

using Clock = TokenBuckets::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TokenBuckets, BurstThenRate) {
    TokenBuckets b({.per_second = 2, .burst = 3});
    const Clock::time_point t0{};
    for (int i = 0; i < 3; ++i) EXPECT_EQ(b.take("10.0.0.1", t0), 0u) << i;
    EXPECT_EQ(b.take("10.0.0.1", t0), 1u); // half a second to the next token: say 1
    EXPECT_EQ(b.take("10.0.0.1", t0 + milliseconds(499)), 1u);
    EXPECT_EQ(b.take("10.0.0.1", t0 + milliseconds(500)), 0u);
    EXPECT_EQ(b.take("10.0.0.1", t0 + milliseconds(500)), 1u);
    // Refilled, never beyond the burst.
    const auto later = t0 + seconds(100);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(b.take("10.0.0.1", later), 0u) << i;
    EXPECT_NE(b.take("10.0.0.1", later), 0u);
}

TEST(TokenBuckets, RetryAfterCountsWholeSeconds) {
    TokenBuckets b({.per_second = 0.1, .burst = 1}); // one every ten seconds
    const Clock::time_point t0{};
    EXPECT_EQ(b.take("a", t0), 0u);
    EXPECT_EQ(b.take("a", t0), 10u);
    EXPECT_EQ(b.take("a", t0 + milliseconds(2500)), 8u); // 7.5 s, rounded up
}

TEST(TokenBuckets, ClientsAreApart) {
    TokenBuckets b({.per_second = 1, .burst = 1});
    const Clock::time_point t0{};
    EXPECT_EQ(b.take("10.0.0.1", t0), 0u);
    EXPECT_EQ(b.take("10.0.0.2", t0), 0u);
    EXPECT_NE(b.take("10.0.0.1", t0), 0u);
    // The same IPv4 address written as v4-mapped IPv6 is the same client.
    EXPECT_NE(b.take("::ffff:10.0.0.2", t0), 0u);
}

TEST(TokenBuckets, AnIpv6ClientIsItsSlash64) {
    TokenBuckets b({.per_second = 1, .burst = 1});
    const Clock::time_point t0{};
    EXPECT_EQ(b.take("2001:db8:1:2::1", t0), 0u);
    EXPECT_NE(b.take("2001:db8:1:2:ffff::9", t0), 0u); // same /64
    EXPECT_EQ(b.take("2001:db8:1:3::1", t0), 0u);      // the next /64
    EXPECT_EQ(b.take("::1", t0), 0u);                  // loopback is its own
}

TEST(TokenBuckets, WaitTakesNothingAndRemembersNobody) {
    TokenBuckets b({.per_second = 1, .burst = 1});
    const Clock::time_point t0{};
    EXPECT_EQ(b.wait("x", t0), 0u);
    EXPECT_EQ(b.size(), 0u);
    EXPECT_EQ(b.take("x", t0), 0u);
    EXPECT_EQ(b.wait("x", t0), 1u);
    EXPECT_EQ(b.size(), 1u);
}

// A flood of distinct addresses: the table never grows past its bound, and a client being
// limited is not forgotten by the first few newcomers of its set.
TEST(TokenBuckets, AMillionAddressesStayWithinTheBound) {
    TokenBuckets b({.per_second = 1, .burst = 1, .max_clients = 4096});
    const std::size_t capacity = b.capacity();
    EXPECT_GE(capacity, 4096u);
    EXPECT_LT(capacity, 4096u + 8);
    Clock::time_point now{};
    EXPECT_EQ(b.take("192.0.2.1", now), 0u);
    char address[64];
    for (std::uint32_t i = 0; i < 1'000'000; ++i) {
        std::snprintf(address, sizeof address, "2001:db8:%x:%x::1", i >> 16, i & 0xffff);
        b.take(address, now);
        if (i % 200 == 0) { // an active client: a few newcomers per set between its visits
            EXPECT_NE(b.take("192.0.2.1", now), 0u) << i; // still limited
        }
        now += std::chrono::microseconds(1);
    }
    EXPECT_EQ(b.size(), capacity);
    EXPECT_EQ(b.capacity(), capacity);
}

TEST(TokenBuckets, FullBucketsAreForgottenFirst) {
    // One set of eight. c1..c7 spend their whole burst; c0, the newest, only half. A second
    // later c0's bucket is full again — forgetting it costs nothing — while the others still
    // owe: the newcomer takes c0's place, not that of c1, the oldest.
    TokenBuckets b({.per_second = 1, .burst = 2, .max_clients = 8});
    const Clock::time_point t0{};
    for (int i = 1; i < 8; ++i) {
        EXPECT_EQ(b.take("c" + std::to_string(i), t0), 0u);
        EXPECT_EQ(b.take("c" + std::to_string(i), t0), 0u);
    }
    EXPECT_EQ(b.take("c0", t0 + milliseconds(1)), 0u);
    const auto t1 = t0 + milliseconds(1002);
    EXPECT_EQ(b.take("newcomer", t1), 0u);
    EXPECT_EQ(b.take("c1", t1), 0u); // remembered: one token regained, not a fresh two
    EXPECT_NE(b.take("c1", t1), 0u);
    // Once every bucket owes, the one seen longest ago goes.
    TokenBuckets c({.per_second = 1, .burst = 1, .max_clients = 8});
    for (int i = 0; i < 8; ++i)
        EXPECT_EQ(c.take("c" + std::to_string(i), t0 + milliseconds(i)), 0u);
    EXPECT_EQ(c.take("newcomer", t0 + milliseconds(9)), 0u);
    EXPECT_EQ(c.take("c0", t0 + milliseconds(10)), 0u); // forgotten: a fresh bucket
    EXPECT_NE(c.take("c7", t0 + milliseconds(11)), 0u); // remembered
}

TEST(TokenBuckets, NonAddressKeys) {
    TokenBuckets b({.per_second = 1, .burst = 1});
    const Clock::time_point t0{};
    EXPECT_EQ(b.take("alice", t0), 0u);
    EXPECT_NE(b.take("alice", t0), 0u);
    EXPECT_EQ(b.take("bob", t0), 0u);
    EXPECT_EQ(b.take("", t0), 0u);
}

} // namespace
} // namespace pier
