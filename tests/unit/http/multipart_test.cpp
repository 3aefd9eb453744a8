#include "codec_test_support.hpp"

#include <pier/multipart.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace pier {
namespace {

using namespace std::string_view_literals;
using Status = MultipartParser::Status;

struct Part {
    std::vector<std::pair<std::string, std::string>> fields;
    std::string data;
    bool ended = true; // part_end seen

    bool operator==(const Part&) const = default;
};

struct Parsed {
    std::vector<Part> parts;
    Status status = Status::need_more; // the last step: done, error, or need_more at the end
    MultipartError error = MultipartError::none;
    bool done = false;

    bool operator==(const Parsed&) const = default;
};

std::string escaped(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    return out.size() > 200 ? out.substr(0, 200) + "..." : out;
}

void PrintTo(const Parsed& p, std::ostream* os) {
    *os << "{status " << static_cast<int>(p.status) << ", error '" << to_string(p.error)
        << "', done " << p.done << ", parts:";
    for (const Part& part : p.parts) {
        *os << " [";
        for (const auto& [name, value] : part.fields) *os << name << ": " << escaped(value) << "; ";
        *os << "data '" << escaped(part.data) << "' (" << part.data.size() << ")"
            << (part.ended ? "" : " unended") << "]";
    }
    *os << "}";
}

bool inside(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// Feeds `body` to one parser as a connection would: the bytes received so far grow to
// piece_end(received) at each read, and each call gets what is not yet consumed — the
// held-back tail in front of the new bytes. `guarded`: each call's input ends at an unreadable
// page, so a read past it crashes.
template <class PieceEnd>
Parsed feed(std::string_view body, std::string_view boundary, const MultipartLimits& limits,
            PieceEnd piece_end, bool guarded = false) {
    MultipartParser mp(boundary, limits);
    Parsed out;
    std::size_t offset = 0;   // consumed
    std::size_t received = 0; // fed
    for (;;) {
        received = piece_end(received);
        for (;;) {
            std::string_view in = body.substr(offset, received - offset);
            std::optional<test::GuardedBuffer> guard;
            if (guarded) in = guard.emplace(in).view();
            const auto step = mp.parse(in);
            EXPECT_LE(step.consumed, in.size());
            offset += step.consumed;
            out.status = step.status;
            if (step.status == Status::part) {
                Part p;
                p.ended = false;
                for (const Field& f : mp.part_fields()) p.fields.emplace_back(f.name, f.value);
                out.parts.push_back(std::move(p));
                continue;
            }
            if (step.status == Status::data || step.status == Status::part_end) {
                if (out.parts.empty() || out.parts.back().ended) {
                    ADD_FAILURE() << "content outside a part";
                    break;
                }
                if (step.status == Status::part_end) {
                    EXPECT_TRUE(step.data.empty());
                    out.parts.back().ended = true;
                } else {
                    EXPECT_FALSE(step.data.empty());
                    EXPECT_TRUE(inside(step.data, in)) << "data is a view into the input";
                    out.parts.back().data.append(step.data);
                }
                continue;
            }
            if (step.status == Status::need_more) {
                EXPECT_LE(received - offset, boundary.size() + 4) << "held back too much";
                EXPECT_LE(received - offset, mp.max_held_back());
            }
            if (step.status == Status::done) {
                EXPECT_EQ(offset, received) << "epilogue consumed";
            }
            break;
        }
        if (out.status != Status::need_more || received == body.size()) break;
    }
    out.error = mp.error();
    out.done = mp.done();
    return out;
}

Parsed parse(std::string_view body, std::string_view boundary = "b",
             const MultipartLimits& limits = {}) {
    return feed(
        body, boundary, limits, [&](std::size_t) { return body.size(); }, true);
}

Parsed parse_pieces(std::string_view body, std::string_view boundary, std::size_t piece,
                    const MultipartLimits& limits = {}, bool guarded = false) {
    return feed(
        body, boundary, limits, [&](std::size_t at) { return std::min(body.size(), at + piece); },
        guarded);
}

Parsed parse_split_at(std::string_view body, std::string_view boundary, std::size_t split,
                      const MultipartLimits& limits) {
    return feed(body, boundary, limits,
                [&](std::size_t at) { return at < split ? split : body.size(); });
}

// Splitting the body anywhere — at each single point, or into equal pieces down to single
// bytes — gives what parsing it whole gives; returns that.
Parsed expect_any_split_same(std::string_view body, std::string_view boundary = "b",
                             const MultipartLimits& limits = {}) {
    const Parsed whole = parse(body, boundary, limits);
    for (std::size_t split = 0; split <= body.size(); ++split)
        EXPECT_EQ(parse_split_at(body, boundary, split, limits), whole) << "split at " << split;
    EXPECT_EQ(parse_pieces(body, boundary, 1, limits, true), whole) << "byte by byte";
    for (std::size_t piece : {2u, 3u, 7u, 16u})
        EXPECT_EQ(parse_pieces(body, boundary, piece, limits), whole) << "pieces of " << piece;
    return whole;
}

Part part(std::vector<std::pair<std::string, std::string>> fields, std::string data) {
    return Part{std::move(fields), std::move(data), true};
}

Parsed done_with(std::vector<Part> parts) {
    return Parsed{std::move(parts), Status::done, MultipartError::none, true};
}

// `curl -F a=1 -F f=@data.txt -F 'g=@data.txt;filename=x y.bin;type=application/octet-stream'`
// (curl 7.88), data.txt holding "hello\r\n--world\r\n": captured from the wire.
constexpr std::string_view kCurlBoundary = "------------------------56620b585d6cc056";
constexpr std::string_view kCurlBody = "--------------------------56620b585d6cc056\r\n"
                                       "Content-Disposition: form-data; name=\"a\"\r\n"
                                       "\r\n"
                                       "1\r\n"
                                       "--------------------------56620b585d6cc056\r\n"
                                       "Content-Disposition: form-data; name=\"f\"; "
                                       "filename=\"data.txt\"\r\n"
                                       "Content-Type: text/plain\r\n"
                                       "\r\n"
                                       "hello\r\n"
                                       "--world\r\n"
                                       "\r\n"
                                       "--------------------------56620b585d6cc056\r\n"
                                       "Content-Disposition: form-data; name=\"g\"; "
                                       "filename=\"x y.bin\"\r\n"
                                       "Content-Type: application/octet-stream\r\n"
                                       "\r\n"
                                       "hello\r\n"
                                       "--world\r\n"
                                       "\r\n"
                                       "--------------------------56620b585d6cc056--\r\n";

// Headless Chromium 156 submitting a form (text, empty text, textarea, a file named
// `résumé "v2".txt` set through DataTransfer, an empty file input): captured from the wire.
constexpr std::string_view kChromiumBoundary = "----WebKitFormBoundarybTghOqFL4ICAgxOV";
constexpr std::string_view kChromiumBody =
    "------WebKitFormBoundarybTghOqFL4ICAgxOV\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "Caf\xc3\xa9 \"quoted\"\r\n"
    "------WebKitFormBoundarybTghOqFL4ICAgxOV\r\n"
    "Content-Disposition: form-data; name=\"empty\"\r\n"
    "\r\n"
    "\r\n"
    "------WebKitFormBoundarybTghOqFL4ICAgxOV\r\n"
    "Content-Disposition: form-data; name=\"note\"\r\n"
    "\r\n"
    "two\r\n"
    "lines\r\n"
    "------WebKitFormBoundarybTghOqFL4ICAgxOV\r\n"
    "Content-Disposition: form-data; name=\"doc\"; filename=\"r\xc3\xa9sum\xc3\xa9 "
    "%22v2%22.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "line1\r\n"
    "--not a boundary\r\n"
    "line3\n"
    "\r\n"
    "------WebKitFormBoundarybTghOqFL4ICAgxOV\r\n"
    "Content-Disposition: form-data; name=\"none\"; filename=\"\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "\r\n"
    "------WebKitFormBoundarybTghOqFL4ICAgxOV--\r\n";

TEST(MultipartBoundary, FromContentType) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundarybTghOqFL4I"
                                 "CAgxOV"),
              "----WebKitFormBoundarybTghOqFL4ICAgxOV");
    EXPECT_EQ(multipart_boundary("Multipart/Mixed;Boundary=x"), "x");
    EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; boundary=\"a b:c?=d\""),
              "a b:c?=d");
    const std::string b70(70, 'z');
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + b70), b70);

    for (const char* bad : {
             "text/plain; boundary=x",                           // not multipart
             "multipart/form-data",                              // no boundary
             "multipart/form-data; boundary=\"\"",               // empty
             "multipart/form-data; boundary=\"ends in space \"", // trailing space
             "multipart/form-data; boundary=\"a\\\"b\"",         // '"' is not a bchar
             "multipart/form-data; boundary=a*b",                // nor is '*'
             "multipart/form-data; boundary=\"a\tb\"",           // nor HTAB
             "multipart/form-data; boundary=x; boundary=y",      // which one?
             "multipart/; boundary=x",                           // not a media type
         })
        EXPECT_EQ(multipart_boundary(bad), std::nullopt) << bad;
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + b70 + "z"), std::nullopt);
}

