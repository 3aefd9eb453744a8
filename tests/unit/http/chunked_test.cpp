#include "codec_test_support.hpp"

#include <pier/chunked.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pier {
namespace {

using namespace std::string_view_literals;

struct Decoded {
    ChunkedDecoder::Status status = ChunkedDecoder::Status::need_more;
    ParseError error = ParseError::none;
    std::string content;
    std::size_t consumed = 0; // input bytes used up to done/error
    std::vector<std::pair<std::string, std::string>> trailers;

    bool operator==(const Decoded&) const = default;
};

// Feeds `input` to one decoder in pieces, as a connection would: the piece starting at
// `offset` ends at piece_end(offset).
template <class PieceEnd>
Decoded feed(std::string_view input, const Limits& limits, PieceEnd piece_end) {
    ChunkedDecoder dec(limits);
    Decoded out;
    std::size_t offset = 0;
    while (offset <= input.size()) {
        const std::size_t end = piece_end(offset);
        std::string_view in = input.substr(offset, end - offset);
        for (;;) {
            const auto step = dec.decode(in);
            in.remove_prefix(step.consumed);
            offset += step.consumed;
            out.content.append(step.data);
            out.status = step.status;
            if (step.status != ChunkedDecoder::Status::data) break;
        }
        if (out.status != ChunkedDecoder::Status::need_more || end == input.size()) break;
    }
    out.error = dec.error();
    // Where in the input an error is noticed depends on how the input was split: only the
    // verdict is compared then.
    out.consumed = out.status == ChunkedDecoder::Status::error ? 0 : offset;
    for (const Field& f : dec.trailers()) out.trailers.emplace_back(f.name, f.value);
    return out;
}

// Feeds `input` in pieces of `piece` bytes (0 = all at once).
Decoded decode(std::string_view input, std::size_t piece = 0, const Limits& limits = {}) {
    return feed(input, limits, [&](std::size_t offset) {
        return piece == 0 ? input.size() : std::min(input.size(), offset + piece);
    });
}

// Feeds `input` as two pieces, the first `split` bytes long.
Decoded decode_split_at(std::string_view input, std::size_t split, const Limits& limits) {
    return feed(input, limits,
                [&](std::size_t offset) { return offset < split ? split : input.size(); });
}

// Splitting the input anywhere — at each single point, or into equal pieces down to single
// bytes — gives the one-shot result.
void expect_any_split_same(std::string_view input, const Limits& limits = {}) {
    const Decoded whole = decode(input, 0, limits);
    for (std::size_t split = 0; split <= input.size(); ++split)
        EXPECT_EQ(decode_split_at(input, split, limits), whole) << "split at " << split;
    for (std::size_t piece : {1u, 2u, 3u, 7u, 16u})
        EXPECT_EQ(decode(input, piece, limits), whole) << "pieces of " << piece;
}

TEST(ChunkedDecoder, DecodesChunksExtensionsAndTrailers) {
    struct C {
        const char* name;
        std::string_view input;
        std::string_view content;
        std::size_t trailers;
    };
    const C cases[] = {
        {"one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", 0},
        {"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", 0},
        {"upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789", 0},
        {"leading zeros", "0000000000000000005\r\nhello\r\n0\r\n\r\n", "hello", 0},
        {"extensions", "5;a=b;c=\"d;e\"\r\nhello\r\n0;last\r\n\r\n", "hello", 0},
        {"BWS before extension", "5 ;a=b\r\nhello\r\n0\r\n\r\n", "hello", 0},
        {"trailers", "5\r\nhello\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n", "hello", 2},
        {"LF-only trailer lines", "0\r\nX: 1\n\n", "", 1},
        {"empty body", "0\r\n\r\n", "", 0},
        {"CRLF inside data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n", 0},
    };
    for (const auto& c : cases) {
        const Decoded d = decode(c.input);
        EXPECT_EQ(d.status, ChunkedDecoder::Status::done) << c.name << ": " << to_string(d.error);
        EXPECT_EQ(d.content, c.content) << c.name;
        EXPECT_EQ(d.trailers.size(), c.trailers) << c.name;
        EXPECT_EQ(d.consumed, c.input.size()) << c.name;
        expect_any_split_same(c.input);
    }
}

TEST(ChunkedDecoder, StopsAtTheEndOfTheMessage) {
    const std::string_view wire = "3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.1\r\n";
    const Decoded d = decode(wire);
    EXPECT_EQ(d.status, ChunkedDecoder::Status::done);
    EXPECT_EQ(d.consumed, 13u); // the pipelined request after it is untouched
}

TEST(ChunkedDecoder, DataIsAViewIntoTheInput) {
    const std::string wire = "5\r\nhello\r\n0\r\n\r\n";
    ChunkedDecoder dec;
    const auto step = dec.decode(wire);
    ASSERT_EQ(step.status, ChunkedDecoder::Status::data);
    EXPECT_EQ(step.data, "hello");
    EXPECT_EQ(step.data.data(), wire.data() + 3);
}

TEST(ChunkedDecoder, TrailersAreKeptApartFromHeaders) {
    const Decoded d = decode("0\r\nContent-Length: 5\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n");
    ASSERT_EQ(d.status, ChunkedDecoder::Status::done);
    ASSERT_EQ(d.trailers.size(), 3u);
    EXPECT_EQ(d.trailers[0].first, "Content-Length");
    EXPECT_EQ(d.trailers[2].second, "b");
}

TEST(ChunkedDecoder, RejectsMalformedFraming) {
    struct C {
        const char* name;
        std::string_view input;
        ParseError error;
    };
    const C cases[] = {
        {"not hex", "g\r\n", ParseError::bad_chunk_size},
        {"no size", "\r\nhello\r\n", ParseError::bad_chunk_size},
        {"leading space", " 5\r\nhello\r\n0\r\n\r\n", ParseError::bad_chunk_size},
        {"sign", "+5\r\nhello\r\n0\r\n\r\n", ParseError::bad_chunk_size},
        {"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", ParseError::bad_chunk_size},
        {"LF-only size line", "5\nhello\r\n0\r\n\r\n", ParseError::bad_chunk_size},
        {"CR without LF", "5\rhello\r\n0\r\n\r\n", ParseError::bare_cr},
        {"overflows 64 bits", "10000000000000000\r\n", ParseError::chunk_size_overflow},
        {"17 f's", "fffffffffffffffff\r\n", ParseError::chunk_size_overflow},
        {"over body limit", "ffffffffffffffff\r\n", ParseError::body_too_large},
        {"data too long", "5\r\nhelloX\r\n0\r\n\r\n", ParseError::missing_chunk_crlf},
        {"data then LF only", "5\r\nhello\n0\r\n\r\n", ParseError::missing_chunk_crlf},
        {"data then CR only", "5\r\nhello\r0\r\n\r\n", ParseError::missing_chunk_crlf},
        {"control in extension", "5;a\x01\r\nhello\r\n0\r\n\r\n", ParseError::bad_chunk_extension},
        {"NUL in extension", "5;a\0\r\nhello\r\n0\r\n\r\n"sv, ParseError::bad_chunk_extension},
        {"trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", ParseError::obs_fold},
        {"trailer bad name", "0\r\nX Y: a\r\n\r\n", ParseError::whitespace_before_colon},
        {"trailer NUL", "0\r\nX: a\0\r\n\r\n"sv, ParseError::bad_field_value},
        {"trailer bare CR", "0\r\nX: a\rb\r\n\r\n", ParseError::bare_cr},
    };
    for (const auto& c : cases) {
        const Decoded d = decode(c.input);
        EXPECT_EQ(d.status, ChunkedDecoder::Status::error) << c.name;
        EXPECT_EQ(d.error, c.error) << c.name << ": got " << to_string(d.error);
        expect_any_split_same(c.input);
    }
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), names tokens,
// values tokens or quoted-strings (RFC 9112 §7.1.1, RFC 9110 §5.6.4). Extensions are ignored,
// but one recipient reading a malformed extension differently from another is how chunk
// boundaries get smuggled, so anything off the grammar is refused.
TEST(ChunkedDecoder, ExtensionsFollowTheGrammar) {
    const std::string_view valid[] = {
        "5;a",
        "5;a=b",
        "5;a=\"q \\\" x\"",
        "5 ; a = b ; c",
        "5;a=b;c=d",
        "5\t;\ta\t=\tb",
        "5;a=\"\"",
        "5;a=\"x;y=z\"",
        "5;a=\"\t\\\t\\\\\\a\"",
        "5;a=\"\x80\xff\\\xc3\"", // obs-text, as qdtext and in a quoted-pair
        "5;!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~",
        "5;a=\"b\";c",
        "5;a=\"b\" ;c",
        "5;a ;b",
    };
    for (std::string_view ext : valid) {
        const std::string input = std::string(ext) + "\r\nhello\r\n0\r\n\r\n";
        const Decoded d = decode(input);
        EXPECT_EQ(d.status, ChunkedDecoder::Status::done) << ext << ": " << to_string(d.error);
        EXPECT_EQ(d.content, "hello") << ext;
        expect_any_split_same(input);
    }

    struct C {
        const char* name;
        std::string_view ext;
    };
    const C invalid[] = {
        {"bare ';'", "5;"},
        {"empty extension between ';'", "5;;a"},
        {"trailing ';'", "5;a;"},
        {"'=' with no value", "5;a="},
        {"'=' and BWS with no value", "5;a= "},
        {"'=' with no name", "5;=b"},
        {"whitespace inside a name", "5;a b"},
        {"whitespace between value tokens", "5;a=b c"},
        {"BWS before the end of the line", "5;a=b "},
        {"BWS after a name at the end of the line", "5;a "},
        {"BWS after the size with no ';'", "5 "},
        {"text after the size's BWS", "5 x"},
        {"unbalanced quote", "5;a=\"x"},
        {"quote ending at the end of the line", "5;a=\"x\\\""},
        {"text right after a quoted value", "5;a=\"x\"y"},
        {"quoted name", "5;\"a\"=b"},
        {"control in a quoted-pair", "5;a=\"\\\x01\""},
        {"DEL in a quoted-pair", "5;a=\"\\\x7f\""},
        {"control in a quoted-string", "5;a=\"\x01\""},
        {"DEL in a quoted-string", "5;a=\"\x7f\""},
        {"two '='", "5;a==b"},
        {"second '=' after a value", "5;a=b=c"},
        {"separator in a name", "5;a/b"},
        {"separator in a token value", "5;a=b/c"},
        {"comma between extensions", "5;a,b"},
        {"control in a name", "5;a\x01"},
        {"NUL in a name", "5;a\0"sv},
        {"LF in a quoted-string", "5;a=\"\nx\""},
    };
    for (const auto& c : invalid) {
        const std::string input = std::string(c.ext) + "\r\nhello\r\n0\r\n\r\n";
        const Decoded d = decode(input);
        EXPECT_EQ(d.status, ChunkedDecoder::Status::error) << c.name;
        EXPECT_EQ(d.error, ParseError::bad_chunk_extension)
            << c.name << ": got " << to_string(d.error);
        expect_any_split_same(input);
    }
}

// A client reads responses as curl does: what follows a chunk size up to CRLF is skipped,
// well-formed or not, still bounded and free of controls.
TEST(ChunkedDecoder, LenientExtensionsSkipWhatTheGrammarRefuses) {
    for (std::string_view ext : {"5 "sv, "5;"sv, "5;a=b c"sv, "5 ;;; junk \" here"sv}) {
        ChunkedDecoder d;
        d.set_lenient_extensions(true);
        const std::string input = std::string(ext) + "\r\nhello\r\n0\r\n\r\n";
        std::string content;
        std::string_view rest = input;
        ChunkedDecoder::Step step{};
        do {
            step = d.decode(rest);
            content.append(step.data);
            rest.remove_prefix(step.consumed);
        } while (step.status == ChunkedDecoder::Status::data);
        EXPECT_EQ(step.status, ChunkedDecoder::Status::done) << ext;
        EXPECT_EQ(content, "hello") << ext;
    }
    for (std::string_view ext : {"5;a\x01"sv, "5;a\nb"sv, "5x"sv}) {
        ChunkedDecoder d;
        d.set_lenient_extensions(true);
        const std::string input = std::string(ext) + "\r\nhello\r\n0\r\n\r\n";
        ChunkedDecoder::Step step{};
        std::string_view rest = input;
        do {
            step = d.decode(rest);
            rest.remove_prefix(step.consumed);
        } while (step.status == ChunkedDecoder::Status::data);
        EXPECT_EQ(step.status, ChunkedDecoder::Status::error) << ext;
    }
    ChunkedDecoder bounded(Limits{.max_chunk_extension = 4});
    bounded.set_lenient_extensions(true);
    EXPECT_EQ(bounded.decode("5 xxxxxxxx\r\nhello\r\n").status, ChunkedDecoder::Status::error);
}

TEST(ChunkedDecoder, LimitsAtAndPastTheEdge) {
    Limits limits;
    limits.max_body = 10;
    EXPECT_EQ(decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 0, limits).status,
              ChunkedDecoder::Status::done);
    EXPECT_EQ(decode("5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", 0, limits).error,
              ParseError::body_too_large);

