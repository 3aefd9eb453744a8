#include "cli/get_rate.hpp"

#include <gtest/gtest.h>

namespace pier::cli {
namespace {

using namespace std::chrono_literals;

TEST(ParseRate, TakesCurlsUnits) {
    EXPECT_EQ(parse_rate("0"), 0u);
    EXPECT_EQ(parse_rate("1500"), 1500u);
    EXPECT_EQ(parse_rate("10B"), 10u);
    EXPECT_EQ(parse_rate("100k"), 102400u);
    EXPECT_EQ(parse_rate("100K"), 102400u);
    EXPECT_EQ(parse_rate("2m"), 2u << 20);
    EXPECT_EQ(parse_rate("2M"), 2u << 20);
    EXPECT_EQ(parse_rate("3g"), std::uint64_t{3} << 30);
    EXPECT_EQ(parse_rate("3G"), std::uint64_t{3} << 30);
}

TEST(ParseRate, RefusesWhatCurlRefuses) {
    for (const char* bad : {"", "k", "-5", "+5", "1.5k", "10x", "1T", "10kk", " 10", "10 ", "0x10"})
        EXPECT_EQ(parse_rate(bad), std::nullopt) << bad;
}

TEST(ParseRate, RefusesRatesPast64Bits) {
    EXPECT_EQ(parse_rate("18446744073709551615"), UINT64_MAX);
    EXPECT_EQ(parse_rate("18446744073709551616"), std::nullopt);
    EXPECT_EQ(parse_rate("17179869184G"), std::nullopt); // 2^34 GiB = 2^64 bytes
    EXPECT_EQ(parse_rate("17179869183G"), std::uint64_t{17179869183} << 30);
}

TEST(RateLimiter, ChunksAreATenthOfASecond) {
    const auto t0 = RateLimiter::Clock::time_point{};
    EXPECT_EQ(RateLimiter(102400, t0).chunk(), 10240u);
    EXPECT_EQ(RateLimiter(5, t0).chunk(), 1u);                           // never zero
    EXPECT_EQ(RateLimiter(std::uint64_t{1} << 30, t0).chunk(), 262144u); // never huge
}

TEST(RateLimiter, HoldsTheAverageToTheRate) {
    // 1000 B/s: reading 100 bytes at a time as fast as the limiter lets, 10000 bytes take
    // 10 s of waiting, give or take the one tenth-second burst.
    auto now = RateLimiter::Clock::time_point{};
    RateLimiter limiter(1000, now);
    for (int i = 0; i < 100; ++i) now += limiter.spend(100, now);
    EXPECT_GE(now - RateLimiter::Clock::time_point{}, 9900ms);
    EXPECT_LE(now - RateLimiter::Clock::time_point{}, 10000ms);
}

TEST(RateLimiter, TimeSpentReadingCounts) {
    // Bytes that arrive slower than the rate cost no wait at all.
    auto now = RateLimiter::Clock::time_point{};
    RateLimiter limiter(1000, now);
    now += 200ms;
    EXPECT_EQ(limiter.spend(100, now), 0ns);
    now += 200ms;
    EXPECT_EQ(limiter.spend(100, now), 0ns);
}

TEST(RateLimiter, IdleTimeBuysNoMoreThanOneBurst) {
    // An hour without reading does not allow an hour's worth at once.
    auto now = RateLimiter::Clock::time_point{};
    RateLimiter limiter(1000, now);
    now += 1h;
    EXPECT_EQ(limiter.spend(100, now), 0ns); // the burst: a tenth of a second's worth
    EXPECT_EQ(limiter.spend(100, now), 100ms);
}

} // namespace
} // namespace pier::cli
