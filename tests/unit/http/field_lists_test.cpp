#include <pier/field_lists.hpp>

#include <gtest/gtest.h>

#include <iterator>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

namespace pier {
namespace {

using namespace std::string_view_literals;

static_assert(std::forward_iterator<ListElements::iterator>);
static_assert(std::ranges::forward_range<ListElements>);
static_assert(std::forward_iterator<WeightedElements::iterator>);
static_assert(std::ranges::forward_range<WeightedElements>);

std::vector<std::string> elements(std::string_view list) {
    std::vector<std::string> out;
    for (std::string_view e : list_elements(list)) out.emplace_back(e);
    return out;
}

using WeightList = std::vector<std::pair<std::string, int>>;
WeightList weights(std::string_view list) {
    WeightList out;
    for (const Weighted w : weighted_elements(list)) out.emplace_back(w.value, w.q);
    return out;
}

// ---- list elements -----------------------------------------------------------------------

TEST(ListElements, SplitsTrimsAndSkipsEmptyElements) {
    struct C {
        std::string_view list;
        std::vector<std::string> expected;
    };
    const C cases[] = {
        {"", {}},
        {std::string_view(), {}},
        {",", {}},
        {" , ,\t,", {}},
        {"a", {"a"}},
        {"a,b", {"a", "b"}},
        {" a , b ", {"a", "b"}},
        {"\ta\t,\tb\t", {"a", "b"}},
        {"a, ,b", {"a", "b"}},
        {",a,,b,", {"a", "b"}},
        {"a b, c", {"a b", "c"}}, // inner space is part of the element
        {"gzip;q=0.5, br", {"gzip;q=0.5", "br"}},
        // Commas inside quoted strings do not split.
        {"\"a,b\", c", {"\"a,b\"", "c"}},
        {"W/\"x,y\", \"z\"", {"W/\"x,y\"", "\"z\""}},
        {"a=\"x,y\";b, c", {"a=\"x,y\";b", "c"}},
        // An escaped quote does not end the quoted string; an escaped backslash does not
        // escape the quote after it.
        {"\"a\\\"b,c\", d", {"\"a\\\"b,c\"", "d"}},
        {"\"a\\\\\", b", {"\"a\\\\\"", "b"}},
        {"\"\\,\", b", {"\"\\,\"", "b"}},
        // Unterminated: the rest of the value is one element rather than a wrong split.
        {"\"unterminated, x", {"\"unterminated, x"}},
        {"a, \"open, b, c", {"a", "\"open, b, c"}},
        {"\"ends in escape\\", {"\"ends in escape\\"}},
        {"\"", {"\""}},
    };
    for (const auto& c : cases) EXPECT_EQ(elements(c.list), c.expected) << c.list;
}

TEST(ListElements, IteratorsCompareAndPostIncrement) {
    const auto list = list_elements("a, b");
    auto it = list.begin();
    EXPECT_NE(it, list.end());
    EXPECT_EQ(*it++, "a");
    EXPECT_EQ(*it, "b");
    EXPECT_EQ(++it, list.end());
    EXPECT_EQ(list_elements(" , ").begin(), list_elements(" , ").end());
    EXPECT_EQ(std::ranges::distance(list_elements("a,,b,c")), 3);
}

TEST(HasToken, MatchesWholeElementsCaseInsensitively) {
    struct C {
        std::string_view list;
        std::string_view token;
        bool expected;
    };
    const C cases[] = {
        {"close", "close", true},           {"Keep-Alive, CLOSE", "close", true},
        {"upgrade,close", "Upgrade", true}, {" , close , ", "close", true},
        {"gzip;q=1, br", "gzip", true},     {"gzip ; q=1, br", "gzip", true},
        {"chunked", "CHUNKED", true},       {"closed", "close", false},
        {"clos", "close", false},           {"\"close\"", "close", false},
        {"\"a, close\"", "close", false},   {"", "close", false},
        {"clo se", "close", false},         {"x-close", "close", false},
    };
    for (const auto& c : cases)
        EXPECT_EQ(has_token(c.list, c.token), c.expected) << c.list << " / " << c.token;
}

// ---- quoted strings ----------------------------------------------------------------------

TEST(Unquote, ResolvesQuotedPairs) {
    struct C {
        std::string_view in;
        std::string_view out;
    };
    const C cases[] = {
        {"\"\"", ""},
        {"\"abc\"", "abc"},
        {"\"a b\tc\"", "a b\tc"},
        {"\"a,b;c=d\"", "a,b;c=d"},
        {"\"a \\\"b\\\"\"", "a \"b\""},
        {"\"back\\\\slash\"", "back\\slash"},
        {"\"caf\xc3\xa9\"", "caf\xc3\xa9"}, // obs-text
        {"\"\\x\"", "x"},
        {"\"\\ \\\t\"", " \t"}, // quoted-pair allows SP and HTAB
        {"\"\\\xe9\"", "\xe9"}, // and obs-text
        {"\"\\\"\"", "\""},
    };
    for (const auto& c : cases) {
        const auto r = unquote(c.in);
        ASSERT_TRUE(r) << c.in << ": " << to_string(r.error());
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
        {" \"abc\"", QuotedStringError::not_quoted},
        {"\"a\"b", QuotedStringError::not_quoted}, // text after the closing quote
        {"\"a\" ", QuotedStringError::not_quoted},
        {"\"a\"\"b\"", QuotedStringError::not_quoted},
        {"\"", QuotedStringError::unterminated},
        {"\"abc", QuotedStringError::unterminated},
        {"\"abc\\\"", QuotedStringError::unterminated}, // the closing quote is escaped
        {"\"a\\", QuotedStringError::unterminated},
        {"\"a\\\x01\"", QuotedStringError::bad_escape},
        {"\"a\\\n\"", QuotedStringError::bad_escape},
        {"\"a\\\0\""sv, QuotedStringError::bad_escape},
        {"\"a\\\x7f\"", QuotedStringError::bad_escape},
        {"\"a\x01\"", QuotedStringError::invalid_character},
        {"\"a\rb\"", QuotedStringError::invalid_character},
        {"\"a\nb\"", QuotedStringError::invalid_character},
        {"\"a\0b\""sv, QuotedStringError::invalid_character},
        {"\"a\x7f\"", QuotedStringError::invalid_character},
    };
    for (const auto& c : cases) {
        const auto r = unquote(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in << ": " << to_string(r.error());
    }
}

// ---- weights -----------------------------------------------------------------------------

TEST(Qvalue, ParsesThousandths) {
    struct C {
        std::string_view in;
        std::uint16_t q;
    };
    const C cases[] = {
        {"0", 0},       {"1", 1000},    {"0.5", 500},  {"0.05", 50},   {"0.001", 1},
        {"0.999", 999}, {"0.123", 123}, {"1.0", 1000}, {"1.00", 1000}, {"1.000", 1000},
        {"1.", 1000},   {"0.", 0},      {"0.000", 0},  {"0.12", 120},
    };
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
        {"0.1234", QvalueError::malformed}, // four decimals: one past the limit
        {"1.0000", QvalueError::malformed},   {"0,5", QvalueError::malformed},
        {"0.5x", QvalueError::malformed},     {"0.x", QvalueError::malformed},
        {"-1", QvalueError::malformed},       {"+1", QvalueError::malformed},
        {" 1", QvalueError::malformed},       {"1 ", QvalueError::malformed},
        {"00", QvalueError::malformed},       {"10", QvalueError::malformed},
        {"\"1\"", QvalueError::malformed},    {"1.5", QvalueError::out_of_range},
        {"1.001", QvalueError::out_of_range}, // one past 1.000
        {"1.1", QvalueError::out_of_range},   {"2", QvalueError::out_of_range},
        {"9.999", QvalueError::out_of_range},
    };
    for (const auto& c : cases) {
        const auto r = parse_qvalue(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in << ": " << to_string(r.error());
    }
    EXPECT_NE(to_string(QvalueError::malformed), to_string(QvalueError::out_of_range));
}

TEST(Weighted, ValuesAndWeightsSkippingMalformedElements) {
    struct C {
        std::string_view list;
        WeightList expected;
    };
    const C cases[] = {
        {"", {}},
        {"gzip", {{"gzip", 1000}}},
        {"gzip;q=0.8, br, *;q=0", {{"gzip", 800}, {"br", 1000}, {"*", 0}}},
        // Parameter names fold case; whitespace around ';' and '=' is tolerated.
        {"br ; Q=0.5", {{"br", 500}}},
        {"br;q = 0.5", {{"br", 500}}},
        {"br\t;\tq=0.5\t", {{"br", 500}}},
        // Other parameters are passed over, wherever they stand.
        {"zstd;level=3;q=0.1", {{"zstd", 100}}},
        {"zstd;q=0.1;level=3", {{"zstd", 100}}},
        {"text/html;charset=utf-8", {{"text/html", 1000}}},
        {"a;flag;q=0.2", {{"a", 200}}},
        {"a;qq=0.2", {{"a", 1000}}},
        // A ';' or ',' inside a quoted parameter value splits nothing.
        {"a;x=\";q=0\";q=0.3, b", {{"a", 300}, {"b", 1000}}},
        {"a;x=\"1,q=0\", b;q=0", {{"a", 1000}, {"b", 0}}},
        // The last q counts.
        {"a;q=0.1;q=0.9", {{"a", 900}}},
        // Malformed elements are skipped; their neighbours stay.
        {"deflate;q=bad, br", {{"br", 1000}}},
        {"gzip;q=2, br;q=0.5", {{"br", 500}}},
        {"gzip;q=, br", {{"br", 1000}}},
        {"gzip;q=\"0.5\", br", {{"br", 1000}}},
        {"gzip;q=0.5;q=x, br", {{"br", 1000}}},
        {";q=1, br", {{"br", 1000}}},
        {"  ;  , br", {{"br", 1000}}},
        {"a;q=bad", {}},
    };
    for (const auto& c : cases) EXPECT_EQ(weights(c.list), c.expected) << c.list;
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
        {"gzip", "GZip", 1000},
        {"x-gzip", "gzip", 1000},
        {"X-GZIP;q=0.3", "gzip", 300},
        {"gzip", "x-gzip", 1000},
        {"*", "br", 1000},
        {"*;q=0.2, br;q=0.9", "br", 900},
        {"br;q=0.9, *;q=0.2", "br", 900},
        {"*;q=0.2, br;q=0.9", "gzip", 200},
        {"br;q=0", "br", 0},
        {"br;q=0, *", "br", 0},                  // the explicit entry wins over *
        {"gzip;q=0.5, gzip;q=0.9", "gzip", 500}, // the first explicit entry counts
        {"gzip;q=x, *;q=0.1", "gzip", 100},      // a malformed entry falls back to *
        {"gzip;q=nonsense", "gzip", 0},
        {"", "gzip", 0},        // empty: no coding wanted…
        {"", "identity", 1000}, // …except none at all
        {"gzip", "identity", 1000},
        {"IDENTITY;q=0", "identity", 0},
        {"identity;q=0.5", "identity", 500},
        {"*;q=0", "identity", 0},
        {"*;q=0.5", "identity", 500},
        {"*;q=0, identity;q=0.5", "identity", 500},
        {"identity;q=0, *", "identity", 0},
        {"gzip, \"br\"", "br", 0}, // a quoted string names no coding
    };
    for (const auto& c : cases)
        EXPECT_EQ(accept_encoding_quality(c.header, c.coding), c.q)
            << c.header << " / " << c.coding;
}

} // namespace
} // namespace pier
