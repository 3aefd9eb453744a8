#include <pier/media_type.hpp>

#include <gtest/gtest.h>

namespace pier {
namespace {

using namespace std::string_view_literals;

TEST(MediaType, EquivalentSpellingsParseTheSame) {
    for (std::string_view in : {"text/html;charset=utf-8"sv, "Text/HTML;Charset=\"utf-8\""sv,
                                "text/html; charset=\"utf-8\""sv, "text/html;charset=UTF-8"sv,
                                "  text/html ;\tcharset=utf-8  "sv}) {
        const auto mt = parse_media_type(in);
        ASSERT_TRUE(mt) << in << ": " << to_string(mt.error());
        EXPECT_EQ(mt->type, "text") << in;
        EXPECT_EQ(mt->subtype, "html") << in;
        EXPECT_EQ(mt->charset(), "utf-8") << in;
        EXPECT_EQ(mt->to_string(), "text/html;charset=utf-8") << in;
    }
}

TEST(MediaType, QuotedParametersAndEmptyOnes) {
    const auto mt = parse_media_type("multipart/form-data; boundary=\"a b\\\"c;d\"; ;x=1;");
    ASSERT_TRUE(mt) << to_string(mt.error());
    EXPECT_EQ(mt->parameter("BOUNDARY"), "a b\"c;d");
    EXPECT_EQ(mt->parameter("x"), "1");
    EXPECT_FALSE(mt->parameter("missing").has_value());
    EXPECT_EQ(mt->to_string(), "multipart/form-data;boundary=\"a b\\\"c;d\";x=1");
    const auto again = parse_media_type(mt->to_string());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->parameter("boundary"), "a b\"c;d");
    // The first of duplicated parameters counts.
    EXPECT_EQ(parse_media_type("a/b;p=1;P=2")->parameter("p"), "1");
    EXPECT_EQ(parse_media_type("a/b;e=\"\"")->to_string(), "a/b;e=\"\"");
}

TEST(MediaType, Matching) {
    const auto mt = *parse_media_type("text/html");
    EXPECT_TRUE(mt.matches("text", "html"));
    EXPECT_TRUE(mt.matches("TEXT", "*"));
    EXPECT_TRUE(mt.matches("*", "*"));
    EXPECT_FALSE(mt.matches("text", "plain"));
    EXPECT_FALSE(mt.matches("image", "*"));
    EXPECT_TRUE(parse_media_type("*/*")->matches("application", "json"));
}

TEST(MediaType, SpecificErrors) {
    struct C {
        std::string_view in;
        MediaTypeError error;
    };
    const C cases[] = {
        {"", MediaTypeError::empty},
        {"   ", MediaTypeError::empty},
        {"/html", MediaTypeError::bad_type},
        {"te(xt/html", MediaTypeError::bad_type},
        {"text", MediaTypeError::missing_slash},
        {"text html", MediaTypeError::missing_slash},
        {"text;charset=x", MediaTypeError::missing_slash},
        {"text/", MediaTypeError::bad_subtype},
        {"text/;a=b", MediaTypeError::bad_subtype},
        {"text/html;=x", MediaTypeError::bad_parameter_name},
        {"text/html;(a=b", MediaTypeError::bad_parameter_name},
        {"text/html;charset", MediaTypeError::missing_equals},
        {"text/html;charset =utf-8", MediaTypeError::missing_equals},
        {"text/html;charset= utf-8", MediaTypeError::bad_parameter_value},
        {"text/html;charset=", MediaTypeError::bad_parameter_value},
        {"text/html;charset=\"utf-8", MediaTypeError::bad_parameter_value},
        {"text/html;charset=\"a\x01\"", MediaTypeError::bad_parameter_value},
        {"text/html x", MediaTypeError::trailing_characters},
        {"text/html;a=b c", MediaTypeError::trailing_characters},
    };
    for (const auto& c : cases) {
        const auto r = parse_media_type(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in << ": " << to_string(r.error());
    }
}

} // namespace
} // namespace pier