    limits = {};
    limits.max_chunk_extension = 8;
    EXPECT_EQ(decode("1;" + std::string(7, 'x') + "\r\na\r\n0\r\n\r\n", 0, limits).status,
              ChunkedDecoder::Status::done);
    EXPECT_EQ(decode("1;" + std::string(8, 'x') + "\r\na\r\n0\r\n\r\n", 0, limits).error,
              ParseError::chunk_extension_too_long);
    // Every byte after the size counts, BWS and quoted text included.
    EXPECT_EQ(decode("1 ; a=\"b\"\r\na\r\n0\r\n\r\n", 0, limits).status,
              ChunkedDecoder::Status::done);
    const std::string quoted_over = "1 ; a=\"bc\"\r\na\r\n0\r\n\r\n";
    EXPECT_EQ(decode(quoted_over, 0, limits).error, ParseError::chunk_extension_too_long);
    expect_any_split_same(quoted_over, limits);

    limits = {};
    limits.max_trailer_section = 32;
    const std::string fits =
        "0\r\nX: " + std::string(25, 'v') + "\r\n\r\n"; // "X: " + 25 + CRLF + CRLF = 32, the limit
    const std::string over = "0\r\nX: " + std::string(26, 'v') + "\r\n\r\n";
    EXPECT_EQ(decode(fits, 0, limits).status, ChunkedDecoder::Status::done);
    EXPECT_EQ(decode(over, 0, limits).error, ParseError::trailer_too_large);
    expect_any_split_same(over, limits);
    // An endless trailer is refused before it ends.
    EXPECT_EQ(decode("0\r\nX: " + std::string(100, 'v'), 0, limits).error,
              ParseError::trailer_too_large);
}

