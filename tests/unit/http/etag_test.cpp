#include <pier/etag.hpp>

#include <gtest/gtest.h>

namespace pier {
namespace {

using namespace std::string_view_literals;

TEST(EntityTag, Parses) {
    const auto strong = parse_entity_tag("\"xyzzy\"");
    ASSERT_TRUE(strong);
    EXPECT_FALSE(strong->weak);
    EXPECT_EQ(strong->opaque, "xyzzy");
    const auto weak = parse_entity_tag("W/\"xyzzy\"");
    ASSERT_TRUE(weak);
    EXPECT_TRUE(weak->weak);
    EXPECT_EQ(to_string(*weak), "W/\"xyzzy\"");
    EXPECT_EQ(parse_entity_tag("\"\"")->opaque, "");
    EXPECT_EQ(parse_entity_tag("\"a,b!#\xc3\xa9\"")->opaque, "a,b!#\xc3\xa9");
}

TEST(EntityTag, SpecificErrors) {
    struct C {
        std::string_view in;
        EntityTagError error;
    };
    const C cases[] = {
        {"", EntityTagError::empty},
        {"xyzzy", EntityTagError::missing_quote},
        {"w/\"x\"", EntityTagError::missing_quote},
        {"W/x", EntityTagError::missing_quote},
        {"W/", EntityTagError::missing_quote},
        {"\"x y\"", EntityTagError::invalid_character},
        {"\"x\x01\"", EntityTagError::invalid_character},
        {"\"x\x7f\"", EntityTagError::invalid_character},
        {"\"x", EntityTagError::unterminated},
        {"\"x\"y", EntityTagError::trailing_characters},
        {"\"x\" ", EntityTagError::trailing_characters},
    };
    for (const auto& c : cases) {
        const auto r = parse_entity_tag(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in << ": " << to_string(r.error());
    }
}

// RFC 9110 §8.8.3.2, the comparison table.
TEST(EntityTag, Rfc9110ComparisonTable) {
    struct C {
        std::string_view a, b;
        bool strong, weak;
    };
    const C table[] = {
        {"W/\"1\"", "W/\"1\"", false, true},
        {"W/\"1\"", "W/\"2\"", false, false},
        {"W/\"1\"", "\"1\"", false, true},
        {"\"1\"", "\"1\"", true, true},
    };
    for (const auto& c : table) {
        const auto a = *parse_entity_tag(c.a);
        const auto b = *parse_entity_tag(c.b);
        EXPECT_EQ(strong_match(a, b), c.strong) << c.a << " vs " << c.b;
        EXPECT_EQ(weak_match(a, b), c.weak) << c.a << " vs " << c.b;
    }
}

TEST(EntityTag, ListsForIfMatchAndIfNoneMatch) {
    const EntityTag current{false, "v2"};
    struct C {
        std::string_view list;
        EtagComparison cmp;
        bool matches;
    };
    const C cases[] = {
        {"*", EtagComparison::strong, true},
        {" * ", EtagComparison::weak, true},
        {"\"v1\", \"v2\"", EtagComparison::strong, true},
        {"\"v1\", , \"v3\"", EtagComparison::strong, false},
        {"W/\"v2\"", EtagComparison::strong, false},
        {"W/\"v2\"", EtagComparison::weak, true},
        {"\"v1,v2\"", EtagComparison::weak, false}, // one tag with a comma in it
        {"\"v1,v2\", \"v2\"", EtagComparison::weak, true},
    };
    for (const auto& c : cases) {
        const auto r = etag_list_matches(c.list, current, c.cmp);
        ASSERT_TRUE(r) << c.list;
        EXPECT_EQ(*r, c.matches) << c.list;
    }
    for (std::string_view bad :
         {""sv, " , "sv, "v2"sv, "\"v1\" \"v2\""sv, "\"v1\", *"sv, "\"v1"sv}) {
        const auto r = etag_list_matches(bad, current, EtagComparison::weak);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error(), EntityTagError::bad_list) << bad;
    }
}

TEST(EntityTag, FileTagsChangeWithEachInput) {
    const std::string base = make_file_etag(13, 1700000000123456789, 42);
    EXPECT_EQ(base, "\"2a-17979cfe3d85cd15-d\"");
    EXPECT_NE(make_file_etag(14, 1700000000123456789, 42), base);
    EXPECT_NE(make_file_etag(13, 1700000000123456790, 42), base);
    EXPECT_NE(make_file_etag(13, 1700000000123456789, 43), base);
    const auto parsed = parse_entity_tag(base);
    ASSERT_TRUE(parsed); // a valid strong entity-tag
    EXPECT_FALSE(parsed->weak);
}

} // namespace
} // namespace pier
