// The CGI script's header block: every field kind, both line ends, any split, the limit, and
// what is refused.
#include "cgi/script_head.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pier::cgi {
namespace {

// Feeds `output` in pieces of `step` bytes; returns the result and where the body starts in
// the whole output.
ScriptHeadParser::Result parse(ScriptHeadParser& p, std::string_view output, std::size_t step,
                               std::size_t& body_at) {
    for (std::size_t at = 0; at < output.size(); at += step) {
        const std::string_view piece = output.substr(at, step);
        std::size_t from = 0;
        const auto r = p.feed(piece, from);
        if (r == ScriptHeadParser::Result::done) body_at = at + from;
        if (r != ScriptHeadParser::Result::need_more) return r;
    }
    return ScriptHeadParser::Result::need_more;
}

TEST(ScriptHead, EveryFieldKindWithEitherLineEndInAnySplit) {
    const std::string outputs[] = {
        "Status: 201 Made Here\nContent-Type: text/plain\nX-One: 1\nSet-Cookie: a=b\n\nbody",
        "Status: 201 Made Here\r\nContent-Type: text/plain\r\nX-One: 1\r\nSet-Cookie: a=b\r\n"
        "\r\nbody",
    };
    for (const std::string& output : outputs) {
        for (std::size_t step = 1; step <= output.size(); ++step) {
            ScriptHeadParser p(1024);
            std::size_t body_at = 0;
            ASSERT_EQ(parse(p, output, step, body_at), ScriptHeadParser::Result::done) << step;
            EXPECT_EQ(output.substr(body_at), "body") << step;
            const ScriptHead& h = p.head();
            EXPECT_EQ(h.status, 201);
            EXPECT_EQ(h.reason, "Made Here");
            EXPECT_EQ(h.content_type, "text/plain");
            ASSERT_EQ(h.fields.size(), 2u);
            EXPECT_EQ(h.fields[0].first, "X-One");
            EXPECT_EQ(h.fields[1].second, "a=b");
        }
    }
}

TEST(ScriptHead, LocationsLocalAndAbsolute) {
    ScriptHeadParser local(1024);
    std::size_t at = 0;
    ASSERT_EQ(parse(local, "location:  /other?x=1 \n\n", 100, at), ScriptHeadParser::Result::done);
    EXPECT_EQ(local.head().location, "/other?x=1");
    EXPECT_TRUE(local.head().local_location());
    ScriptHeadParser client(1024);
    ASSERT_EQ(parse(client, "Location: https://example.com/x\nStatus: 301\n\n", 100, at),
              ScriptHeadParser::Result::done);
    EXPECT_FALSE(client.head().local_location());
    EXPECT_EQ(client.head().status, 301);
    EXPECT_EQ(client.head().reason, "");
}

TEST(ScriptHead, WhatIsRefused) {
    const char* bad[] = {
        "no colon here\n\n",
        " folded: value\n\n",
        "X-A: 1\n\tcontinued\n\n",
        "Bad Name: x\n\n",
        "X-A: a\x01z\n\n",
        "Status: abc\n\n",
        "Status: 99\n\n",
        "Status: 600 Nope\n\n",
        "Status: 2000\n\n",
        "Status: 200\nStatus: 404\n\n",
        "Location: relative/path\n\n",
        "Location: //evil.example/\n\n",
        "Content-Type:\n\n",
        "Content-Type: a/b\nContent-Type: c/d\n\n",
    };
    for (const char* output : bad) {
        ScriptHeadParser p(1024);
        std::size_t at = 0;
        EXPECT_EQ(parse(p, output, 1, at), ScriptHeadParser::Result::error) << output;
        EXPECT_FALSE(p.error().empty());
        std::size_t again = 0;
        EXPECT_EQ(p.feed("\n\n", again), ScriptHeadParser::Result::error) << "errors stay";
    }
}

TEST(ScriptHead, TheLimitCountsEveryByteOfTheHead) {
    const std::string head = "X-Long: " + std::string(100, 'v') + "\n\n";
    ScriptHeadParser fits(head.size());
    std::size_t at = 0;
    EXPECT_EQ(parse(fits, head + "body", 7, at), ScriptHeadParser::Result::done);
    ScriptHeadParser over(head.size() - 1);
    EXPECT_EQ(parse(over, head, 7, at), ScriptHeadParser::Result::error);
    // A line that never ends is caught as it grows, not when it ends.
    ScriptHeadParser endless(64);
    EXPECT_EQ(parse(endless, std::string(65, 'x'), 1, at), ScriptHeadParser::Result::error);
}

} // namespace
} // namespace pier::cgi
