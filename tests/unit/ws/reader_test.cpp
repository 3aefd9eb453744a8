#include "ws/reader.hpp"
#include "ws_test_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pier::ws::test {
namespace {

using Mode = detail::Reader::Mode;
using Status = detail::Reader::Status;

std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s += static_cast<char>(b);
    return s;
}

// Every split of `input` into reads (two pieces at every point, then one byte at a time), in
// both modes, must tell the same story as the whole input read at once in Mode::messages.
void expect_everywhere(Role role, const std::string& input, const std::string& expected,
                       const Limits& limits = {}, const DeflateParams* deflate = nullptr) {
    for (Mode mode : {Mode::messages, Mode::fragments}) {
        SCOPED_TRACE(mode == Mode::messages ? "messages" : "fragments");
        EXPECT_EQ(read_all(role, input, 0, mode, limits, deflate).log(), expected);
        EXPECT_EQ(read_all(role, input, 1, mode, limits, deflate).log(), expected);
        for (std::size_t cut = 1; cut < input.size(); ++cut) {
            detail::Reader reader(role, limits, mode);
            if (deflate != nullptr) reader.enable_deflate(*deflate);
            const std::string_view in(input);
            EXPECT_EQ(feed_pieces(reader, {in.substr(0, cut), in.substr(cut)}).log(), expected)
                << "split at " << cut;
        }
    }
}

// RFC 6455 §5.7, byte for byte.
TEST(WsReader, Rfc6455Examples) {
    // A single-frame unmasked text message, as a client reads it.
    expect_everywhere(Role::client, bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}),
                      "text:Hello\n");
    // A single-frame masked text message, as a server reads it.
    expect_everywhere(Role::server,
                      bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}),
                      "text:Hello\n");
    // A fragmented unmasked text message.
    expect_everywhere(Role::client, bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}),
                      "text:Hello\n");
    // Unmasked ping, masked pong.
    expect_everywhere(Role::client, bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}),
                      "ping:Hello\n");
    expect_everywhere(Role::server,
                      bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}),
                      "pong:Hello\n");
    // 256 bytes in one unmasked binary frame (16-bit length), and 64 KiB (64-bit length).
    const std::string b256(256, 'x');
    EXPECT_EQ(read_all(Role::client, bytes({0x82, 0x7e, 0x01, 0x00}) + b256).log(),
              "binary:" + b256 + "\n");
    const std::string b64k(65536, 'y');
    const std::string big = bytes({0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}) + b64k;
    for (std::size_t piece : {0, 1000, 4093})
        for (Mode mode : {Mode::messages, Mode::fragments})
            EXPECT_EQ(read_all(Role::client, big, piece, mode).log(), "binary:" + b64k + "\n");
}

TEST(WsReader, MaskedPayloadsUnmaskAtEveryPhase) {
    // Pieces of every length up to 40 make the mask's phase start at each of its four bytes.
    std::string payload;
    for (int i = 0; i < 1000; ++i) payload += static_cast<char>(i * 7 + 3);
    const std::string input = frame(Opcode::binary, payload);
    for (std::size_t piece = 1; piece <= 40; ++piece)
        EXPECT_EQ(read_all(Role::server, input, piece).log(), "binary:" + payload + "\n") << piece;
}

TEST(WsReader, ControlFramesBetweenFragments) {
    const std::string input = frame(Opcode::text, "Hel", false) + frame(Opcode::ping, "p") +
                              frame(Opcode::continuation, "l", false) + frame(Opcode::pong, "") +
                              frame(Opcode::continuation, "o", true) +
                              frame(Opcode::close, bytes({0x03, 0xe8}) + "bye");
    expect_everywhere(Role::server, input, "ping:p\npong:\ntext:Hello\nclose:1000:bye\n");
}

