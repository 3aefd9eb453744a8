// Known request-smuggling and desync vectors (CL.TE, TE.CL, TE.TE obfuscations, line-ending
// and chunk-framing tricks). Each must be refused with 400 (or 501 for a coding pier does not
// implement) — or, where pier accepts, parsed exactly one way, asserted here.
#include <pier/chunked.hpp>
#include <pier/parser.hpp>

#include <gtest/gtest.h>

#include <string>

namespace pier {
namespace {

using namespace std::string_view_literals;

struct Verdict {
    int status = 0;   // 0 = accepted
    std::string body; // decoded content when accepted
};

// Parses one request from `wire`, head and content, as the server will.
Verdict judge(std::string_view wire) {
    RequestParser parser;
    RequestHead head;
    const ParseStatus st = parser.parse(wire, head);
    if (st == ParseStatus::error) return {status_for(parser.error()), {}};
    if (st != ParseStatus::complete) return {-1, {}};
    std::string_view rest = wire.substr(parser.head_size());
    Verdict v;
    if (head.body == BodyKind::content_length) {
        v.body = std::string(rest.substr(0, head.content_length));
    } else if (head.body == BodyKind::chunked) {
        ChunkedDecoder dec;
        for (;;) {
            const auto step = dec.decode(rest);
            rest.remove_prefix(step.consumed);
            v.body.append(step.data);
            if (step.status == ChunkedDecoder::Status::error) return {status_for(dec.error()), {}};
            if (step.status == ChunkedDecoder::Status::done) break;
            if (step.status == ChunkedDecoder::Status::need_more) return {-1, {}};
        }
    }
    return v;
}

struct Vector {
    const char* name;
    std::string_view wire;
    int status;
    std::string_view body = "";
};

TEST(Smuggling, KnownVectorsAreRefusedOrUnambiguous) {
    const Vector vectors[] = {
        // CL.TE / TE.CL: two framings, one message — refuse.
        {"CL.TE",
         "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\nTransfer-Encoding: "
         "chunked\r\n\r\n0\r\n\r\nSMUGGLED",
         400},
        {"TE.CL",
         "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: "
         "3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
         400},
        {"TE.TE xchunked", "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n", 400},
        {"TE.TE chunked then junk line",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-encoding: x\r\n\r\n", 400},
        {"TE.TE space before colon", "POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n", 400},
        {"TE.TE folded", "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", 400},
        {"TE.TE leading space line",
         "POST / HTTP/1.1\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n", 400},
        {"TE.TE vertical tab",
         "POST / HTTP/1.1\r\nTransfer-Encoding:\x0b"
         "chunked\r\n\r\n",
         400},
        {"TE.TE NUL", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\0\r\n\r\n"sv, 400},
        {"TE.TE quoted", "POST / HTTP/1.1\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", 400},
        {"TE.TE name split by LF", "POST / HTTP/1.1\r\nTransfer-Encoding\n: chunked\r\n\r\n", 400},
        {"TE.TE unicode hyphen",
         "POST / HTTP/1.1\r\nTransfer\xe2\x80\x90"
         "Encoding: chunked\r\n\r\n",
         400},
        {"TE chunked, identity", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
         400},
        {"TE identity, chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: identity, chunked\r\n\r\n",
         501},
        {"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        {"CL duplicate differing",
         "POST / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nhello", 400},
        {"CL list differing", "POST / HTTP/1.1\r\nContent-Length: 5, 0\r\n\r\nhello", 400},
        {"CL exponent", "POST / HTTP/1.1\r\nContent-Length: 1e1\r\n\r\n", 400},
        {"CL vertical tab",
         "POST / HTTP/1.1\r\nContent-Length:\x0b"
         "5\r\n\r\nhello",
         400},
        {"CL space before colon", "POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello", 400},
        {"bare CR line end", "POST / HTTP/1.1\rContent-Length: 5\r\n\r\nhello", 400},
        {"bare CR in field", "POST / HTTP/1.1\r\nX: a\rContent-Length: 5\r\n\r\nhello", 400},
        // Chunk framing that parsers have disagreed on.
        {"chunk size LF only",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400},
        {"last chunk LF only", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\n\n", 400},
        {"chunk data longer than size",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n", 400},
        {"chunk size overflow wraps to 0",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n\r\n", 400},
        {"negative chunk size",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", 400},
        {"chunk extension with bare LF",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;x\nhello\r\n0\r\n\r\n", 400},
        {"chunk extension with bare CR",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;x\rhello\r\n0\r\n\r\n", 400},
        // Accepted, with exactly one reading.
        {"TE tab after colon",
         "POST / HTTP/1.1\r\nTransfer-Encoding:\tchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 0,
         "hello"},
        {"TE case-insensitive",
         "POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n2\r\nhi\r\n0\r\n\r\n", 0, "hi"},
        {"CL identical duplicates",
         "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 0, "hello"},
        {"CL in trailer is not framing",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nContent-Length: "
         "50\r\n\r\n",
         0, "hi"},
    };
    for (const auto& v : vectors) {
        const Verdict got = judge(v.wire);
        EXPECT_EQ(got.status, v.status) << v.name;
        if (v.status == 0) {
            EXPECT_EQ(got.body, v.body) << v.name;
        }
    }
}

} // namespace
} // namespace pier
