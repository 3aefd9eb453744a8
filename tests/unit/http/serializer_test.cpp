#include <pier/parser.hpp>
#include <pier/serializer.hpp>

#include <gtest/gtest.h>

namespace pier {
namespace {

using namespace std::string_view_literals;

TEST(Serializer, ResponseHeadInOneBuffer) {
    Fields f;
    f.add("Content-Type", "text/plain");
    f.add("Set-Cookie", "a=1");
    f.add("Set-Cookie", "b=2");
    std::string out = "prefix|";
    ASSERT_FALSE(append_response_head(out, Version::http11, 200, "", f));
    EXPECT_EQ(out, "prefix|HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\n"
                   "Set-Cookie: b=2\r\n\r\n");
}

TEST(Serializer, ReasonDefaultsToTheRegistryAndVersionIsKept) {
    std::string out;
    ASSERT_FALSE(append_response_head(out, Version::http10, 404, "", Fields{}));
    EXPECT_EQ(out, "HTTP/1.0 404 Not Found\r\n\r\n");
    out.clear();
    ASSERT_FALSE(append_response_head(out, Version::http11, 599, "Custom\tReason", Fields{}));
    EXPECT_EQ(out, "HTTP/1.1 599 Custom\tReason\r\n\r\n");
    out.clear();
    ASSERT_FALSE(append_response_head(out, Version::http09, 200, "", Fields{}));
    EXPECT_EQ(out, ""); // HTTP/0.9 answers carry no head
}

TEST(Serializer, RequestHead) {
    Fields f;
    f.add("Host", "example.com");
    std::string out;
    ASSERT_FALSE(append_request_head(out, "GET", "/a?b", Version::http11, f));
    EXPECT_EQ(out, "GET /a?b HTTP/1.1\r\nHost: example.com\r\n\r\n");
}

TEST(Serializer, RefusesAnythingThatCouldSplitTheMessage) {
    struct C {
        const char* name;
        int status;
        std::string_view reason;
        std::string_view field_name;
        std::string_view field_value;
        SerializeError error;
    };
    const C cases[] = {
        {"status under 100", 99, "", "X", "y", SerializeError::bad_status},
        {"status over 999", 1000, "", "X", "y", SerializeError::bad_status},
        {"CRLF in reason", 200, "OK\r\nX: injected", "X", "y", SerializeError::bad_reason},
        {"LF in reason", 200, "OK\nX", "X", "y", SerializeError::bad_reason},
        {"NUL in reason", 200, "O\0K"sv, "X", "y", SerializeError::bad_reason},
        {"CRLF in value", 200, "", "X", "a\r\nSet-Cookie: evil", SerializeError::bad_field_value},
        {"LF in value", 200, "", "X", "a\nb", SerializeError::bad_field_value},
        {"NUL in value", 200, "", "X", "a\0b"sv, SerializeError::bad_field_value},
        {"DEL in value", 200, "", "X", "a\x7f", SerializeError::bad_field_value},
        {"leading space in value", 200, "", "X", " a", SerializeError::bad_field_value},
        {"space in name", 200, "", "X Y", "a", SerializeError::bad_field_name},
        {"colon in name", 200, "", "X:", "a", SerializeError::bad_field_name},
        {"CRLF in name", 200, "", "X\r\nY", "a", SerializeError::bad_field_name},
        {"empty name", 200, "", "", "a", SerializeError::bad_field_name},
    };
    for (const auto& c : cases) {
        Fields f;
        // add_view skips validation, as the codec's own fields do: the serializer is the last
        // line of defence and must catch it.
        f.add_view(c.field_name, c.field_value, FieldId::unknown);
        std::string out = "kept";
        const auto e = append_response_head(out, Version::http11, c.status, c.reason, f);
        ASSERT_TRUE(e.has_value()) << c.name;
        EXPECT_EQ(*e, c.error) << c.name << ": " << to_string(*e);
        EXPECT_EQ(out, "kept") << c.name; // nothing half-written
    }
}

TEST(Serializer, RequestLineInjectionIsRefused) {
    std::string out;
    EXPECT_EQ(append_request_head(out, "GET /x", "/", Version::http11, Fields{}),
              SerializeError::bad_method);
    EXPECT_EQ(append_request_head(out, "GET", "/a b", Version::http11, Fields{}),
              SerializeError::bad_target);
    EXPECT_EQ(append_request_head(out, "GET", "/a\r\nHost: evil", Version::http11, Fields{}),
              SerializeError::bad_target);
    EXPECT_EQ(append_request_head(out, "GET", "", Version::http11, Fields{}),
              SerializeError::bad_target);
    EXPECT_TRUE(out.empty());
}

TEST(Serializer, ParseSerializeParseIsAFixedPoint) {
    const std::string wire =
        "PUT /f HTTP/1.1\r\nHost: h\r\nX-A:  1 \r\nX-A: 2\r\nContent-Length: 0\r\n\r\n";
    RequestParser parser;
    RequestHead head;
    ASSERT_EQ(parser.parse(wire, head), ParseStatus::complete);
    std::string out;
    ASSERT_FALSE(
        append_request_head(out, head.method_name, head.target, head.version, head.fields));
    RequestParser again;
    RequestHead head2;
    ASSERT_EQ(again.parse(out, head2), ParseStatus::complete);
    std::string out2;
    ASSERT_FALSE(
        append_request_head(out2, head2.method_name, head2.target, head2.version, head2.fields));
    EXPECT_EQ(out, out2);
    EXPECT_EQ(out, "PUT /f HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 0\r\n\r\n");
}

} // namespace
} // namespace pier
