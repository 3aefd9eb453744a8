#include <pier/media_type.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace pier {
namespace {

using namespace std::string_view_literals;
using Parameters = std::vector<std::pair<std::string, std::string>>;

// RFC 9110 §8.3.1: "the following examples are all equivalent".
TEST(MediaType, Rfc9110EquivalentSpellingsParseTheSame) {
    const MediaType expected{"text", "html", {{"charset", "utf-8"}}};
    for (std::string_view in :
         {"text/html;charset=utf-8"sv, "Text/HTML;Charset=\"utf-8\""sv,
          "text/html; charset=\"utf-8\""sv, "text/html;charset=UTF-8"sv,
          "  text/html ;\tcharset=utf-8  "sv, "TEXT/html;CHARSET=\"UTF-8\";"sv}) {
        const auto mt = parse_media_type(in);
        ASSERT_TRUE(mt) << in << ": " << to_string(mt.error());
        EXPECT_EQ(*mt, expected) << in;
        EXPECT_EQ(mt->charset(), "utf-8") << in;
        EXPECT_EQ(mt->to_string(), "text/html;charset=utf-8") << in;
    }
}

TEST(MediaType, ParsesTheGrammar) {
    struct C {
        std::string_view in;
        std::string_view type, subtype;
        Parameters parameters;
    };
    const C cases[] = {
        {"text/plain", "text", "plain", {}},
        {"*/*", "*", "*", {}},
        {"text/*", "text", "*", {}},
        {"application/vnd.api+json", "application", "vnd.api+json", {}},
        {"a!#$%&'*+-.^_`|~z/b!#$%&'*+-.^_`|~z", "a!#$%&'*+-.^_`|~z", "b!#$%&'*+-.^_`|~z", {}},
        // OWS around the whole value and around ";" (RFC 9110 §5.6.6).
        {" \t a/b \t ", "a", "b", {}},
        {"a/b \t; \tc=d \t;\te=f", "a", "b", {{"c", "d"}, {"e", "f"}}},
        // Empty parameters: *( OWS ";" OWS [ parameter ] ).
        {"a/b;", "a", "b", {}},
        {"a/b ; ", "a", "b", {}},
        {"a/b;;c=d", "a", "b", {{"c", "d"}}},
        {"a/b; ; ;c=d;;", "a", "b", {{"c", "d"}}},
        // Values keep their case; names do not. Only charset's value is lower-cased.
        {"A/B;Name=VaLuE", "a", "b", {{"name", "VaLuE"}}},
        {"a/b;CharSet=ISO-8859-1", "a", "b", {{"charset", "iso-8859-1"}}},
        {"a/b;charset=\"Big5 X\"", "a", "b", {{"charset", "big5 x"}}},
        // Quoted values: delimiters, whitespace, obs-text, escapes (RFC 9110 §5.6.4).
        {"a/b;c=\"\"", "a", "b", {{"c", ""}}},
        {"a/b;c=\"x;y,z=w/v\"", "a", "b", {{"c", "x;y,z=w/v"}}},
        {"a/b;c=\" \tx \"", "a", "b", {{"c", " \tx "}}},
        {"a/b;c=\"\xc3\xa9\x80\xff\"", "a", "b", {{"c", "\xc3\xa9\x80\xff"}}},
        {"a/b;c=\"\\\"\"", "a", "b", {{"c", "\""}}},
        {"a/b;c=\"\\\\\"", "a", "b", {{"c", "\\"}}},
        {"a/b;c=\"\\a\\ \\\t\\\xff\"", "a", "b", {{"c", "a \t\xff"}}},
        {"a/b;c=\"x\"  ;d=e", "a", "b", {{"c", "x"}, {"d", "e"}}},
        {"multipart/form-data; boundary=\"----=_Part \\\"7\\\\\"",
         "multipart",
         "form-data",
         {{"boundary", "----=_Part \"7\\"}}},
        {"multipart/form-data;boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
         "multipart",
         "form-data",
         {{"boundary", "----WebKitFormBoundary7MA4YWxkTrZu0gW"}}},
    };
    for (const auto& c : cases) {
        const auto mt = parse_media_type(c.in);
        ASSERT_TRUE(mt) << c.in << ": " << to_string(mt.error());
        EXPECT_EQ(mt->type, c.type) << c.in;
        EXPECT_EQ(mt->subtype, c.subtype) << c.in;
        EXPECT_EQ(mt->parameters, c.parameters) << c.in;
    }
}

TEST(MediaType, SerialisesCanonically) {
    struct C {
        std::string_view in;
        std::string_view canonical;
    };
    const C cases[] = {
        {"Text/Plain", "text/plain"},
        {" a/b ; x=1 ;; Y=\"two\" ", "a/b;x=1;y=two"},
        {"a/b;e=\"\"", "a/b;e=\"\""},
        {"a/b;v=\"a b\"", "a/b;v=\"a b\""},
        {"a/b;v=\"a/b\"", "a/b;v=\"a/b\""},
        {"a/b;v=\"a=b\"", "a/b;v=\"a=b\""},
        {"a/b;v=\"a@b\"", "a/b;v=\"a@b\""},
        {"a/b;v=\"\\\"\\\\\"", "a/b;v=\"\\\"\\\\\""},
        {"a/b;v=\"\\x\"", "a/b;v=x"}, // a needless escape goes
        {"a/b;v=\"\xc3\xa9\"", "a/b;v=\"\xc3\xa9\""},
        {"a/b;v=\"\t\"", "a/b;v=\"\t\""},
    };
    for (const auto& c : cases) {
        const auto mt = parse_media_type(c.in);
        ASSERT_TRUE(mt) << c.in << ": " << to_string(mt.error());
        EXPECT_EQ(mt->to_string(), c.canonical) << c.in;
        const auto again = parse_media_type(mt->to_string());
        ASSERT_TRUE(again) << c.canonical;
        EXPECT_EQ(*again, *mt) << c.canonical;
    }
}

TEST(MediaType, ParameterLookupIsCaseInsensitive) {
    const auto mt = parse_media_type("multipart/form-data; Boundary=\"a b\\\"c;d\"; x=1");
    ASSERT_TRUE(mt) << to_string(mt.error());
    EXPECT_EQ(mt->parameter("BOUNDARY"), "a b\"c;d");
    EXPECT_EQ(mt->parameter("boundary"), "a b\"c;d");
    EXPECT_EQ(mt->parameter("x"), "1");
    EXPECT_FALSE(mt->parameter("missing").has_value());
    EXPECT_FALSE(mt->parameter("").has_value());
    EXPECT_EQ(mt->charset(), "");
    EXPECT_EQ(parse_media_type("a/b;charset=\"\"")->charset(), "");
    EXPECT_EQ(parse_media_type("a/b;x=1;charset=Shift_JIS")->charset(), "shift_jis");
}

TEST(MediaType, MatchesWildcardsOnEitherSide) {
    struct C {
        std::string_view mine;
        std::string_view type, subtype;
        bool matches;
    };
    const C cases[] = {
        {"text/html", "text", "html", true},
        {"text/html", "TEXT", "HTML", true},
        {"text/html", "text", "*", true},
        {"text/html", "*", "*", true},
        {"text/html", "text", "plain", false},
        {"text/html", "image", "*", false},
        {"text/html", "image", "html", false},
        {"text/html", "text", "htm", false},
        {"text/*", "text", "plain", true},
        {"text/*", "image", "png", false},
        {"*/*", "application", "json", true},
        {"*/*", "*", "*", true},
        {"text/html;charset=utf-8", "text", "html", true}, // parameters play no part
    };
    for (const auto& c : cases) {
        const auto mt = parse_media_type(c.mine);
        ASSERT_TRUE(mt) << c.mine;
        EXPECT_EQ(mt->matches(c.type, c.subtype), c.matches)
            << c.mine << " vs " << c.type << "/" << c.subtype;
    }
}

TEST(MediaType, SpecificErrors) {
    struct C {
        std::string_view in;
        MediaTypeError error;
    };
    const C cases[] = {
        {"", MediaTypeError::empty},
        {" \t ", MediaTypeError::empty},
        {"/html", MediaTypeError::bad_type},
        {";a=b", MediaTypeError::bad_type},
        {"te(xt/html", MediaTypeError::bad_type},
        {"te\"xt/html", MediaTypeError::bad_type},
        {"t\xc3\xa9xt/html", MediaTypeError::bad_type},
        {"text", MediaTypeError::missing_slash},
        {"text html", MediaTypeError::missing_slash},
        {"text /html", MediaTypeError::missing_slash},
        {"text;charset=x", MediaTypeError::missing_slash},
        {"text/", MediaTypeError::bad_subtype},
        {"text/ html", MediaTypeError::bad_subtype},
        {"text/;a=b", MediaTypeError::bad_subtype},
        {"text/ht(ml", MediaTypeError::bad_subtype},
        {"text/html/x", MediaTypeError::bad_subtype},
        // A byte that cannot follow a token, right after it, spoils the token.
        {"text/html,text/plain", MediaTypeError::bad_subtype},
        {"text/html\r\n", MediaTypeError::bad_subtype},
        {"text/html;=x", MediaTypeError::bad_parameter_name},
        {"text/html;(a=b", MediaTypeError::bad_parameter_name},
        {"text/html;a(=b", MediaTypeError::bad_parameter_name},
        {"text/html;\"a\"=b", MediaTypeError::bad_parameter_name},
        {"text/html;charset", MediaTypeError::missing_equals},
        {"text/html;charset;a=b", MediaTypeError::missing_equals},
        {"text/html;charset utf-8", MediaTypeError::missing_equals},
        {"text/html;charset =utf-8", MediaTypeError::space_around_equals},
        {"text/html;charset= utf-8", MediaTypeError::space_around_equals},
        {"text/html;charset = utf-8", MediaTypeError::space_around_equals},
        {"text/html;charset=\t\"utf-8\"", MediaTypeError::space_around_equals},
        {"text/html;charset=", MediaTypeError::bad_parameter_value},
        {"text/html;charset=;a=b", MediaTypeError::bad_parameter_value},
        {"text/html;charset==", MediaTypeError::bad_parameter_value},
        {"text/html;charset=utf(8", MediaTypeError::bad_parameter_value},
        {"text/html;charset=utf\"8\"", MediaTypeError::bad_parameter_value},
        {"text/html;charset=\"a\x01\"", MediaTypeError::bad_parameter_value},
        {"text/html;charset=\"a\x7f\"", MediaTypeError::bad_parameter_value},
        {"text/html;charset=\"a\r\n\"", MediaTypeError::bad_parameter_value},
        {"text/html;charset=\"a\0\""sv, MediaTypeError::bad_parameter_value},
        {"text/html;charset=\"utf-8", MediaTypeError::unterminated_quote},
        {"text/html;charset=\"", MediaTypeError::unterminated_quote},
        {"text/html;charset=\"utf-8\\\"", MediaTypeError::unterminated_quote},
        {"text/html;charset=\"utf-8\\", MediaTypeError::unterminated_quote},
        {"text/html;charset=\"a\\\x01\"", MediaTypeError::bad_escape},
        {"text/html;charset=\"a\\\n\"", MediaTypeError::bad_escape},
        {"text/html;charset=\"a\\\x7f\"", MediaTypeError::bad_escape},
        {"text/html;a=1;a=2", MediaTypeError::duplicate_parameter},
        {"text/html;a=1;A=\"1\"", MediaTypeError::duplicate_parameter},
        {"multipart/mixed;boundary=x;b=1;Boundary=y", MediaTypeError::duplicate_parameter},
        {"text/html x", MediaTypeError::trailing_characters},
        {"text/html;a=b c", MediaTypeError::trailing_characters},
        {"text/html;a=\"b\"c", MediaTypeError::trailing_characters},
        {"text/html;a=\"b\" \"c\"", MediaTypeError::trailing_characters},
        {"text/html ,text/plain", MediaTypeError::trailing_characters},
        {"text/html \r\n", MediaTypeError::trailing_characters},
    };
    for (const auto& c : cases) {
        const auto r = parse_media_type(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in << ": " << to_string(r.error());
    }
}

std::string with_parameters(std::size_t count) {
    std::string text = "a/b";
    for (std::size_t i = 0; i < count; ++i)
        text += ";p" + std::to_string(i) + "=" + std::to_string(i);
    return text;
}

TEST(MediaType, ParameterCountLimit) {
    const auto at_limit = parse_media_type(with_parameters(kMaxMediaTypeParameters));
    ASSERT_TRUE(at_limit) << to_string(at_limit.error());
    EXPECT_EQ(at_limit->parameters.size(), kMaxMediaTypeParameters);
    const std::string last = std::to_string(kMaxMediaTypeParameters - 1);
    EXPECT_EQ(at_limit->parameter("p" + last), last);
    // Empty parameters are not parameters.
    EXPECT_TRUE(parse_media_type(with_parameters(kMaxMediaTypeParameters) + ";;; ;"));
    const auto over = parse_media_type(with_parameters(kMaxMediaTypeParameters + 1));
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error(), MediaTypeError::too_many_parameters);
    // A duplicate is reported as such, even past the limit.
    const auto duplicate = parse_media_type(with_parameters(kMaxMediaTypeParameters) + ";p0=x");
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error(), MediaTypeError::duplicate_parameter);
}

TEST(MediaType, EveryErrorHasAMessage) {
    for (int e = 0; e <= static_cast<int>(MediaTypeError::trailing_characters); ++e) {
        const auto message = to_string(static_cast<MediaTypeError>(e));
        EXPECT_FALSE(message.empty()) << e;
        EXPECT_NE(message, "unknown media type error") << e;
    }
}

} // namespace
} // namespace pier