TEST(MultipartParser, CurlBody) {
    const Parsed p = expect_any_split_same(kCurlBody, kCurlBoundary);
    EXPECT_EQ(p, done_with({
                     part({{"Content-Disposition", "form-data; name=\"a\""}}, "1"),
                     part({{"Content-Disposition", "form-data; name=\"f\"; filename=\"data.txt\""},
                           {"Content-Type", "text/plain"}},
                          "hello\r\n--world\r\n"),
                     part({{"Content-Disposition", "form-data; name=\"g\"; filename=\"x y.bin\""},
                           {"Content-Type", "application/octet-stream"}},
                          "hello\r\n--world\r\n"),
                 }));
}

TEST(MultipartParser, ChromiumBody) {
    const Parsed p = expect_any_split_same(kChromiumBody, kChromiumBoundary);
    EXPECT_EQ(p, done_with({
                     part({{"Content-Disposition", "form-data; name=\"title\""}},
                          "Caf\xc3\xa9 \"quoted\""),
                     part({{"Content-Disposition", "form-data; name=\"empty\""}}, ""),
                     part({{"Content-Disposition", "form-data; name=\"note\""}}, "two\r\nlines"),
                     part({{"Content-Disposition",
                            "form-data; name=\"doc\"; filename=\"r\xc3\xa9sum\xc3\xa9 "
                            "%22v2%22.txt\""},
                           {"Content-Type", "text/plain"}},
                          "line1\r\n--not a boundary\r\nline3\n"),
                     part({{"Content-Disposition", "form-data; name=\"none\"; filename=\"\""},
                           {"Content-Type", "application/octet-stream"}},
                          ""),
                 }));
    ASSERT_EQ(p.parts.size(), 5u);
    ASSERT_FALSE(p.parts[3].fields.empty());
    const auto cd = parse_content_disposition(p.parts[3].fields[0].second);
    ASSERT_TRUE(cd);
    EXPECT_EQ(cd->type, "form-data");
    EXPECT_EQ(cd->name, "doc");
    EXPECT_EQ(cd->filename, "r\xc3\xa9sum\xc3\xa9 %22v2%22.txt"); // WHATWG's %22 left alone
    EXPECT_EQ(parse_content_disposition(p.parts[4].fields[0].second)->filename, "");
    EXPECT_EQ(parse_content_disposition(p.parts[0].fields[0].second)->filename, std::nullopt);
}