TEST(WsReader, EmptyMessagesAndFragments) {
    const std::string input = frame(Opcode::text, "") + frame(Opcode::binary, "", false) +
                              frame(Opcode::continuation, "", false) +
                              frame(Opcode::continuation, "", true) + frame(Opcode::close, "");
    expect_everywhere(Role::server, input, "text:\nbinary:\nclose:1005:\n");
}

TEST(WsReader, WholeFrameIsAViewIntoTheInput) {
    std::string input = frame(Opcode::binary, "zero-copy");
    detail::Reader reader(Role::server);
    const auto step = reader.read(input);
    ASSERT_EQ(step.status, Status::message);
    EXPECT_EQ(step.data, "zero-copy");
    EXPECT_EQ(step.data.data(), input.data() + input.size() - 9); // unmasked where it lay
    EXPECT_EQ(step.consumed, input.size());
}

TEST(WsReader, AHeaderOrControlFrameCutShortIsKeptBack) {
    std::string input = frame(Opcode::ping, "abc");
    detail::Reader reader(Role::server);
    std::string part = input.substr(0, input.size() - 1);
    const auto step = reader.read(part);
    EXPECT_EQ(step.status, Status::need_more);
    EXPECT_EQ(step.consumed, 0u);
    std::string header = frame(Opcode::binary, std::string(300, 'a')).substr(0, 3);
    EXPECT_EQ(reader.read(header).consumed, 0u);
}

struct Bad {
    const char* name;
    Role role;
    std::string input;
    std::uint16_t code;
};

TEST(WsReader, EveryRuleOfSection5) {
    Limits small;
    small.max_ws_frame = 100;
    small.max_ws_message = 150;
    small.max_ws_fragments = 3;
    const std::vector<Bad> cases = {
        {"unmasked from a client", Role::server, frame(Opcode::text, "a", true, false), 1002},
        {"masked from a server", Role::client, frame(Opcode::text, "a", true, true), 1002},
        {"RSV1 without an extension", Role::server, frame(Opcode::text, "a", true, true, true),
         1002},
        {"RSV2", Role::server, bytes({0xa1, 0x80, 0, 0, 0, 0}), 1002},
        {"RSV3", Role::server, bytes({0x91, 0x80, 0, 0, 0, 0}), 1002},
        {"opcode 3", Role::server, bytes({0x83, 0x80, 0, 0, 0, 0}), 1002},
        {"opcode 7", Role::server, bytes({0x87, 0x80, 0, 0, 0, 0}), 1002},
        {"opcode B", Role::server, bytes({0x8b, 0x80, 0, 0, 0, 0}), 1002},
        {"opcode F", Role::server, bytes({0x8f, 0x80, 0, 0, 0, 0}), 1002},
        {"fragmented ping", Role::server, frame(Opcode::ping, "a", false), 1002},
        {"fragmented close", Role::server, frame(Opcode::close, "", false), 1002},
        {"ping of 126 bytes", Role::server, frame(Opcode::ping, std::string(126, 'a')), 1002},
        {"close of 126 bytes", Role::client,
         frame(Opcode::close, bytes({3, 0xe8}) + std::string(124, 'a'), true, false), 1002},
        {"continuation first", Role::server, frame(Opcode::continuation, "a"), 1002},
        {"text inside a message", Role::server,
         frame(Opcode::text, "a", false) + frame(Opcode::text, "b"), 1002},
        {"binary inside a message", Role::server,
         frame(Opcode::binary, "a", false) + frame(Opcode::binary, "b"), 1002},
        {"64-bit length, top bit set", Role::client, bytes({0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1}),
         1002},
        {"16-bit length under 126", Role::client,
         bytes({0x82, 0x7e, 0x00, 0x7d}) + std::string(125, 'a'), 1002},
        {"64-bit length under 65536", Role::client,
         bytes({0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff}), 1002},
        {"frame over the limit", Role::server, frame(Opcode::binary, std::string(101, 'a')), 1009},
        {"message over the limit", Role::server,
         frame(Opcode::binary, std::string(100, 'a'), false) +
             frame(Opcode::continuation, std::string(51, 'a')),
         1009},
        {"too many fragments", Role::server,
         frame(Opcode::binary, "", false) + frame(Opcode::continuation, "", false) +
             frame(Opcode::continuation, "", false) + frame(Opcode::continuation, ""),
         1008},
        {"text not UTF-8", Role::server, frame(Opcode::text, "a\xff"), 1007},
        {"text ends inside a character", Role::server, frame(Opcode::text, "a\xce"), 1007},
        {"close of one byte", Role::server, frame(Opcode::close, "\x03"), 1002},
        {"close reason not UTF-8", Role::server, frame(Opcode::close, bytes({3, 0xe8, 0xc0})),
         1007},
    };
    for (const Bad& c : cases) {
        SCOPED_TRACE(c.name);
        expect_everywhere(c.role, c.input, "error:" + std::to_string(c.code) + "\n", small);
    }
}

