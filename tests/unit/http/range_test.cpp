#include <pier/range.hpp>

#include <gtest/gtest.h>

#include <string>

namespace pier {
namespace {

std::string show(const RangeRequest& r) {
    std::string s = r.status == RangeStatus::ignore          ? "ignore"
                    : r.status == RangeStatus::unsatisfiable ? "416"
                                                             : "206";
    for (const ByteRange& b : r.ranges)
        s += " " + std::to_string(b.first) + "-" + std::to_string(b.last);
    return s;
}

TEST(Range, Rfc9110Examples) {
    struct C {
        std::string_view field;
        std::uint64_t size;
        std::string_view expected;
    };
    const C cases[] = {
        {"bytes=0-499", 10000, "206 0-499"},
        {"bytes=500-999", 10000, "206 500-999"},
        {"bytes=-500", 10000, "206 9500-9999"},
        {"bytes=9500-", 10000, "206 9500-9999"},
        {"bytes=0-0,-1", 10000, "206 0-0 9999-9999"},
        {"bytes= 0-999, 4500-5499, -1000", 10000, "206 0-999 4500-5499 9000-9999"},
        {"bytes=500-600,601-999", 10000, "206 500-600 601-999"},
        {"Bytes=0-9", 100, "206 0-9"},
        {"bytes=0-99999", 100, "206 0-99"}, // clamped
        {"bytes=-500", 100, "206 0-99"},    // suffix longer than the file
        {"bytes=100-", 100, "416"},         // starts at the end
        {"bytes=200-300", 100, "416"},
        {"bytes=-0", 100, "416"},
        {"bytes=0-1", 0, "416"},                // nothing in an empty file
        {"bytes=200-300, 0-4", 100, "206 0-4"}, // the satisfiable ones only
        // Bogus fields are ignored: the whole representation is sent.
        {"bytes=5-1", 100, "ignore"},
        {"bytes=abc", 100, "ignore"},
        {"bytes=1-2-3", 100, "ignore"},
        {"bytes=+1-2", 100, "ignore"},
        {"bytes=", 100, "ignore"},
        {"items=0-5", 100, "ignore"},
        {"0-5", 100, "ignore"},
        // Positions of any length are valid: leading zeros, and values past 2^64 (saturated).
        {"bytes=0-99999999999999999999", 100, "206 0-99"},
        {"bytes=00000000000000000000000000001-2", 100, "206 1-2"},
        {"bytes=99999999999999999999-", 100, "416"},
        {"bytes=-99999999999999999999", 100, "206 0-99"},
        {"bytes=99999999999999999999-1", 100, "ignore"}, // last < first still
    };
    for (const auto& c : cases)
        EXPECT_EQ(show(parse_byte_ranges(c.field, c.size)), c.expected) << c.field;
}

TEST(Range, TooManyRangesAreIgnored) {
    std::string at = "bytes=";
    for (std::size_t i = 0; i < kMaxRanges; ++i)
        at += std::to_string(i) + "-" + std::to_string(i) + ",";
    EXPECT_EQ(parse_byte_ranges(at, 1000).ranges.size(), kMaxRanges);
    const std::string past = at + "99-99";
    EXPECT_EQ(parse_byte_ranges(past, 1000).status, RangeStatus::ignore);
}

} // namespace
} // namespace pier
