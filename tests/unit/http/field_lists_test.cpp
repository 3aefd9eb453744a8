#include <pier/field_lists.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pier {
namespace {

using namespace std::string_view_literals;

std::vector<std::string> elements(std::string_view list) {
    std::vector<std::string> out;
    for (std::string_view e : list_elements(list)) out.emplace_back(e);
    return out;
}

TEST(ListElements, SplitsTrimsAndSkipsEmptyElements) {
    struct C {
        std::string_view list;
        std::vector<std::string> expected;
    };
    const C cases[] = {
        {"", {}},
        {" , ,\t,", {}},
        {"a", {"a"}},
        {"a,b", {"a", "b"}},
        {" a , b ", {"a", "b"}},
        {"a, ,b", {"a", "b"}},
        {",a,,b,", {"a", "b"}},
        {"gzip;q=0.5, br", {"gzip;q=0.5", "br"}},
        {"\"a,b\", c", {"\"a,b\"", "c"}},
        {"W/\"x,y\", \"z\"", {"W/\"x,y\"", "\"z\""}},
        {"\"a\\\"b,c\", d", {"\"a\\\"b,c\"", "d"}},
        {"\"unterminated, x", {"\"unterminated, x"}},
        {"\"ends in escape\\", {"\"ends in escape\\"}},
    };
    for (const auto& c : cases) EXPECT_EQ(elements(c.list), c.expected) << c.list;
}

TEST(ListElements, HasToken) {
    EXPECT_TRUE(has_token("close", "close"));
    EXPECT_TRUE(has_token("Keep-Alive, CLOSE", "close"));
    EXPECT_TRUE(has_token("upgrade,close", "Upgrade"));
    EXPECT_TRUE(has_token("gzip;q=1, br", "gzip"));
    EXPECT_FALSE(has_token("closed", "close"));
    EXPECT_FALSE(has_token("\"close\"", "close"));
    EXPECT_FALSE(has_token("", "close"));
    EXPECT_FALSE(has_token("clo se", "close"));
}

TEST(Unquote, ResolvesQuotedPairs) {
    struct C {
        std::string_view in;
        std::string_view out;
    };
    const C cases[] = {
        {"\"\"", ""},
        {"\"abc\"", "abc"},
        {"\"a b\tc\"", "a b\tc"},
        {"\"a \\\"b\\\"\"", "a \"b\""},
        {"\"back\\\\slash\"", "back\\slash"},
        {"\"caf\xc3\xa9\"", "caf\xc3\xa9"},
        {"\"\\x\"", "x"},
    };
    for (const auto& c : cases) {
        const auto r = unquote(c.in);
        ASSERT_TRUE(r) << c.in;
        EXPECT_EQ(*r, c.out) << c.in;
    }
}

TEST(Unquote, SpecificErrors) {
    struct C {
        std::string_view in;
        QuotedStringError error;
    };
    const C cases[] = {
        {"", QuotedStringError::not_quoted},
        {"abc", QuotedStringError::not_quoted},
        {"abc\"", QuotedStringError::not_quoted},
        {"\"a\"b", QuotedStringError::not_quoted},
        {"\"", QuotedStringError::unterminated},
        {"\"abc", QuotedStringError::unterminated},
        {"\"abc\\\"", QuotedStringError::unterminated},
        {"\"a\\", QuotedStringError::unterminated},
        {"\"a\\\x01\"", QuotedStringError::bad_escape},
        {"\"a\\\n\"", QuotedStringError::bad_escape},
        {"\"a\x01\"", QuotedStringError::invalid_character},
        {"\"a\rb\"", QuotedStringError::invalid_character},
        {"\"a\0b\""sv, QuotedStringError::invalid_character},
        {"\"a\x7f\"", QuotedStringError::invalid_character},
    };
    for (const auto& c : cases) {
        const auto r = unquote(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in << ": " << to_string(r.error());
    }
}

TEST(Qvalue, ParsesThousandths) {
    struct C {
        std::string_view in;
        std::uint16_t q;
    };
    const C cases[] = {{"0", 0},     {"1", 1000},    {"0.5", 500},  {"0.05", 50},
                       {"0.001", 1}, {"0.999", 999}, {"1.0", 1000}, {"1.000", 1000},
                       {"1.", 1000}, {"0.", 0},      {"0.000", 0},  {"0.12", 120}};
    for (const auto& c : cases) {
        const auto r = parse_qvalue(c.in);
        ASSERT_TRUE(r) << c.in;
        EXPECT_EQ(*r, c.q) << c.in;
    }
}

TEST(Qvalue, SpecificErrors) {
    struct C {
        std::string_view in;
        QvalueError error;
    };
    const C cases[] = {
        {"", QvalueError::malformed},         {".5", QvalueError::malformed},
        {"0.1234", QvalueError::malformed},   {"0,5", QvalueError::malformed},
        {"0.5x", QvalueError::malformed},     {"-1", QvalueError::malformed},
        {" 1", QvalueError::malformed},       {"1.5", QvalueError::out_of_range},
        {"1.001", QvalueError::out_of_range}, {"2", QvalueError::out_of_range},
        {"10", QvalueError::malformed},
    };
    for (const auto& c : cases) {
        const auto r = parse_qvalue(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in;
    }
}

TEST(Weighted, IteratesValuesAndWeightsSkippingMalformedOnes) {
    std::vector<std::pair<std::string, int>> got;
    for_each_weighted("gzip;q=0.8, br ; Q=1 , deflate;q=bad, zstd;level=3;q=0.1, *;q=0, ;q=1",
                      [&](const Weighted& w) { got.emplace_back(w.value, w.q); });
    const std::vector<std::pair<std::string, int>> expected = {
        {"gzip", 800}, {"br", 1000}, {"zstd", 100}, {"*", 0}};
    EXPECT_EQ(got, expected);
}

TEST(AcceptEncoding, QualityPerRfc9110Section12_5_3) {
    struct C {
        std::string_view header;
        std::string_view coding;
        std::uint16_t q;
    };
    const C cases[] = {
        {"gzip, br", "br", 1000},
        {"gzip, br", "zstd", 0},
        {"gzip;q=0.5", "gzip", 500},
        {"GZIP", "gzip", 1000},
        {"x-gzip", "gzip", 1000},
        {"gzip", "x-gzip", 1000},
        {"*", "br", 1000},
        {"*;q=0.2, br;q=0.9", "br", 900},
        {"*;q=0.2, br;q=0.9", "gzip", 200},
        {"br;q=0", "br", 0},
        {"", "gzip", 0},
        {"", "identity", 1000},
        {"gzip", "identity", 1000},
        {"identity;q=0", "identity", 0},
        {"*;q=0", "identity", 0},
        {"*;q=0, identity;q=0.5", "identity", 500},
        {"gzip;q=nonsense", "gzip", 0},
    };
    for (const auto& c : cases)
        EXPECT_EQ(accept_encoding_quality(c.header, c.coding), c.q)
            << c.header << " / " << c.coding;
}

} // namespace
} // namespace pier