TEST(ChunkedDecoder, IncompleteInputWaits) {
    for (std::string_view input :
         {""sv, "5"sv, "5\r"sv, "5\r\nhel"sv, "5\r\nhello"sv, "5\r\nhello\r\n"sv,
          "5\r\nhello\r\n0\r\n"sv, "5\r\nhello\r\n0\r\nX: 1\r\n"sv}) {
        EXPECT_EQ(decode(input).status, ChunkedDecoder::Status::need_more) << input;
    }
}

TEST(ChunkedEncoder, WritesSizeLinesLastChunkAndTrailers) {
    std::string out;
    append_chunk_header(out, 5);
    out += "hello";
    append_chunk_end(out);
    append_chunk_header(out, 0x1a2b);
    EXPECT_EQ(out, "5\r\nhello\r\n1a2b\r\n");
    out.clear();
    Fields trailers;
    trailers.add("X-Checksum", "abc");
    append_last_chunk(out, &trailers);
    EXPECT_EQ(out, "0\r\nX-Checksum: abc\r\n\r\n");
    out.clear();
    append_last_chunk(out);
    EXPECT_EQ(out, "0\r\n\r\n");
}

TEST(ChunkedEncoder, RoundTripsThroughTheDecoder) {
    std::string wire;
    std::string content;
    for (std::size_t n : {1u, 15u, 16u, 255u, 4096u}) {
        const std::string piece(n, static_cast<char>('a' + n % 26));
        append_chunk_header(wire, piece.size());
        wire += piece;
        append_chunk_end(wire);
        content += piece;
    }
    append_last_chunk(wire);
    const Decoded d = decode(wire);
    EXPECT_EQ(d.status, ChunkedDecoder::Status::done);
    EXPECT_EQ(d.content, content);
}

} // namespace
} // namespace pier
