#include <pier/etag.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <limits>
#include <ranges>
#include <string>
#include <vector>

namespace pier {
namespace {

using namespace std::string_view_literals;

static_assert(std::forward_iterator<EntityTagList::iterator>);
static_assert(std::ranges::forward_range<EntityTagList>);

bool within(std::string_view inner, std::string_view outer) {
    return inner.data() >= outer.data() &&
           inner.data() + inner.size() <= outer.data() + outer.size();
}

TEST(EntityTag, Parses) {
    struct C {
        std::string_view in;
        bool weak;
        std::string_view opaque;
    };
    const C cases[] = {
        {"\"xyzzy\"", false, "xyzzy"},
        {"W/\"xyzzy\"", true, "xyzzy"},
        {"\"\"", false, ""},
        {"W/\"\"", true, ""},
        {"\"W/\"", false, "W/"},
        {"\"a,b\"", false, "a,b"},
        // etagc = %x21 / %x23-7E / obs-text: the edges of each range.
        {"\"!#~\"", false, "!#~"},
        {"\"\x80\xc3\xa9\xff\"", false, "\x80\xc3\xa9\xff"},
        // No escaping in an entity-tag: the backslash is the tag's last byte.
        {"\"a\\\"", false, "a\\"},
        {"W/\"\\\\\"", true, "\\\\"},
    };
    for (const auto& c : cases) {
        const auto tag = parse_entity_tag(c.in);
        ASSERT_TRUE(tag) << c.in << ": " << to_string(tag.error());
        EXPECT_EQ(tag->weak, c.weak) << c.in;
        EXPECT_EQ(tag->opaque, c.opaque) << c.in;
        EXPECT_TRUE(within(tag->opaque, c.in)) << c.in;
        EXPECT_EQ(to_string(*tag), c.in); // one spelling per tag
    }
}

TEST(EntityTag, SpecificErrors) {
    struct C {
        std::string_view in;
        EntityTagError error;
    };
    const C cases[] = {
        {"", EntityTagError::empty},
        {"xyzzy", EntityTagError::missing_quote},
        {"*", EntityTagError::missing_quote},
        {"w/\"x\"", EntityTagError::missing_quote}, // "W/" is case-sensitive
        {"W/x", EntityTagError::missing_quote},
        {"W/", EntityTagError::missing_quote},
        {"W", EntityTagError::missing_quote},
        {"W/W/\"x\"", EntityTagError::missing_quote},
        {" \"x\"", EntityTagError::missing_quote},
        {"W/ \"x\"", EntityTagError::missing_quote},
        {"'x'", EntityTagError::missing_quote},
        {"\"x y\"", EntityTagError::invalid_character},
        {"\"x\ty\"", EntityTagError::invalid_character},
        {"\"x\x01\"", EntityTagError::invalid_character},
        {"\"x\x7f\"", EntityTagError::invalid_character},
        {"\"x\0\""sv, EntityTagError::invalid_character},
        {"\"x\r\n\"", EntityTagError::invalid_character},
        {"\"", EntityTagError::unterminated},
        {"\"x", EntityTagError::unterminated},
        {"W/\"x", EntityTagError::unterminated},
        {"\"x\"y", EntityTagError::trailing_characters},
        {"\"x\" ", EntityTagError::trailing_characters},
        {"\"x\"\"", EntityTagError::trailing_characters},
        {"\"a\", \"b\"", EntityTagError::trailing_characters},
    };
    for (const auto& c : cases) {
        const auto r = parse_entity_tag(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in << ": " << to_string(r.error());
    }
}

// RFC 9110 §8.8.3.2, the comparison table (and each row reversed).
TEST(EntityTag, Rfc9110ComparisonTable) {
    struct C {
        std::string_view a, b;
        bool strong, weak;
    };
    const C table[] = {
        {"W/\"1\"", "W/\"1\"", false, true}, {"W/\"1\"", "W/\"2\"", false, false},
        {"W/\"1\"", "\"1\"", false, true},   {"\"1\"", "\"1\"", true, true},
        {"\"1\"", "\"2\"", false, false},    {"\"1\"", "\"10\"", false, false},
        {"\"\"", "\"\"", true, true},
    };
    for (const auto& c : table) {
        const auto a = *parse_entity_tag(c.a);
        const auto b = *parse_entity_tag(c.b);
        EXPECT_EQ(strong_match(a, b), c.strong) << c.a << " vs " << c.b;
        EXPECT_EQ(weak_match(a, b), c.weak) << c.a << " vs " << c.b;
        EXPECT_EQ(strong_match(b, a), c.strong) << c.b << " vs " << c.a;
        EXPECT_EQ(weak_match(b, a), c.weak) << c.b << " vs " << c.a;
    }
}

std::vector<std::string> tags_of(std::string_view list) {
    std::vector<std::string> out;
    for (const auto tag : entity_tags(list)) {
        if (!tag) {
            out.push_back("error: " + std::string(to_string(tag.error())));
            continue; // the iteration must end by itself
        }
        EXPECT_TRUE(within(tag->opaque, list)) << list;
        out.push_back(to_string(*tag));
    }
    return out;
}

TEST(EntityTagList, YieldsEachTagAndStopsAtTheFirstError) {
    struct C {
        std::string_view list;
        std::vector<std::string> expected;
    };
    const std::string bad_list = "error: " + std::string(to_string(EntityTagError::bad_list));
    const std::string no_quote = "error: " + std::string(to_string(EntityTagError::missing_quote));
    const std::string open = "error: " + std::string(to_string(EntityTagError::unterminated));
    const C cases[] = {
        {"", {}},
        {std::string_view(), {}},
        {" , ,\t,", {}},
        {"\"a\"", {"\"a\""}},
        {"\"a\",W/\"b\"", {"\"a\"", "W/\"b\""}},
        {" \"a\" , , W/\"b\" ,", {"\"a\"", "W/\"b\""}},
        {",,\"a\",,", {"\"a\""}},
        {"\"a,b\", \"c\"", {"\"a,b\"", "\"c\""}},
        // A backslash does not escape: `"a\"` ends at its second quote.
        {"\"a\\\", \"b\"", {"\"a\\\"", "\"b\""}},
        {"\"a\" \"b\", \"c\"", {bad_list}},
        {"\"a\"x", {bad_list}},
        {"\"a\", W/\"b\" ;q=1, \"c\"", {"\"a\"", bad_list}},
        {"\"a\", *", {"\"a\"", no_quote}},
        {"\"a\", b, \"c\"", {"\"a\"", no_quote}},
        {"\"a\", \"b", {"\"a\"", open}},
    };
    for (const auto& c : cases) EXPECT_EQ(tags_of(c.list), c.expected) << c.list;
}

TEST(EntityTagList, IteratorsCompareByPosition) {
    const auto list = entity_tags("\"a\", \"b\"");
    auto it = list.begin();
    EXPECT_EQ(it, list.begin());
    EXPECT_NE(it, list.end());
    const auto first = it++;
    EXPECT_EQ((*first)->opaque, "a");
    EXPECT_EQ((*it)->opaque, "b");
    EXPECT_NE(first, it);
    EXPECT_EQ(++it, list.end());
    EXPECT_EQ(std::ranges::distance(entity_tags("\"a\", \"b\", \"c\"")), 3);
}

TEST(EtagListMatches, StarAndListsForIfMatchAndIfNoneMatch) {
    const EntityTag current{false, "v2"};
    const EntityTag current_weak{true, "v2"};
    struct C {
        std::string_view list;
        const EntityTag& current;
        EtagComparison comparison;
        bool matches;
    };
    const C cases[] = {
        {"*", current, EtagComparison::strong, true},
        {" *\t", current, EtagComparison::weak, true},
        {"*", current_weak, EtagComparison::strong, true}, // "*" asks only that it exists
        {"\"v2\"", current, EtagComparison::strong, true},
        {"\"v1\", \"v2\"", current, EtagComparison::strong, true},
        {"\"v2\", \"v1\"", current, EtagComparison::strong, true},
        {"\"v1\", , \"v3\"", current, EtagComparison::strong, false},
        {"\"v1\", , \"v2\"", current, EtagComparison::strong, true},
        {"W/\"v2\"", current, EtagComparison::strong, false},
        {"W/\"v2\"", current, EtagComparison::weak, true},
        {"\"v2\"", current_weak, EtagComparison::strong, false},
        {"\"v2\"", current_weak, EtagComparison::weak, true},
        {"W/\"v2\"", current_weak, EtagComparison::weak, true},
        {"\"V2\"", current, EtagComparison::weak, false},    // opaque tags are case-sensitive
        {"\"v1,v2\"", current, EtagComparison::weak, false}, // one tag with a comma in it
        {"\"v1,v2\", \"v2\"", current, EtagComparison::weak, true},
        {"\"v\\\", \"v2\"", current, EtagComparison::weak, true},
    };
    for (const auto& c : cases) {
        const auto r = etag_list_matches(c.list, c.current, c.comparison);
        ASSERT_TRUE(r) << c.list << ": " << to_string(r.error());
        EXPECT_EQ(*r, c.matches) << c.list;
    }
}

TEST(EtagListMatches, MalformedListsAreSpecificErrors) {
    const EntityTag current{false, "v2"};
    struct C {
        std::string_view list;
        EntityTagError error;
    };
    const C cases[] = {
        {"", EntityTagError::empty},
        {" , ,", EntityTagError::empty},
        {"v2", EntityTagError::missing_quote},
        {"\"v1\", *", EntityTagError::missing_quote},
        {"*, \"v1\"", EntityTagError::missing_quote},
        {"**", EntityTagError::missing_quote},
        {"w/\"v2\"", EntityTagError::missing_quote},
        {"\"v 2\"", EntityTagError::invalid_character},
        {"\"v1", EntityTagError::unterminated},
        {"\"v1\" \"v2\"", EntityTagError::bad_list},
        {"\"v1\";\"v2\"", EntityTagError::bad_list},
        // A match before the fault does not hide it.
        {"\"v2\", \"v1", EntityTagError::unterminated},
        {"\"v2\", junk", EntityTagError::missing_quote},
    };
    for (const auto& c : cases) {
        for (const auto comparison : {EtagComparison::strong, EtagComparison::weak}) {
            const auto r = etag_list_matches(c.list, current, comparison);
            ASSERT_FALSE(r) << c.list;
            EXPECT_EQ(r.error(), c.error) << c.list << ": " << to_string(r.error());
        }
    }
}

TEST(EntityTag, FileTags) {
    constexpr auto max64 = std::numeric_limits<std::uint64_t>::max();
    struct C {
        std::uint64_t size;
        std::int64_t mtime_ns;
        std::uint64_t inode;
        std::string_view expected;
    };
    const C cases[] = {
        {13, 1700000000123456789, 42, "\"2a-17979cfe3d85cd15-d\""},
        {0, 0, 0, "\"0-0-0\""},
        {max64, std::numeric_limits<std::int64_t>::max(), max64,
         "\"ffffffffffffffff-7fffffffffffffff-ffffffffffffffff\""},
        {1, -1, 1, "\"1-ffffffffffffffff-1\""}, // before 1970
        {1, std::numeric_limits<std::int64_t>::min(), 1, "\"1-8000000000000000-1\""},
    };
    for (const auto& c : cases) {
        const std::string tag = make_file_etag(c.size, c.mtime_ns, c.inode);
        EXPECT_EQ(tag, c.expected);
        const auto parsed = parse_entity_tag(tag);
        ASSERT_TRUE(parsed) << tag; // a valid strong entity-tag
        EXPECT_FALSE(parsed->weak) << tag;
    }
}

TEST(EntityTag, FileTagsChangeWithEachInput) {
    const std::string base = make_file_etag(13, 1700000000123456789, 42);
    EXPECT_NE(make_file_etag(14, 1700000000123456789, 42), base);
    EXPECT_NE(make_file_etag(13, 1700000000123456790, 42), base);
    EXPECT_NE(make_file_etag(13, 1700000000123456789, 43), base);
    // The dashes keep the fields apart: inode 1 with mtime 0x23 is not inode 0x12 with mtime 3.
    EXPECT_NE(make_file_etag(5, 0x23, 1), make_file_etag(5, 3, 0x12));
}

TEST(EntityTag, EveryErrorHasAMessage) {
    for (int e = 0; e <= static_cast<int>(EntityTagError::bad_list); ++e) {
        const auto message = to_string(static_cast<EntityTagError>(e));
        EXPECT_FALSE(message.empty()) << e;
        EXPECT_NE(message, "unknown entity-tag error") << e;
    }
}

} // namespace
} // namespace pier