TEST(MultipartParser, PartFieldsAreLookedUpById) {
    MultipartParser mp(kCurlBoundary);
    std::string_view in = kCurlBody;
    int parts = 0;
    for (;;) {
        const auto step = mp.parse(in);
        in.remove_prefix(step.consumed);
        if (step.status == Status::part) ++parts;
        if (step.status == Status::part_end && parts == 2) {
            // Still there after the part's content, until the next part.
            EXPECT_EQ(mp.part_fields().get(FieldId::content_type), "text/plain");
            EXPECT_EQ(mp.part_fields().get("content-disposition"),
                      "form-data; name=\"f\"; filename=\"data.txt\"");
        }
        if (step.status == Status::done || step.status == Status::error) break;
        ASSERT_NE(step.status, Status::need_more);
    }
    EXPECT_TRUE(mp.done());
    EXPECT_EQ(mp.parts(), 3u);
    EXPECT_EQ(mp.error(), MultipartError::none);
}

TEST(MultipartParser, FieldsSurviveAMove) {
    MultipartParser mp("b");
    std::string_view in = "--b\r\nContent-Type: a/b\r\n\r\nxyz\r\n--b--";
    auto step = mp.parse(in);
    ASSERT_EQ(step.status, Status::part);
    in.remove_prefix(step.consumed);
    MultipartParser moved = std::move(mp);
    EXPECT_EQ(moved.part_fields().get(FieldId::content_type), "a/b");
    step = moved.parse(in);
    EXPECT_EQ(step.status, Status::data);
    EXPECT_EQ(step.data, "xyz");
}

