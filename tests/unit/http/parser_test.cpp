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
    std::string method, target;
    Version version = Version::http11;
    BodyKind body = BodyKind::none;
    std::uint64_t content_length = 0;
    bool keep_alive = false;
    std::vector<std::pair<std::string, std::string>> fields;

    bool operator==(const Outcome&) const = default;
};

Outcome capture(ParseStatus st, const RequestParser& parser, const RequestHead& head) {
    Outcome o;
    o.status = st;
    o.error = parser.error();
    if (st != ParseStatus::complete) return o;
    o.head_size = parser.head_size();
    o.method = head.method_name;
    o.target = head.target;
    o.version = head.version;
    o.body = head.body;
    o.content_length = head.content_length;
    o.keep_alive = head.keep_alive;
    for (const Field& f : head.fields) o.fields.emplace_back(f.name, f.value);
    return o;
}

Outcome parse_once(std::string_view input, const Limits& limits = {}) {
    test::GuardedBuffer buf(input);
    RequestParser parser(limits);
    RequestHead head;
    const ParseStatus st = parser.parse(buf.view(), head);
    return capture(st, parser, head);
}

// Feeds input[0, k) then the whole input from the same buffer, for every k; and one byte at a
// time. Each must end exactly as the one-shot parse.
void expect_split_invariant(std::string_view input, const Limits& limits = {}) {
    const Outcome whole = parse_once(input, limits);
    const std::string buf(input);
    for (std::size_t k = 0; k <= buf.size(); ++k) {
        RequestParser parser(limits);
        RequestHead head;
        ParseStatus st = parser.parse(std::string_view(buf.data(), k), head);
        if (st == ParseStatus::incomplete) st = parser.parse(buf, head);
        EXPECT_EQ(capture(st, parser, head), whole) << "split at " << k;
    }
    RequestParser parser(limits);
    RequestHead head;
    ParseStatus st = ParseStatus::incomplete;
    for (std::size_t k = 1; k <= buf.size() && st == ParseStatus::incomplete; ++k)
        st = parser.parse(std::string_view(buf.data(), k), head);
    EXPECT_EQ(capture(st, parser, head), whole) << "byte by byte";
    // Every prefix parsed on its own, against a guard page: never reads past the input, and
    // never reaches a verdict the whole message contradicts.
    for (std::size_t k = 0; k < buf.size(); ++k) {
        const Outcome part = parse_once(std::string_view(buf.data(), k), limits);
        if (part.status == ParseStatus::incomplete) continue;
        EXPECT_EQ(part.status, whole.status) << "prefix " << k;
        EXPECT_EQ(part.error, whole.error) << "prefix " << k;
    }
}

struct Case {
    const char* name;
    std::string_view input;
    ParseStatus status;
    ParseError error = ParseError::none;
};

// ---- accepted requests ---------------------------------------------------------------------

