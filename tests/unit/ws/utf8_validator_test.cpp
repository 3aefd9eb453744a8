#include "http/utf8.hpp"
#include "ws/utf8_validator.hpp"
#include "ws_test_support.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace pier::ws::test {
namespace {

using detail::Utf8Validator;

// The classic malformed sequences (Markus Kuhn's test file, Autobahn's case group 6).
const std::vector<std::string> kInvalid = {
    "\x80",
    "\xbf",
    "\x80\xbf",
    "\x80\xbf\x80", // stray continuation bytes
    "\xc0\xaf",
    "\xe0\x80\xaf",
    "\xf0\x80\x80\xaf", // overlong '/'
    "\xc1\xbf",
    "\xe0\x9f\xbf",
    "\xf0\x8f\xbf\xbf", // the largest overlongs
    "\xc0\x80",
    "\xe0\x80\x80", // overlong NUL
    "\xed\xa0\x80",
    "\xed\xad\xbf",
    "\xed\xbf\xbf",             // lone surrogates
    "\xed\xa0\x80\xed\xb0\x80", // a surrogate pair, CESU-8 style
    "\xf4\x90\x80\x80",
    "\xf5\x80\x80\x80",
    "\xf7\xbf\xbf\xbf", // past U+10FFFF
    "\xf8\x88\x80\x80\x80",
    "\xfc\x84\x80\x80\x80\x80", // 5- and 6-byte forms
    "\xfe",
    "\xff",
    "\xfe\xfe\xff\xff", // never in UTF-8
    "\xc2 ",
    "\xe0\xa0 ",
    "\xf0\x90\x80 ", // a sequence cut by ASCII
    "\xce",
    "\xe1\xbd",
    "\xf0\x9f\x98", // cut by the end of the text
    "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"
    "edited", // Autobahn 6.3.1
    "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80\x65\x64\x69\x74\x65\x64",
};

const std::vector<std::string> kValid = {
    "",
    "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!", // Autobahn 6.2
    "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5",                            // κόσμε
    std::string("\x00", 1),
    "\x7f",
    "\xc2\x80",
    "\xdf\xbf",
    "\xe0\xa0\x80",
    "\xed\x9f\xbf",
    "\xee\x80\x80",
    "\xef\xbf\xbd",
    "\xef\xbf\xbf",
    "\xf0\x90\x80\x80",
    "\xf4\x8f\xbf\xbf",
    "\xf0\x9f\x98\x80 and a long ASCII run after it, longer than sixteen bytes",
};

bool valid_in_pieces(const std::string& s, const std::vector<std::size_t>& cuts) {
    Utf8Validator v;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        if (!v.feed(std::string_view(s).substr(from, cut - from))) return false;
        from = cut;
    }
    return v.feed(std::string_view(s).substr(from)) && v.complete();
}

TEST(WsUtf8, ClassicSequencesAtEverySplit) {
    for (const std::string& s : kInvalid) {
        SCOPED_TRACE(testing::PrintToString(s));
        EXPECT_FALSE(valid_in_pieces(s, {}));
        for (std::size_t cut = 0; cut <= s.size(); ++cut) EXPECT_FALSE(valid_in_pieces(s, {cut}));
        std::vector<std::size_t> every;
        for (std::size_t i = 1; i < s.size(); ++i) every.push_back(i);
        EXPECT_FALSE(valid_in_pieces(s, every));
    }
    for (const std::string& s : kValid) {
        SCOPED_TRACE(testing::PrintToString(s));
        for (std::size_t cut = 0; cut <= s.size(); ++cut) EXPECT_TRUE(valid_in_pieces(s, {cut}));
    }
}

TEST(WsUtf8, FailsOnTheFirstBadByte) {
    // Fed one byte at a time, the failure comes with the byte that makes it, not later.
    const std::vector<std::pair<std::string, std::size_t>> cases = {
        {"ab\xc0\xaf", 2},       {"\xe0\x80\xaf", 1}, {"\xed\xa0\x80", 1},
        {"\xf4\x90\x80\x80", 1}, {"x\xffyz", 1},      {"\xc2 ", 1},
    };
    for (const auto& [s, bad] : cases) {
        Utf8Validator v;
        for (std::size_t i = 0; i < s.size(); ++i)
            EXPECT_EQ(v.feed(s.substr(i, 1)), i < bad) << testing::PrintToString(s) << " " << i;
        EXPECT_TRUE(v.failed());
    }
}

TEST(WsUtf8, AgreesWithTheCharacterByCharacterCheck) {
    // pier's other UTF-8 check (src/http/utf8.hpp) decodes one sequence at a time; the two are
    // written differently and must agree on random text biased towards near-misses.
    std::mt19937 rng(17);
    const unsigned char interesting[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
                                         0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
                                         0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
    for (int round = 0; round < 200000; ++round) {
        std::string s(rng() % 8, '\0');
        for (char& c : s) c = static_cast<char>(interesting[rng() % sizeof interesting]);
        EXPECT_EQ(detail::is_valid_utf8(s), pier::detail::is_valid_utf8(s))
            << testing::PrintToString(s);
        if (HasFailure()) break;
    }
}

TEST(WsUtf8, TextMessagesThroughTheReader) {
    // Every invalid sequence fails a text message with 1007, whether split between reads or
    // between frames.
    for (const std::string& s : kInvalid) {
        SCOPED_TRACE(testing::PrintToString(s));
        const std::string one = frame(Opcode::text, s);
        for (std::size_t piece = 0; piece <= one.size(); ++piece)
            EXPECT_EQ(read_all(Role::server, one, piece).log(), "error:1007\n");
        for (std::size_t cut = 0; cut <= s.size(); ++cut) {
            const std::string two = frame(Opcode::text, s.substr(0, cut), false) +
                                    frame(Opcode::continuation, s.substr(cut));
            EXPECT_EQ(read_all(Role::server, two).log(), "error:1007\n");
            EXPECT_EQ(read_all(Role::server, two, 1, detail::Reader::Mode::fragments).log(),
                      "error:1007\n");
        }
    }
    for (const std::string& s : kValid) {
        for (std::size_t cut = 0; cut <= s.size(); ++cut) {
            const std::string two = frame(Opcode::text, s.substr(0, cut), false) +
                                    frame(Opcode::continuation, s.substr(cut));
            EXPECT_EQ(read_all(Role::server, two, 1).log(), "text:" + s + "\n");
        }
    }
}

TEST(WsUtf8, BinaryIsNotChecked) {
    EXPECT_EQ(read_all(Role::server, frame(Opcode::binary, "\xff\xc0")).log(), "binary:\xff\xc0\n");
}

} // namespace
} // namespace pier::ws::test