TEST(MultipartParser, ContentThatLooksLikeADelimiter) {
    // Everything here is content: "\r\n--" and cut-off boundaries, a boundary without its
    // CRLF or with a bare LF, CRs in a row before the real delimiter.
    const std::string content = "\r\n--\r\n-\r\n--bound\r\n--boundar\r\r\n--boundarX--boundary"
                                "\n--boundary\r--boundary\r\n-x\r\r\r";
    const std::string body = "--boundary\r\n\r\n" + content + "\r\n--boundary--";
    EXPECT_EQ(expect_any_split_same(body, "boundary"), done_with({part({}, content)}));

    // Content ending with what could have begun a delimiter.
    for (const char* tail : {"\r", "\r\n", "\r\n-", "\r\n--", "\r\n--boundar", "\r\r\n--b"}) {
        const std::string c = std::string("data") + tail;
        EXPECT_EQ(expect_any_split_same("--boundary\r\n\r\n" + c + "\r\n--boundary--", "boundary"),
                  done_with({part({}, c)}))
            << escaped(tail);
    }
}

TEST(MultipartParser, CrlfAtTheEdgesOfContent) {
    EXPECT_EQ(expect_any_split_same("--b\r\n\r\n\r\n\r\n--b--"), done_with({part({}, "\r\n")}));
    EXPECT_EQ(expect_any_split_same("--b\r\n\r\n\r\nmid\r\n\r\n\r\n--b--"),
              done_with({part({}, "\r\nmid\r\n\r\n")}));
    // A body that opens with CRLF: an empty preamble.
    EXPECT_EQ(expect_any_split_same("\r\n--b\r\n\r\nx\r\n--b--"), done_with({part({}, "x")}));
}

TEST(MultipartParser, EmptyParts) {
    // No fields, no content.
    EXPECT_EQ(expect_any_split_same("--b\r\n\r\n\r\n--b--"), done_with({part({}, "")}));
    // RFC 2046: body-part := MIME-part-headers [CRLF *OCTET] — with no content, the CRLF that
    // ends the head is also the one before the delimiter.
    EXPECT_EQ(expect_any_split_same("--b\r\n\r\n--b--"), done_with({part({}, "")}));
    EXPECT_EQ(expect_any_split_same("--b\r\nA: 1\r\n\r\n--b\r\nB: 2\r\n\r\n\r\n--b--"),
              done_with({part({{"A", "1"}}, ""), part({{"B", "2"}}, "")}));
    // No part at all: what browsers send for a form without fields.
    EXPECT_EQ(expect_any_split_same("--b--\r\n"), done_with({}));
}

TEST(MultipartParser, PreambleAndEpilogueAreIgnored) {
    const std::string_view body = "This is the preamble. --b is not a delimiter here\r\n"
                                  "nor \n--b here.\r\n"
                                  "--b\r\n"
                                  "X: y\r\n"
                                  "\r\n"
                                  "content\r\n"
                                  "--b--\r\n"
                                  "epilogue\r\n--b\r\nnot a part\r\n--b--garbage";
    EXPECT_EQ(expect_any_split_same(body), done_with({part({{"X", "y"}}, "content")}));

    MultipartParser mp("b");
    EXPECT_EQ(mp.parse("--b--").status, Status::done);
    constexpr std::string_view epilogue = "anything \r\n--b\r\n at all";
    const auto after = mp.parse(epilogue);
    EXPECT_EQ(after.status, Status::done);
    EXPECT_EQ(after.consumed, epilogue.size());
    EXPECT_TRUE(mp.done());
}

TEST(MultipartParser, TransportPadding) {
    EXPECT_EQ(expect_any_split_same("--b \t \r\nA: 1\r\n\r\none\r\n--b\t\r\n\r\ntwo\r\n--b-- \r\n"),
              done_with({part({{"A", "1"}}, "one"), part({}, "two")}));
}

TEST(MultipartParser, HeaderLines) {
    // OWS around values trimmed, empty values, any token as a name, obs-text (UTF-8) kept.
    EXPECT_EQ(expect_any_split_same("--b\r\nA:1\r\nB-c:  \t two words \t\r\nD:\r\n!#$%&'*+-.^_`|~:"
                                    "x\r\nE: caf\xc3\xa9\r\n\r\nz\r\n--b--"),
              done_with({part({{"A", "1"},
                               {"B-c", "two words"},
                               {"D", ""},
                               {"!#$%&'*+-.^_`|~", "x"},
                               {"E", "caf\xc3\xa9"}},
                              "z")}));
}

struct ErrorCase {
    const char* name;
    std::string_view body;
    MultipartError error;
};

