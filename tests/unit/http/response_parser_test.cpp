#include "codec_test_support.hpp"

#include <pier/parser.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pier {
namespace {

using namespace std::string_view_literals;

struct Outcome {
    ParseStatus status = ParseStatus::incomplete;
    ParseError error = ParseError::none;
    std::size_t head_size = 0;
    int code = 0;
    std::string reason;
    Version version = Version::http11;
    BodyKind body = BodyKind::none;
    std::uint64_t content_length = 0;
    bool keep_alive = false;
    std::vector<std::pair<std::string, std::string>> fields;

    bool operator==(const Outcome&) const = default;
};

Outcome capture(ParseStatus st, const ResponseParser& parser, const ResponseHead& head) {
    Outcome o;
    o.status = st;
    o.error = parser.error();
    if (st != ParseStatus::complete) return o;
    o.head_size = parser.head_size();
    o.code = head.status;
    o.reason = head.reason;
    o.version = head.version;
    o.body = head.body;
    o.content_length = head.content_length;
    o.keep_alive = head.keep_alive;
    for (const Field& f : head.fields) o.fields.emplace_back(f.name, f.value);
    return o;
}

Outcome parse_once(std::string_view input, Method method = Method::get) {
    test::GuardedBuffer buf(input);
    ResponseParser parser;
    ResponseHead head;
    const ParseStatus st = parser.parse(buf.view(), head, method);
    return capture(st, parser, head);
}

void expect_split_invariant(std::string_view input, Method method = Method::get) {
    const Outcome whole = parse_once(input, method);
    const std::string buf(input);
    for (std::size_t k = 0; k <= buf.size(); ++k) {
        ResponseParser parser;
        ResponseHead head;
        ParseStatus st = parser.parse(std::string_view(buf.data(), k), head, method);
        if (st == ParseStatus::incomplete) st = parser.parse(buf, head, method);
        EXPECT_EQ(capture(st, parser, head), whole) << "split at " << k;
        const Outcome part = parse_once(std::string_view(buf.data(), k), method);
        if (part.status != ParseStatus::incomplete) {
            EXPECT_EQ(part.error, whole.error) << k;
        }
    }
}

TEST(ResponseParser, FramingPerRfc9112Section6_3) {
    struct C {
        const char* name;
        std::string_view input;
        Method method;
        int code;
        BodyKind body;
        std::uint64_t length;
        bool keep_alive;
    };
    const C cases[] = {
        {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", Method::get, 200,
         BodyKind::content_length, 5, true},
        {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Method::get, 200,
         BodyKind::chunked, 0, true},
        {"TE overrides CL, then close",
         "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", Method::get,
         200, BodyKind::chunked, 0, false},
        {"TE not chunked: until close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
         Method::get, 200, BodyKind::until_close, 0, false},
        {"neither: until close", "HTTP/1.1 200 OK\r\n\r\n", Method::get, 200, BodyKind::until_close,
         0, false},
        {"HTTP/1.0 with length", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", Method::get, 200,
         BodyKind::content_length, 2, false},
        {"HTTP/1.0 keep-alive",
         "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n", Method::get, 200,
         BodyKind::content_length, 2, true},
        {"close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n", Method::get,
         200, BodyKind::content_length, 2, false},
        {"204 ignores fields", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", Method::get,
         204, BodyKind::none, 0, true},
        {"304 ignores fields", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
         Method::get, 304, BodyKind::none, 0, true},
        {"100 continue", "HTTP/1.1 100 Continue\r\n\r\n", Method::post, 100, BodyKind::none, 0,
         true},
        {"103 early hints", "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n", Method::get, 103,
         BodyKind::none, 0, true},
        {"HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", Method::head, 200, BodyKind::none,
         0, true},
        {"CONNECT 200 is a tunnel", "HTTP/1.1 200 OK\r\n\r\n", Method::connect, 200, BodyKind::none,
         0, false},
        {"CONNECT 407 has content", "HTTP/1.1 407 Auth\r\nContent-Length: 3\r\n\r\n",
         Method::connect, 407, BodyKind::content_length, 3, true},
        {"identical lengths", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
         Method::get, 200, BodyKind::content_length, 3, true},
    };
    for (const auto& c : cases) {
        const Outcome o = parse_once(c.input, c.method);
        ASSERT_EQ(o.status, ParseStatus::complete) << c.name << ": " << to_string(o.error);
        EXPECT_EQ(o.code, c.code) << c.name;
        EXPECT_EQ(o.body, c.body) << c.name;
        EXPECT_EQ(o.content_length, c.length) << c.name;
        EXPECT_EQ(o.keep_alive, c.keep_alive) << c.name;
        expect_split_invariant(c.input, c.method);
    }
}

TEST(ResponseParser, StatusLineShapes) {
    struct C {
        std::string_view input;
        int code;
        std::string_view reason;
        Version version;
    };
    const C cases[] = {
        {"HTTP/1.1 200 OK\r\n\r\n", 200, "OK", Version::http11},
        {"HTTP/1.1 404 Not Found\n\n", 404, "Not Found", Version::http11},
        {"HTTP/1.0 500 Internal Server Error\r\n\r\n", 500, "Internal Server Error",
         Version::http10},
        {"HTTP/1.1 200\r\n\r\n", 200, "", Version::http11},
        {"HTTP/1.1 200 \r\n\r\n", 200, "", Version::http11},
        {"HTTP/1.1 299 \xc3\xa7"
         "a va\t!\r\n\r\n",
         299,
         "\xc3\xa7"
         "a va\t!",
         Version::http11},
        {"HTTP/1.1 999 Custom\r\n\r\n", 999, "Custom", Version::http11},
    };
    for (const auto& c : cases) {
        const Outcome o = parse_once(c.input);
        ASSERT_EQ(o.status, ParseStatus::complete) << c.input;
        EXPECT_EQ(o.code, c.code);
        EXPECT_EQ(o.reason, c.reason);
        EXPECT_EQ(o.version, c.version);
    }
}

TEST(ResponseParser, RejectsMalformedStatusLines) {
    for (std::string_view input :
         {"HTTP/1.1 2000 OK\r\n\r\n"sv, "HTTP/1.1 20 OK\r\n\r\n"sv, "HTTP/1.1 099 X\r\n\r\n"sv,
          "HTTP/1.1  200 OK\r\n\r\n"sv, "HTTP/1.1 2x0 OK\r\n\r\n"sv, "HTTP/2 200 OK\r\n\r\n"sv,
          "HTTP/2.0 200 OK\r\n\r\n"sv, "ICY 200 OK\r\n\r\n"sv, "http/1.1 200 OK\r\n\r\n"sv,
          "HTTP/1.1 200OK\r\n\r\n"sv, "<html>\r\n\r\n"sv, "\r\n"sv}) {
        const Outcome o = parse_once(input);
        EXPECT_EQ(o.status, ParseStatus::error) << input;
        EXPECT_EQ(o.error, ParseError::bad_status_line) << input;
    }
    EXPECT_EQ(parse_once("HTTP/1.1 200 O\rK\r\n\r\n").error, ParseError::bare_cr);
}

// max_field_line bounds the status line too: at the limit it parses, past it it is "too long"
// (the client's LineTooLong), whether or not its end has arrived.
TEST(ResponseParser, StatusLineAtAndPastTheLimit) {
    const std::size_t max = Limits{}.max_field_line;
    const std::string at = "HTTP/1.1 200 " + std::string(max - 13, 'r') + "\r\n\r\n";
    EXPECT_EQ(parse_once(at).status, ParseStatus::complete);
    const std::string past = "HTTP/1.1 200 " + std::string(max - 12, 'r') + "\r\n\r\n";
    EXPECT_EQ(parse_once(past).error, ParseError::field_line_too_long);
    const std::string unfinished = "HTTP/1.1 200 " + std::string(max + 10, 'r');
    EXPECT_EQ(parse_once(unfinished).error, ParseError::field_line_too_long);
}

TEST(ResponseParser, ObsFoldIsReplacedBySpace) {
    const std::string_view input = "HTTP/1.1 200 OK\r\nX: a\r\n  b\r\n\tc  \r\nY: d\r\n\r\n";
    const Outcome o = parse_once(input);
    ASSERT_EQ(o.status, ParseStatus::complete) << to_string(o.error);
    ASSERT_EQ(o.fields.size(), 2u);
    EXPECT_EQ(o.fields[0], std::make_pair(std::string("X"), std::string("a b c")));
    EXPECT_EQ(o.fields[1], std::make_pair(std::string("Y"), std::string("d")));
    expect_split_invariant(input);
}

TEST(ResponseParser, RejectsFramingItCannotTrust) {
    struct C {
        std::string_view input;
        ParseError error;
    };
    const C cases[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
         ParseError::conflicting_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n", ParseError::conflicting_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", ParseError::bad_content_length},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
         ParseError::chunked_twice},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
         ParseError::unknown_transfer_coding},
        {"HTTP/1.1 200 OK\r\nX : y\r\n\r\n", ParseError::whitespace_before_colon},
        {"HTTP/1.1 200 OK\r\nX: a\0\r\n\r\n"sv, ParseError::bad_field_value},
    };
    for (const auto& c : cases) {
        const Outcome o = parse_once(c.input);
        EXPECT_EQ(o.status, ParseStatus::error) << c.input;
        EXPECT_EQ(o.error, c.error) << c.input << ": " << to_string(o.error);
        expect_split_invariant(c.input);
    }
}

} // namespace
} // namespace pier