TEST(WsReader, ContinuationAfterAWholeMessage) {
    expect_everywhere(Role::server, frame(Opcode::text, "a") + frame(Opcode::continuation, "b"),
                      "text:a\nerror:1002\n");
}

TEST(WsReader, LimitsAreInclusive) {
    Limits small;
    small.max_ws_frame = 100;
    small.max_ws_message = 150;
    small.max_ws_fragments = 3;
    const std::string a100(100, 'a');
    const std::string a50(50, 'a');
    expect_everywhere(Role::server,
                      frame(Opcode::binary, a100, false) + frame(Opcode::continuation, "", false) +
                          frame(Opcode::continuation, a50),
                      "binary:" + a100 + a50 + "\n", small);
}

TEST(WsReader, CloseCodes) {
    for (int code = 0; code < 5100; ++code) {
        const std::string input = frame(Opcode::close, bytes({code >> 8, code & 0xff}) + "r");
        const bool valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
                           (code >= 3000 && code <= 4999);
        EXPECT_EQ(read_all(Role::server, input).log(),
                  valid ? "close:" + std::to_string(code) + ":r\n" : "error:1002\n")
            << code;
    }
}

TEST(WsReader, BadUtf8FailsBeforeTheMessageEnds) {
    // The first fragment already cannot be UTF-8: the failure comes before the rest is sent.
    std::string input = frame(Opcode::text, "ok \xed\xa0\x80", false);
    detail::Reader reader(Role::server);
    EXPECT_EQ(reader.read(input).status, Status::error);
    EXPECT_EQ(reader.failure().code, 1007);
    // Even within a frame whose end has not arrived yet.
    std::string partial = frame(Opcode::text, "ok \xc0\xaf and much more").substr(0, 12);
    detail::Reader reader2(Role::server, {}, Mode::fragments);
    EXPECT_EQ(reader2.read(partial).status, Status::error);
}

TEST(WsReader, StaysFailed) {
    std::string input = frame(Opcode::continuation, "x") + frame(Opcode::text, "y");
    detail::Reader reader(Role::server);
    EXPECT_EQ(reader.read(input).status, Status::error);
    std::string good = frame(Opcode::text, "y");
    EXPECT_EQ(reader.read(good).status, Status::error);
}

TEST(WsReader, FragmentsArriveAsTheyCome) {
    std::string input = frame(Opcode::binary, "abcdef");
    detail::Reader reader(Role::server, {}, Mode::fragments);
    std::string head = input.substr(0, input.size() - 2);
    auto step = reader.read(head);
    EXPECT_EQ(step.status, Status::fragment);
    EXPECT_EQ(step.data, "abcd");
    EXPECT_FALSE(step.last);
    std::string tail = input.substr(input.size() - 2);
    step = reader.read(tail);
    EXPECT_EQ(step.data, "ef");
    EXPECT_TRUE(step.last);
}

} // namespace
} // namespace pier::ws::test