TEST(MultipartParser, Errors) {
    using E = MultipartError;
    const ErrorCase cases[] = {
        {"space before colon", "--b\r\nA : 1\r\n\r\n", E::bad_header_line},
        {"space in name", "--b\r\nA b: 1\r\n\r\n", E::bad_header_line},
        {"empty name", "--b\r\n: 1\r\n\r\n", E::bad_header_line},
        {"no colon", "--b\r\nJust text\r\n\r\n", E::bad_header_line},
        {"obs-fold", "--b\r\nA: 1\r\n  continued\r\n\r\n", E::bad_header_line},
        {"bare LF ending a line", "--b\r\nA: 1\nB: 2\r\n\r\n", E::bad_header_line},
        {"bare LF as the empty line", "--b\r\nA: 1\r\n\n", E::bad_header_line},
        {"bare CR in a value", "--b\r\nA: 1\rB: 2\r\n\r\n", E::bad_header_line},
        {"CR CR LF", "--b\r\nA: 1\r\r\n\r\n", E::bad_header_line},
        {"NUL in a value", "--b\r\nA: 1\0002\r\n\r\n"sv, E::bad_header_line},
        {"control in a value", "--b\r\nA: \x01\r\n\r\n", E::bad_header_line},
        {"DEL in a value", "--b\r\nA: \x7f\r\n\r\n", E::bad_header_line},
        {"non-token name", "--b\r\nA\xc3\xa9: 1\r\n\r\n", E::bad_header_line},
        {"two Content-Dispositions",
         "--b\r\nContent-Disposition: form-data; name=a\r\ncontent-disposition: form-data; "
         "name=b\r\n\r\n",
         E::bad_header_line},
        {"two Content-Types", "--b\r\nContent-Type: a/b\r\nContent-Type: c/d\r\n\r\n",
         E::bad_header_line},
        {"boundary followed by text", "--b\r\n\r\nx\r\n--bX\r\n", E::bad_delimiter_line},
        {"first boundary followed by text", "--bX\r\n\r\n", E::bad_delimiter_line},
        {"boundary in the preamble followed by text", "pre\r\n--bb\r\n", E::bad_delimiter_line},
        {"padding then text", "--b \tx\r\n", E::bad_delimiter_line},
        {"padding then close", "--b --\r\n", E::bad_delimiter_line},
        {"single dash", "--b-\r\n", E::bad_delimiter_line},
        {"bare LF after the boundary", "--b\n\r\n", E::bad_delimiter_line},
        {"bare CR after the boundary", "--b\rX", E::bad_delimiter_line},
        {"bare LF after padding", "--b \n", E::bad_delimiter_line},
    };
    for (const ErrorCase& c : cases) {
        SCOPED_TRACE(c.name);
        const Parsed p = expect_any_split_same(c.body);
        EXPECT_EQ(p.status, Status::error);
        EXPECT_EQ(p.error, c.error) << to_string(p.error);
        EXPECT_FALSE(p.done);
    }
}

TEST(MultipartParser, ErrorIsFinal) {
    MultipartParser mp("b");
    EXPECT_EQ(mp.parse("--bX").status, Status::error);
    const auto again = mp.parse("--b\r\n\r\n");
    EXPECT_EQ(again.status, Status::error);
    EXPECT_EQ(again.consumed, 0u);
    EXPECT_EQ(mp.error(), MultipartError::bad_delimiter_line);
    EXPECT_EQ(to_string(mp.error()), "invalid multipart boundary line");
}

TEST(MultipartParser, InvalidBoundary) {
    for (std::string_view bad : {""sv, "a\r\nb"sv, "ends "sv, "semi;colon"sv, "b\0"sv}) {
        MultipartParser mp(bad);
        EXPECT_EQ(mp.error(), MultipartError::bad_boundary) << escaped(bad);
        EXPECT_EQ(mp.parse("--b\r\n").status, Status::error);
    }
    MultipartParser too_long(std::string(71, 'x'));
    EXPECT_EQ(too_long.parse("").status, Status::error);
    MultipartParser longest(std::string(70, 'x'));
    EXPECT_EQ(longest.parse("").status, Status::need_more);
}

std::string parts_body(std::size_t n) {
    std::string body;
    for (std::size_t i = 0; i < n; ++i) body += "--b\r\n\r\nx\r\n";
    return body + "--b--";
}