TEST(RequestParser, MinimalRequest) {
    const Outcome o = parse_once("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_EQ(o.status, ParseStatus::complete);
    EXPECT_EQ(o.method, "GET");
    EXPECT_EQ(o.target, "/");
    EXPECT_EQ(o.version, Version::http11);
    EXPECT_EQ(o.body, BodyKind::none);
    EXPECT_TRUE(o.keep_alive);
    EXPECT_EQ(o.head_size, 27u);
    ASSERT_EQ(o.fields.size(), 1u);
    EXPECT_EQ(o.fields[0], std::make_pair(std::string("Host"), std::string("a")));
}

TEST(RequestParser, ViewsPointIntoTheInputAndFieldIdsAreSet) {
    const std::string input = "POST /up?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
    RequestParser parser;
    RequestHead head;
    ASSERT_EQ(parser.parse(input, head), ParseStatus::complete);
    const auto inside = [&](std::string_view v) {
        return v.data() >= input.data() && v.data() + v.size() <= input.data() + input.size();
    };
    EXPECT_TRUE(inside(head.method_name));
    EXPECT_TRUE(inside(head.target));
    for (const Field& f : head.fields) EXPECT_TRUE(inside(f.name) && inside(f.value));
    EXPECT_EQ(head.method, Method::post);
    EXPECT_EQ(head.body, BodyKind::content_length);
    EXPECT_EQ(head.content_length, 3u);
    EXPECT_EQ(parser.head_size(), input.size() - 3);
    ASSERT_NE(head.fields.find(FieldId::host), nullptr);
    EXPECT_EQ(head.fields.find(FieldId::host)->value, "h");
}

TEST(RequestParser, ToleratesWhatTheSeedsAskFor) {
    struct Tolerant {
        const char* name;
        std::string_view input;
        std::string_view target;
        std::size_t fields;
    };
    const Tolerant cases[] = {
        {"LF-only line endings", "GET /a HTTP/1.1\nHost: a\n\n", "/a", 1},
        {"mixed line endings", "GET /a HTTP/1.1\r\nHost: a\n\r\n", "/a", 1},
        {"runs of SP/HTAB in request line", "GET \t /a  \t HTTP/1.1\r\nHost: a\r\n\r\n", "/a", 1},
        {"trailing whitespace after version", "GET /a HTTP/1.1 \t\r\nHost: a\r\n\r\n", "/a", 1},
        {"leading empty lines", "\r\n\n\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\n", "/a", 1},
        {"no fields at all", "GET /a HTTP/1.1\r\n\r\n", "/a", 0},
        {"empty field value", "GET /a HTTP/1.1\r\nX-Empty:\r\nX-Ws: \t \r\n\r\n", "/a", 2},
        {"obs-text in value", "GET /a HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n", "/a", 1},
        {"HTAB inside value", "GET /a HTTP/1.1\r\nX: a\tb\r\n\r\n", "/a", 1},
        {"absolute-form target", "GET http://h/p?q HTTP/1.1\r\nHost: h\r\n\r\n", "http://h/p?q", 1},
        {"asterisk-form target", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "*", 1},
        {"obs-text in target", "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", "/caf\xc3\xa9", 0},
    };
    for (const auto& c : cases) {
        const Outcome o = parse_once(c.input);
        EXPECT_EQ(o.status, ParseStatus::complete) << c.name << ": " << to_string(o.error);
        EXPECT_EQ(o.target, c.target) << c.name;
        EXPECT_EQ(o.fields.size(), c.fields) << c.name;
        expect_split_invariant(c.input);
    }
}

TEST(RequestParser, TrimsOptionalWhitespaceAroundValues) {
    const Outcome o = parse_once("GET / HTTP/1.1\r\nX: \t a b \t\r\n\r\n");
    ASSERT_EQ(o.status, ParseStatus::complete);
    EXPECT_EQ(o.fields[0].second, "a b");
}

TEST(RequestParser, LeadingEmptyLinesCountInHeadSize) {
    const Outcome o = parse_once("\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    ASSERT_EQ(o.status, ParseStatus::complete);
    EXPECT_EQ(o.head_size, 22u);
}

TEST(RequestParser, VersionsAndPersistence) {
    struct V {
        std::string_view input;
        Version version;
        bool keep_alive;
    };
    const V cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", Version::http11, true},
        {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", Version::http11, false},
        {"GET / HTTP/1.1\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", Version::http11, false},
        {"GET / HTTP/1.1\r\nConnection: x\r\nConnection: close\r\n\r\n", Version::http11, false},
        {"GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", Version::http11, true},
        {"GET / HTTP/1.0\r\n\r\n", Version::http10, false},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", Version::http10, true},
        {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", Version::http10, false},
        {"GET / HTTP/1.2\r\n\r\n", Version::http11, true}, // same major, treated as 1.1
        {"GET / HTTP/1.9\r\n\r\n", Version::http11, true},
        {"GET /x\r\n", Version::http09, false},
        {"GET /x\n", Version::http09, false},
        {"GET /x  \r\n", Version::http09, false},
        {"GET /\r\n", Version::http09, false},
        {"GET /HTTP/1.1\r\n", Version::http09, false},
    };
    for (const auto& c : cases) {
        const Outcome o = parse_once(c.input);
        ASSERT_EQ(o.status, ParseStatus::complete) << c.input << to_string(o.error);
        EXPECT_EQ(o.version, c.version) << c.input;
        EXPECT_EQ(o.keep_alive, c.keep_alive) << c.input;
        expect_split_invariant(c.input);
    }
}

TEST(RequestParser, Http09RequestEndsAtItsLineAndHasNoFields) {
    const Outcome o = parse_once("GET /index.html\r\nHost: ignored\r\n\r\n");
    ASSERT_EQ(o.status, ParseStatus::complete);
    EXPECT_EQ(o.version, Version::http09);
    EXPECT_EQ(o.head_size, 17u);
    EXPECT_TRUE(o.fields.empty());
}

TEST(RequestParser, ExtensionMethodsKeepTheirName) {
    const Outcome o = parse_once("PROPFIND /d HTTP/1.1\r\n\r\n");
    ASSERT_EQ(o.status, ParseStatus::complete);
    EXPECT_EQ(o.method, "PROPFIND");
    RequestParser parser;
    RequestHead head;
    ASSERT_EQ(parser.parse("get / HTTP/1.1\r\n\r\n", head), ParseStatus::complete);
    EXPECT_EQ(head.method, Method::extension); // method names are case-sensitive
}

// ---- framing (RFC 9112 §6.3) -----------------------------------------------------------------

TEST(RequestParser, FramingDecisions) {
    struct F {
        const char* name;
        std::string_view fields;
        ParseStatus status;
        ParseError error;
        BodyKind body;
        std::uint64_t length;
    };
    constexpr auto ok = ParseStatus::complete;
    constexpr auto bad = ParseStatus::error;
    constexpr auto none = ParseError::none;
    const F cases[] = {
        {"no framing fields", "", ok, none, BodyKind::none, 0},
        {"Content-Length", "Content-Length: 5\r\n", ok, none, BodyKind::content_length, 5},
        {"Content-Length 0", "Content-Length: 0\r\n", ok, none, BodyKind::none, 0},
        {"leading zeros", "Content-Length: 007\r\n", ok, none, BodyKind::content_length, 7},
        {"identical list", "Content-Length: 5, 5\r\n", ok, none, BodyKind::content_length, 5},
        {"identical repeats", "Content-Length: 5\r\nContent-Length: 5\r\n", ok, none,
         BodyKind::content_length, 5},
        {"differing list", "Content-Length: 5, 6\r\n", bad, ParseError::conflicting_content_length,
         BodyKind::none, 0},
        {"differing repeats", "Content-Length: 5\r\nContent-Length: 6\r\n", bad,
         ParseError::conflicting_content_length, BodyKind::none, 0},
        {"plus sign", "Content-Length: +5\r\n", bad, ParseError::bad_content_length, BodyKind::none,
         0},
        {"minus sign", "Content-Length: -1\r\n", bad, ParseError::bad_content_length,
         BodyKind::none, 0},
        {"hex", "Content-Length: 0x5\r\n", bad, ParseError::bad_content_length, BodyKind::none, 0},
        {"inner space", "Content-Length: 5 5\r\n", bad, ParseError::bad_content_length,
         BodyKind::none, 0},
        {"empty", "Content-Length: \r\n", bad, ParseError::bad_content_length, BodyKind::none, 0},
        {"decimal point", "Content-Length: 5.0\r\n", bad, ParseError::bad_content_length,
         BodyKind::none, 0},
        {"overflows 64 bits", "Content-Length: 18446744073709551616\r\n", bad,
         ParseError::bad_content_length, BodyKind::none, 0},
        {"over the body limit", "Content-Length: 1073741825\r\n", bad, ParseError::body_too_large,
         BodyKind::none, 0},
        {"at the body limit", "Content-Length: 1073741824\r\n", ok, none, BodyKind::content_length,
         1073741824},
        {"chunked", "Transfer-Encoding: chunked\r\n", ok, none, BodyKind::chunked, 0},
        {"chunked any case", "Transfer-Encoding: ChUnKeD\r\n", ok, none, BodyKind::chunked, 0},
        {"CL and TE", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", bad,
         ParseError::content_length_with_transfer_encoding, BodyKind::none, 0},
        {"TE and CL", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", bad,
         ParseError::content_length_with_transfer_encoding, BodyKind::none, 0},
        {"chunked not last", "Transfer-Encoding: chunked, gzip\r\n", bad,
         ParseError::chunked_not_last, BodyKind::none, 0},
        {"identity only", "Transfer-Encoding: identity\r\n", bad, ParseError::chunked_not_last,
         BodyKind::none, 0},
        {"chunked twice", "Transfer-Encoding: chunked, chunked\r\n", bad, ParseError::chunked_twice,
         BodyKind::none, 0},
        {"chunked twice across lines",
         "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", bad,
         ParseError::chunked_twice, BodyKind::none, 0},
        {"gzip then chunked", "Transfer-Encoding: gzip, chunked\r\n", bad,
         ParseError::unknown_transfer_coding, BodyKind::none, 0},
        {"gzip line then chunked line", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
         bad, ParseError::unknown_transfer_coding, BodyKind::none, 0},
        {"empty TE", "Transfer-Encoding: \r\n", bad, ParseError::bad_transfer_encoding,
         BodyKind::none, 0},
        {"quoted coding", "Transfer-Encoding: \"chunked\"\r\n", bad,
         ParseError::bad_transfer_encoding, BodyKind::none, 0},
        {"coding with space", "Transfer-Encoding: chun ked\r\n", bad,
         ParseError::bad_transfer_encoding, BodyKind::none, 0},
    };
    for (const auto& c : cases) {
        const std::string input = "POST / HTTP/1.1\r\nHost: a\r\n" + std::string(c.fields) + "\r\n";
        const Outcome o = parse_once(input);
        EXPECT_EQ(o.status, c.status) << c.name;
        EXPECT_EQ(o.error, c.error) << c.name << ": " << to_string(o.error);
        if (c.status == ok) {
            EXPECT_EQ(o.body, c.body) << c.name;
            EXPECT_EQ(o.content_length, c.length) << c.name;
        }
        expect_split_invariant(input);
    }
}

TEST(RequestParser, TransferEncodingInHttp10IsRejected) {
    EXPECT_EQ(parse_once("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n").error,
              ParseError::transfer_encoding_in_http10);
}

TEST(RequestParser, BodyLimitIsConfigurable) {
    Limits limits;
    limits.max_body = 10;
    EXPECT_EQ(parse_once("PUT / HTTP/1.1\r\nContent-Length: 10\r\n\r\n", limits).status,
              ParseStatus::complete);
    EXPECT_EQ(parse_once("PUT / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits).error,
              ParseError::body_too_large);
}

// ---- rejected requests -----------------------------------------------------------------------

TEST(RequestParser, RejectsWhatSmugglingIsMadeOf) {
    const Case cases[] = {
        {"obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", ParseStatus::error,
         ParseError::obs_fold},
        {"obs-fold with HTAB", "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", ParseStatus::error,
         ParseError::obs_fold},
        {"whitespace before first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", ParseStatus::error,
         ParseError::obs_fold},
        {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", ParseStatus::error,
         ParseError::whitespace_before_colon},
        {"tab before colon", "GET / HTTP/1.1\r\nContent-Length\t: 5\r\n\r\n", ParseStatus::error,
         ParseError::whitespace_before_colon},
        {"bare CR in value", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", ParseStatus::error,
         ParseError::bare_cr},
        {"bare CR ending line", "GET / HTTP/1.1\r\nX: a\r\r\n\r\n", ParseStatus::error,
         ParseError::bare_cr},
        {"bare CR as blank line", "GET / HTTP/1.1\r\nX: a\r\n\rX\r\n", ParseStatus::error,
         ParseError::bare_cr},
        {"bare CR in request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", ParseStatus::error,
         ParseError::bare_cr},
        {"bare CR before request", "\rGET / HTTP/1.1\r\n\r\n", ParseStatus::error,
         ParseError::bare_cr},
        {"NUL in value", "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"sv, ParseStatus::error,
         ParseError::bad_field_value},
        {"NUL in name", "GET / HTTP/1.1\r\nX\0Y: a\r\n\r\n"sv, ParseStatus::error,
         ParseError::bad_field_name},
        {"DEL in value", "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", ParseStatus::error,
         ParseError::bad_field_value},
        {"vertical tab in value", "GET / HTTP/1.1\r\nX: a\vb\r\n\r\n", ParseStatus::error,
         ParseError::bad_field_value},
        {"escape in value", "GET / HTTP/1.1\r\nX: \x1b[31m\r\n\r\n", ParseStatus::error,
         ParseError::bad_field_value},
        {"separator in name", "GET / HTTP/1.1\r\nX(Y): a\r\n\r\n", ParseStatus::error,
         ParseError::bad_field_name},
        {"slash in name", "GET / HTTP/1.1\r\nX/Y: a\r\n\r\n", ParseStatus::error,
         ParseError::bad_field_name},
        {"obs-text in name", "GET / HTTP/1.1\r\nX\xc3\xa9: a\r\n\r\n", ParseStatus::error,
         ParseError::bad_field_name},
        {"empty name", "GET / HTTP/1.1\r\n: a\r\n\r\n", ParseStatus::error,
         ParseError::bad_field_name},
        {"no colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", ParseStatus::error,
         ParseError::bad_field_name},
        {"no colon, with space", "GET / HTTP/1.1\r\nHost a\r\n\r\n", ParseStatus::error,
         ParseError::whitespace_before_colon},
        {"separator in method", "G(T / HTTP/1.1\r\n\r\n", ParseStatus::error,
         ParseError::bad_method},
        {"NUL in method", "GE\0T / HTTP/1.1\r\n\r\n"sv, ParseStatus::error, ParseError::bad_method},
        {"NUL in target", "GET /a\0b HTTP/1.1\r\n\r\n"sv, ParseStatus::error,
         ParseError::bad_target},
        {"DEL in target", "GET /a\x7f HTTP/1.1\r\n\r\n", ParseStatus::error,
         ParseError::bad_target},
        {"control in target", "GET /a\x01 HTTP/1.1\r\n\r\n", ParseStatus::error,
         ParseError::bad_target},
        {"leading whitespace", " GET / HTTP/1.1\r\n\r\n", ParseStatus::error,
         ParseError::bad_request_line},
        {"method only", "GET\r\n\r\n", ParseStatus::error, ParseError::bad_request_line},
        {"method and space only", "GET \r\n\r\n", ParseStatus::error, ParseError::bad_request_line},
        {"HTTP/0.9 POST", "POST /x\r\n", ParseStatus::error, ParseError::http09_not_get},
        {"HTTP/0.9 HEAD", "HEAD /x\r\n", ParseStatus::error, ParseError::http09_not_get},
        // An HTTP/0.9 simple request is `GET /path`: two words whose second is not a path
        // are an HTTP/1.x request with a part missing, not a request for "HTTP/1.1".
        {"version as the only target", "GET HTTP/1.1\r\n\r\n", ParseStatus::error,
         ParseError::http09_not_path},
        {"version as the only target, LF only", "GET HTTP/1.0\n\n", ParseStatus::error,
         ParseError::http09_not_path},
        {"HTTP/0.9 asterisk", "GET *\r\n", ParseStatus::error, ParseError::http09_not_path},
        {"HTTP/0.9 absolute-form", "GET http://a/x\r\n", ParseStatus::error,
         ParseError::http09_not_path},
        {"HTTP/0.9 authority-form", "GET a:80\r\n", ParseStatus::error,
         ParseError::http09_not_path},
        {"HTTP/0.9 relative path", "GET x\r\n", ParseStatus::error, ParseError::http09_not_path},
        {"missing target, other method", "HEAD HTTP/1.1\r\n\r\n", ParseStatus::error,
         ParseError::http09_not_path},
        {"lower-case version", "GET / http/1.1\r\n\r\n", ParseStatus::error,
         ParseError::bad_version},
        {"two-digit minor", "GET / HTTP/1.10\r\n\r\n", ParseStatus::error, ParseError::bad_version},
        {"no minor", "GET / HTTP/1\r\n\r\n", ParseStatus::error, ParseError::bad_version},
        {"no dot", "GET / HTTP/11 \r\n\r\n", ParseStatus::error, ParseError::bad_version},
        {"junk after version", "GET / HTTP/1.1 x\r\n\r\n", ParseStatus::error,
         ParseError::bad_version},
        {"not HTTP", "GET / FTP/1.1\r\n\r\n", ParseStatus::error, ParseError::bad_version},
        {"four parts", "GET / x HTTP/1.1\r\n\r\n", ParseStatus::error, ParseError::bad_version},
        {"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", ParseStatus::error,
         ParseError::version_not_supported},
        {"HTTP/3.0", "GET / HTTP/3.0\r\n\r\n", ParseStatus::error,
         ParseError::version_not_supported},
        {"HTTP/0.9 spelled out", "GET / HTTP/0.9\r\n\r\n", ParseStatus::error,
         ParseError::version_not_supported},
        {"HTTP/2.0 with junk", "GET / HTTP/2.0 x\r\n\r\n", ParseStatus::error,
         ParseError::bad_version},
    };
    for (const auto& c : cases) {
        const Outcome o = parse_once(c.input);
        EXPECT_EQ(o.status, c.status) << c.name;
        EXPECT_EQ(o.error, c.error) << c.name << ": got " << to_string(o.error);
        expect_split_invariant(c.input);
    }
}

TEST(RequestParser, IncompleteInputWaits) {
    for (std::string_view input :
         {""sv, "\r\n"sv, "\r"sv, "G"sv, "GET"sv, "GET "sv, "GET /"sv, "GET / "sv,
          "GET / HTTP/1."sv, "GET / HTTP/1.1"sv, "GET / HTTP/1.1\r"sv, "GET / HTTP/1.1\r\n"sv,
          "GET / HTTP/1.1\r\nHost: a\r\n"sv, "GET / HTTP/1.1\r\nHost: a\r\n\r"sv, "GET /x\r"sv}) {
        const Outcome o = parse_once(input);
        EXPECT_EQ(o.status, ParseStatus::incomplete) << input << ": " << to_string(o.error);
    }
}

TEST(RequestParser, ErrorsAreSticky) {
    RequestParser parser;
    RequestHead head;
    ASSERT_EQ(parser.parse("GET / HTTP/1.1\r\nX : y\r\n\r\n", head), ParseStatus::error);
    EXPECT_EQ(parser.parse("GET / HTTP/1.1\r\n\r\n", head), ParseStatus::error);
    parser.reset();
    EXPECT_EQ(parser.parse("GET / HTTP/1.1\r\n\r\n", head), ParseStatus::complete);
}

TEST(RequestParser, ReusedForPipelinedRequests) {
    const std::string wire =
        "GET /1 HTTP/1.1\r\nA: 1\r\n\r\nGET /2 HTTP/1.1\r\nB: 2\r\nC: 3\r\n\r\n";
    RequestParser parser;
    RequestHead head;
    std::string_view rest = wire;
    ASSERT_EQ(parser.parse(rest, head), ParseStatus::complete);
    EXPECT_EQ(head.target, "/1");
    EXPECT_EQ(head.fields.size(), 1u);
    rest.remove_prefix(parser.head_size());
    parser.reset();
    ASSERT_EQ(parser.parse(rest, head), ParseStatus::complete);
    EXPECT_EQ(head.target, "/2");
    EXPECT_EQ(head.fields.size(), 2u); // the first request's fields are gone
    EXPECT_EQ(parser.head_size(), rest.size());
}

TEST(RequestParser, MovedBufferRestartsCleanly) {
    const std::string first = "GET / HTTP/1.1\r\nA: 1\r\n";
    std::string moved = first + "B: 2\r\n\r\n";
    RequestParser parser;
    RequestHead head;
    ASSERT_EQ(parser.parse(first, head), ParseStatus::incomplete);
    ASSERT_EQ(parser.parse(moved, head), ParseStatus::complete);
    ASSERT_EQ(head.fields.size(), 2u);
    EXPECT_EQ(head.fields[0].value.data(), moved.data() + 19);
}

// ---- limits: at the limit and one past it ------------------------------------------------------

TEST(RequestParser, TargetLimit) {
    Limits limits;
    limits.max_target = 64;
    const std::string at = "GET /" + std::string(63, 'a') + " HTTP/1.1\r\n\r\n";
    const std::string past = "GET /" + std::string(64, 'a') + " HTTP/1.1\r\n\r\n";
    EXPECT_EQ(parse_once(at, limits).status, ParseStatus::complete);
    EXPECT_EQ(parse_once(past, limits).error, ParseError::target_too_long);
    EXPECT_EQ(status_for(ParseError::target_too_long), 414);
    expect_split_invariant(at, limits);
    expect_split_invariant(past, limits);
    // Known before the line ends: a client streaming an endless target is stopped early.
    EXPECT_EQ(parse_once("GET /" + std::string(100, 'a'), limits).error,
              ParseError::target_too_long);
    // The default is 8 KiB.
    EXPECT_EQ(parse_once("GET /" + std::string(8191, 'a') + " HTTP/1.1\r\n\r\n").status,
              ParseStatus::complete);
    EXPECT_EQ(parse_once("GET /" + std::string(8192, 'a') + " HTTP/1.1\r\n\r\n").error,
              ParseError::target_too_long);
}

TEST(RequestParser, FieldLineLimitCountsContentNotTerminator) {
    Limits limits;
    limits.max_field_line = 32;
    const std::string value_at(29, 'v'); // "X: " + 29 = 32 bytes
    for (std::string_view eol : {"\r\n"sv, "\n"sv}) {
        const std::string at = "GET / HTTP/1.1\r\nX: " + value_at + std::string(eol) + "\r\n";
        const std::string past =
            "GET / HTTP/1.1\r\nX: " + value_at + "v" + std::string(eol) + "\r\n";
        EXPECT_EQ(parse_once(at, limits).status, ParseStatus::complete) << eol.size();
        EXPECT_EQ(parse_once(past, limits).error, ParseError::field_line_too_long) << eol.size();
        expect_split_invariant(at, limits);
        expect_split_invariant(past, limits);
    }
    EXPECT_EQ(status_for(ParseError::field_line_too_long), 431);
    // An endless line is refused without waiting for its end.
    EXPECT_EQ(parse_once("GET / HTTP/1.1\r\nX: " + std::string(100, 'v'), limits).error,
              ParseError::field_line_too_long);
}

TEST(RequestParser, FieldCountLimit) {
    Limits limits;
    limits.max_fields = 100;
    std::string at = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 100; ++i) {
        at += 'X';
        at += std::to_string(i);
        at += ": v\r\n";
    }
    const std::string past = at + "Y: v\r\n\r\n";
    at += "\r\n";
    EXPECT_EQ(parse_once(at, limits).status, ParseStatus::complete);
    EXPECT_EQ(parse_once(past, limits).error, ParseError::too_many_fields);
    EXPECT_EQ(status_for(ParseError::too_many_fields), 431);
}

TEST(RequestParser, HeaderSectionLimit) {
    Limits limits;
    limits.max_header_section = 64;
    const std::string start = "GET / HTTP/1.1\r\n";                           // 16
    const std::string at = start + "X: " + std::string(41, 'v') + "\r\n\r\n"; // 16 + 46 + 2
    ASSERT_EQ(at.size(), 64u);
    const std::string past = start + "X: " + std::string(42, 'v') + "\r\n\r\n";
    EXPECT_EQ(parse_once(at, limits).status, ParseStatus::complete);
    EXPECT_EQ(parse_once(past, limits).error, ParseError::header_section_too_large);
    expect_split_invariant(at, limits);
    expect_split_invariant(past, limits);
    // Empty lines before the request count too: they cannot be used to hold a connection.
    EXPECT_EQ(parse_once(std::string(100, '\n'), limits).error,
              ParseError::header_section_too_large);
}

TEST(RequestParser, StatusCodesForEveryError) {
    EXPECT_EQ(status_for(ParseError::unknown_transfer_coding), 501);
    EXPECT_EQ(status_for(ParseError::version_not_supported), 505);
    EXPECT_EQ(status_for(ParseError::body_too_large), 413);
    EXPECT_EQ(status_for(ParseError::content_length_with_transfer_encoding), 400);
    EXPECT_EQ(status_for(ParseError::header_section_too_large), 431);
    EXPECT_EQ(status_for(ParseError::http09_not_path), 400);
    for (int e = 0; e <= static_cast<int>(ParseError::trailer_too_large); ++e)
        EXPECT_NE(to_string(static_cast<ParseError>(e)), "unknown parse error") << e;
}

} // namespace
} // namespace pier