TEST(MultipartParser, PartLimit) {
    const Parsed at_limit = parse(parts_body(1000));
    EXPECT_EQ(at_limit.status, Status::done);
    EXPECT_EQ(at_limit.parts.size(), 1000u);

    // The 1001st part's delimiter line is where it stops: its head is never read.
    const Parsed over = parse(parts_body(1001));
    EXPECT_EQ(over.status, Status::error);
    EXPECT_EQ(over.error, MultipartError::too_many_parts);
    EXPECT_EQ(over.parts.size(), 1000u);
    EXPECT_TRUE(over.parts.back().ended);

    MultipartLimits limits;
    limits.max_parts = 2;
    EXPECT_EQ(expect_any_split_same(parts_body(2), "b", limits).status, Status::done);
    EXPECT_EQ(expect_any_split_same(parts_body(3), "b", limits).error,
              MultipartError::too_many_parts);
    // Zero parts are not "too many" even at a limit of 0.
    limits.max_parts = 0;
    EXPECT_EQ(parse("--b--", "b", limits).status, Status::done);
    EXPECT_EQ(parse("--b\r\n", "b", limits).error, MultipartError::too_many_parts);
}

TEST(MultipartParser, HeadLimit) {
    // 16 KiB exactly: "X: " value CRLF, then the empty line.
    const std::string value(16 * 1024 - 7, 'v');
    const std::string at_limit = "--b\r\nX: " + value + "\r\n\r\ndata\r\n--b--";
    const Parsed ok = parse(at_limit);
    EXPECT_EQ(ok, done_with({part({{"X", value}}, "data")}));
    EXPECT_EQ(parse_pieces(at_limit, "b", 1000), ok);

    const std::string over = "--b\r\nX: " + value + "v\r\n\r\ndata\r\n--b--";
    EXPECT_EQ(parse(over).error, MultipartError::part_head_too_large);
    EXPECT_EQ(parse_pieces(over, "b", 1000).error, MultipartError::part_head_too_large);
    // A head line that never ends stops at the limit, not at the end of the body.
    const std::string endless = "--b\r\nX: " + std::string(1 << 20, 'v');
    EXPECT_EQ(parse_pieces(endless, "b", 4096).error, MultipartError::part_head_too_large);

    // Small limits, every split: transport padding counts; each head has its own budget.
    MultipartLimits limits;
    limits.max_part_head = 10;
    const auto verdict = [&](std::string_view body) {
        const Parsed p = expect_any_split_same(body, "b", limits);
        return p.status == Status::done ? MultipartError::none : p.error;
    };
    using E = MultipartError;
    EXPECT_EQ(verdict("--b\r\nA: 123\r\n\r\n\r\n--b\r\nB: 456\r\n\r\n\r\n--b--"), E::none);
    EXPECT_EQ(verdict("--b\r\nA: 1234\r\n\r\n\r\n--b--"), E::part_head_too_large);
    EXPECT_EQ(verdict("--b\r\nA: 1\r\nB: 2\r\n\r\n--b--"), E::part_head_too_large);
    EXPECT_EQ(verdict("--b  \r\nA: 1\r\n\r\n\r\n--b--"), E::none);
    EXPECT_EQ(verdict("--b   \r\nA: 1\r\n\r\n\r\n--b--"), E::part_head_too_large);
    EXPECT_EQ(verdict("--b" + std::string(11, ' ')), E::part_head_too_large);
}

TEST(MultipartParser, PreambleLimit) {
    MultipartLimits limits;
    limits.max_preamble = 10;
    // Preamble bytes are those before the delimiter's CRLF; a CR that does not start one is
    // one of them.
    EXPECT_EQ(expect_any_split_same("0123456789\r\n--b--", "b", limits).status, Status::done);
    EXPECT_EQ(expect_any_split_same("012345678\r\r\n--b--", "b", limits).status, Status::done);
    EXPECT_EQ(expect_any_split_same("0123456789a\r\n--b--", "b", limits).error,
              MultipartError::preamble_too_large);
    EXPECT_EQ(expect_any_split_same("0123456789\r\r\n--b--", "b", limits).error,
              MultipartError::preamble_too_large);

    // A boundary that never comes: refused after the default 64 KiB, long before the end.
    const std::string endless(1 << 20, 'x');
    MultipartParser mp("b");
    std::string_view in = endless;
    std::size_t consumed = 0;
    for (;;) {
        const auto step = mp.parse(in.substr(0, 4096));
        consumed += step.consumed;
        in.remove_prefix(step.consumed);
        if (step.status != Status::need_more) {
            EXPECT_EQ(step.status, Status::error);
            break;
        }
    }
    EXPECT_EQ(mp.error(), MultipartError::preamble_too_large);
    EXPECT_LE(consumed, 64u * 1024);
}

TEST(MultipartParser, TruncatedBodies) {
    const std::string_view full = "--b\r\nA: 1\r\n\r\ncontent\r\n--b--";
    for (std::size_t cut = 0; cut < full.size(); ++cut) {
        const Parsed p = parse(full.substr(0, cut));
        EXPECT_EQ(p.status, Status::need_more) << "cut at " << cut;
        EXPECT_FALSE(p.done) << "cut at " << cut;
        EXPECT_EQ(p.error, MultipartError::none);
    }
    // At the end of the body, what the parser held back is the start of a delimiter that never
    // came.
    MultipartParser mp("boundary");
    EXPECT_EQ(mp.parse("--boundary\r\n\r\n").status, Status::part);
    const auto step = mp.parse("abc\r\n--bound");
    EXPECT_EQ(step.status, Status::data);
    EXPECT_EQ(step.data, "abc");
    EXPECT_EQ(mp.parse("\r\n--bound").status, Status::need_more);
    EXPECT_FALSE(mp.done());
}

TEST(MultipartParser, HeldBackTailIsResumedNotRescanned) {
    MultipartParser mp("boundary");
    EXPECT_EQ(mp.parse("--boundary\r\n\r\n").status, Status::part);
    auto step = mp.parse("abc\r\n--bou");
    EXPECT_EQ(step.status, Status::data);
    EXPECT_EQ(step.consumed, 3u);
    step = mp.parse("\r\n--bou");
    EXPECT_EQ(step.status, Status::need_more);
    EXPECT_EQ(step.consumed, 0u);
    // The rest of the delimiter arrives after the tail.
    step = mp.parse("\r\n--boundary--");
    EXPECT_EQ(step.status, Status::part_end);
    EXPECT_EQ(step.consumed, 12u);
    EXPECT_EQ(mp.parse("--").status, Status::done);
}

// "\r\n-" over and over with a 70-byte boundary: every CR starts a candidate that fails three
// bytes later. A search that rescanned its candidates, or the held-back tail on each call,
// would take O(n * boundary) here. Only correctness is asserted; the time is printed.
TEST(MultipartParser, NoQuadraticBehaviour) {
    const std::string boundary(70, 'q');
    std::string content;
    content.reserve(8 << 20);
    while (content.size() < (8 << 20)) content += "\r\n-";
    // And near-delimiters that fail at their last byte.
    std::string near = "\r\n--" + boundary;
    near.back() = 'x';
    std::string near_content;
    while (near_content.size() < (1 << 20)) near_content += near;
    for (const std::string* c : {&content, &near_content}) {
        const std::string body = "--" + boundary + "\r\n\r\n" + *c + "\r\n--" + boundary + "--";
        // Byte by byte (8 million calls) only for the shorter one: the test harness, not the
        // parser, is what takes time then.
        for (std::size_t piece : {std::size_t{0}, std::size_t{4096}, std::size_t{1}}) {
            if (piece == 1 && c == &content) continue;
            const auto t0 = std::chrono::steady_clock::now();
            const Parsed p =
                piece == 0 ? parse(body, boundary) : parse_pieces(body, boundary, piece);
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - t0)
                                .count();
            const std::string how = piece == 0 ? "whole" : "in pieces of " + std::to_string(piece);
            std::printf("  %zu KiB of near-delimiters, %s: %lld ms\n", body.size() >> 10,
                        how.c_str(), static_cast<long long>(ms));
            ASSERT_EQ(p.status, Status::done);
            ASSERT_EQ(p.parts.size(), 1u);
            EXPECT_TRUE(p.parts[0].data == *c);
        }
    }
}

TEST(ContentDisposition, Parses) {
    auto cd = parse_content_disposition("form-data; name=\"f\"; filename=\"a b.txt\"");
    ASSERT_TRUE(cd);
    EXPECT_EQ(cd->type, "form-data");
    EXPECT_EQ(cd->name, "f");
    EXPECT_EQ(cd->filename, "a b.txt");

    cd = parse_content_disposition("Form-Data;NAME=f;FileName=a.txt;other=\"x\"");
    ASSERT_TRUE(cd);
    EXPECT_EQ(cd->type, "form-data");
    EXPECT_EQ(cd->name, "f");
    EXPECT_EQ(cd->filename, "a.txt");

    cd = parse_content_disposition("  form-data ; name = \"f\" ;; ");
    ASSERT_TRUE(cd);
    EXPECT_EQ(cd->name, "f");
    EXPECT_EQ(cd->filename, std::nullopt);

    cd = parse_content_disposition("attachment");
    ASSERT_TRUE(cd);
    EXPECT_EQ(cd->type, "attachment");
    EXPECT_EQ(cd->name, "");
}

TEST(ContentDisposition, QuotedStrings) {
    const auto filename = [](std::string_view v) -> std::optional<std::string> {
        const auto cd = parse_content_disposition(v);
        return cd ? cd->filename : std::optional<std::string>("<invalid>");
    };
    EXPECT_EQ(filename("form-data; filename=\"a\\\"b.txt\""), "a\"b.txt");
    EXPECT_EQ(filename("form-data; filename=\"a\\\\b\""), "a\\b");
    // Old IE's unescaped Windows paths: a backslash before anything else is itself.
    EXPECT_EQ(filename("form-data; filename=\"C:\\Users\\me\\a.txt\""), "C:\\Users\\me\\a.txt");
    // WHATWG's escapes are not undone.
    EXPECT_EQ(filename("form-data; filename=\"a%22b%0D%0Ac.txt\""), "a%22b%0D%0Ac.txt");
    EXPECT_EQ(filename("form-data; filename=\"\xe4\xb8\xad\xe6\x96\x87.txt\""),
              "\xe4\xb8\xad\xe6\x96\x87.txt");
    EXPECT_EQ(filename("form-data; filename=\"a;b=c\""), "a;b=c");
    EXPECT_EQ(filename("form-data; filename=\"\""), "");
}

TEST(ContentDisposition, ExtendedFilename) {
    const auto filename = [](std::string_view v) -> std::optional<std::string> {
        const auto cd = parse_content_disposition(v);
        return cd ? cd->filename : std::optional<std::string>("<invalid>");
    };
    EXPECT_EQ(filename("form-data; name=f; filename*=UTF-8''%e2%82%ac.txt"), "\xe2\x82\xac.txt");
    // Preferred over filename, whichever comes first.
    EXPECT_EQ(filename("form-data; filename=\"euro.txt\"; filename*=utf-8'en'%E2%82%AC.txt"),
              "\xe2\x82\xac.txt");
    EXPECT_EQ(filename("form-data; filename*=UTF-8''%e2%82%ac.txt; filename=\"euro.txt\""),
              "\xe2\x82\xac.txt");
    EXPECT_EQ(filename("attachment; FILENAME*=iso-8859-1'de'%E9t%E9_1.txt"),
              "\xc3\xa9t\xc3\xa9_1.txt");
    // Decoded as sent, NUL and '/' included: safe_upload_name is what refuses them.
    EXPECT_EQ(filename("form-data; filename*=UTF-8''a%2Fb%00"), std::string("a/b\0", 4));

    for (const char* bad : {
             "form-data; filename*=koi8-r''x",        // a charset nobody must support
             "form-data; filename*=UTF-8''%e2%8",     // cut percent-encoding
             "form-data; filename*=UTF-8''%zz",       // not hex
             "form-data; filename*=x.txt",            // no charset
             "form-data; filename*=UTF-8'x.txt",      // no language
             "form-data; filename*=\"UTF-8''a.txt\"", // quoted
             "form-data; filename*=UTF-8''a*b",       // not an attr-char
             "form-data; filename*=UTF-8''a'b",       // nor is this
             "form-data; filename*=UTF-8'e n'a",      // nor this a language
             "form-data; filename*=UTF-8''a; filename*=UTF-8''b",
         })
        EXPECT_EQ(filename(bad), "<invalid>") << bad;
}

TEST(ContentDisposition, Refuses) {
    for (std::string_view bad : {
             ""sv,
             "; name=x"sv,                                  // no type
             "form-data name=x"sv,                          // no ";"
             "form-data; name"sv,                           // no "="
             "form-data; name="sv,                          // no value
             "form-data; =x"sv,                             // no name
             "form-data; name=\"unterminated"sv,            // no closing quote
             "form-data; name=\"a\\\""sv,                   // the quote is escaped
             "form-data; name=\"a\"x"sv,                    // text after the quotes
             "form-data; name=a b"sv,                       // two tokens
             "form-data; name=\"a\x01\""sv,                 // a control
             "form-data; name=\"a\"; name=\"b\""sv,         // which name?
             "form-data; NAME=a; name=b"sv,                 // case-insensitively
             "form-data; filename=\"a\"; FileName=\"b\""sv, // which file?
             "form-data; a=1; b=2; c=3; d=4; e=5; f=6; g=7; h=8; i=9; j=10; k=11; l=12; m=13; "
             "n=14; o=15; p=16; q=17"sv, // more than any form sends
         })
        EXPECT_EQ(parse_content_disposition(bad), std::nullopt) << escaped(bad);
}

} // namespace
} // namespace pier
