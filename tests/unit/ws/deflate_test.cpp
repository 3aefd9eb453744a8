#include "ws/deflate.hpp"
#include "ws/reader.hpp"
#include "ws/writer.hpp"
#include "ws_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <malloc.h>
#include <random>
#include <string>

namespace pier::ws::test {
namespace {

using Mode = detail::Reader::Mode;

std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s += static_cast<char>(b);
    return s;
}

DeflateParams takeover() {
    return {};
}
DeflateParams no_takeover() {
    DeflateParams p;
    p.server_no_context_takeover = true;
    p.client_no_context_takeover = true;
    return p;
}

void expect_everywhere(const std::string& input, const std::string& expected,
                       const DeflateParams& deflate, const Limits& limits = {}) {
    for (Mode mode : {Mode::messages, Mode::fragments}) {
        SCOPED_TRACE(mode == Mode::messages ? "messages" : "fragments");
        EXPECT_EQ(read_all(Role::client, input, 0, mode, limits, &deflate).log(), expected);
        for (std::size_t piece = 1; piece <= input.size(); ++piece)
            EXPECT_EQ(read_all(Role::client, input, piece, mode, limits, &deflate).log(), expected)
                << "pieces of " << piece;
    }
}

// RFC 7692 §7.2.3, byte for byte (a server's unmasked frames, as a client reads them).
TEST(WsDeflate, Rfc7692Examples) {
    const std::string hello = bytes({0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
    // §7.2.3.1: one frame, then the same message in two fragments.
    expect_everywhere(hello, "text:Hello\n", takeover());
    expect_everywhere(bytes({0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00}),
                      "text:Hello\n", takeover());
    // §7.2.3.2: the second "Hello" refers back to the first through the shared window.
    expect_everywhere(hello + bytes({0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00}),
                      "text:Hello\ntext:Hello\n", takeover());
    // Without context takeover both are sent in full, and read with a fresh window each.
    expect_everywhere(hello + hello, "text:Hello\ntext:Hello\n", no_takeover());
    // ...and the back-reference cannot be resolved without the window.
    const DeflateParams fresh = no_takeover();
    EXPECT_EQ(read_all(Role::client, hello + bytes({0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00}), 0,
                       Mode::messages, {}, &fresh)
                  .log(),
              "text:Hello\nerror:1007\n");
    // §7.2.3.3: a stored (uncompressed) block.
    expect_everywhere(
        bytes({0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}),
        "text:Hello\n", takeover());
    // §7.2.3.4: a block with BFINAL set; the next message still sees the window.
    expect_everywhere(bytes({0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}) +
                          bytes({0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00}),
                      "text:Hello\ntext:Hello\n", takeover());
    // §7.2.3.5: two DEFLATE blocks in one message.
    expect_everywhere(bytes({0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9,
                             0xc9, 0x07, 0x00}),
                      "text:Hello\n", takeover());
    // §7.2.3.6: an empty message as the single byte 00.
    expect_everywhere(bytes({0xc1, 0x01, 0x00}), "text:\n", takeover());
}

TEST(WsDeflate, WriterProducesTheRfcBytes) {
    DeflateConfig config;
    detail::Writer with(Role::server);
    with.enable_deflate(takeover(), config);
    std::string out;
    with.message(out, Opcode::text, "Hello");
    with.message(out, Opcode::text, "Hello");
    EXPECT_EQ(out, bytes({0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xc1, 0x05, 0xf2,
                          0x00, 0x11, 0x00, 0x00}));
    detail::Writer without(Role::server);
    without.enable_deflate(no_takeover(), config);
    out.clear();
    without.message(out, Opcode::text, "Hello");
    without.message(out, Opcode::text, "Hello");
    const std::string hello = bytes({0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
    EXPECT_EQ(out, hello + hello);
    out.clear();
    without.message(out, Opcode::binary, "");
    EXPECT_EQ(out, bytes({0xc2, 0x01, 0x00}));
    // With context takeover, after a message zlib has no flush to add for an empty one: still
    // the single byte 00, never an empty payload (the peer would be left inside a block).
    out.clear();
    with.message(out, Opcode::binary, "");
    EXPECT_EQ(out, bytes({0xc2, 0x01, 0x00}));
    with.message(out, Opcode::text, "Hello");
    const DeflateParams p = takeover();
    EXPECT_EQ(read_all(Role::client, hello + out, 0, Mode::messages, {}, &p).log(),
              "text:Hello\nbinary:\ntext:Hello\n");
}

// With the window kept, a message leaves zlib flushed: an empty message after it has nothing
// to flush and must still be the byte 00, or the tail the reader appends to nothing derails
// every later message (seen as 1007 between pier's client and server).
TEST(WsDeflate, AnEmptyMessageAfterAnotherIsStillTheByte00) {
    DeflateConfig config;
    detail::Writer writer(Role::server);
    writer.enable_deflate(takeover(), config);
    std::string out;
    writer.message(out, Opcode::text, "Hello");
    const std::size_t first = out.size();
    writer.message(out, Opcode::binary, "");
    EXPECT_EQ(out.substr(first), bytes({0xc2, 0x01, 0x00}));
    writer.message(out, Opcode::text, "Hello again");
    writer.fragment(out, Opcode::text, "Hel", false);
    writer.fragment(out, Opcode::text, "", true); // an empty last fragment
    writer.message(out, Opcode::text, "Hello");
    expect_everywhere(out, "text:Hello\nbinary:\ntext:Hello again\ntext:Hel\ntext:Hello\n",
                      takeover());
}

TEST(WsDeflate, RoundTripsThroughWriterAndReader) {
    std::mt19937 rng(7);
    for (const DeflateParams& agreed : {takeover(), no_takeover()}) {
        for (int window : {9, 12, 15}) {
            DeflateParams p = agreed;
            p.client_max_window_bits = static_cast<std::uint8_t>(window);
            DeflateConfig config;
            detail::Writer writer(Role::client);
            writer.enable_deflate(p, config);
            ASSERT_TRUE(writer.compresses());
            std::string wire;
            std::string expected;
            for (int m = 0; m < 20; ++m) {
                std::string text(rng() % 5000, 'a');
                for (char& c : text) c = static_cast<char>('a' + rng() % (m % 3 == 0 ? 26 : 3));
                if (m % 4 == 1) {
                    writer.fragment(wire, Opcode::text, text.substr(0, text.size() / 2), false);
                    writer.fragment(wire, Opcode::text, text.substr(text.size() / 2), true);
                } else {
                    writer.message(wire, Opcode::text, text);
                }
                if (m % 5 == 2) writer.control(wire, Opcode::ping, "p");
                expected += "text:" + text + "\n";
                if (m % 5 == 2) expected += "ping:p\n";
            }
            for (Mode mode : {Mode::messages, Mode::fragments})
                for (std::size_t piece : {0, 1, 7, 1000})
                    EXPECT_EQ(read_all(Role::server, wire, piece, mode, {}, &p).log(), expected)
                        << window << " " << piece;
        }
    }
}

// A client's masked frame whose inflated output outgrows the reader's output space many times:
// bytes zlib did not take yet are masked again, so the next call unmasks them correctly.
TEST(WsDeflate, MaskedInputLeftOverWhenOutputFills) {
    std::string text;
    for (int i = 0; text.size() < 300000; ++i) text += "line " + std::to_string(i % 50) + "\n";
    detail::Writer writer(Role::client);
    const DeflateParams p = takeover();
    writer.enable_deflate(p, DeflateConfig{});
    std::string wire;
    writer.message(wire, Opcode::text, text);
    writer.fragment(wire, Opcode::binary, text.substr(0, 1000), false);
    writer.fragment(wire, Opcode::binary, text.substr(1000), true);
    ASSERT_LT(wire.size(), text.size() / 4);
    const std::string expected = "text:" + text + "\nbinary:" + text + "\n";
    for (Mode mode : {Mode::messages, Mode::fragments})
        for (std::size_t piece : {0, 3, 1000})
            EXPECT_EQ(read_all(Role::server, wire, piece, mode, {}, &p).log(), expected) << piece;
}

// With the context kept, a flush right after a flush writes nothing: an empty message (or an
// empty last fragment) must still carry the empty block's header byte, or the reader's 00 00 FF
// FF tail is not a block (RFC 7692 §7.2.3.6).
TEST(WsDeflate, EmptyMessagesAfterOthersRoundTrip) {
    for (const DeflateParams& p : {takeover(), no_takeover()}) {
        detail::Writer writer(Role::client);
        writer.enable_deflate(p, DeflateConfig{});
        std::string wire;
        writer.message(wire, Opcode::text, "a");
        writer.message(wire, Opcode::text, "");
        writer.message(wire, Opcode::binary, "");
        writer.fragment(wire, Opcode::text, "x", false);
        writer.fragment(wire, Opcode::text, "", true);
        writer.fragment(wire, Opcode::text, "", false);
        writer.fragment(wire, Opcode::text, "", true);
        writer.message(wire, Opcode::text, "b");
        for (Mode mode : {Mode::messages, Mode::fragments})
            EXPECT_EQ(read_all(Role::server, wire, 0, mode, {}, &p).log(),
                      "text:a\ntext:\nbinary:\ntext:x\ntext:\ntext:b\n");
    }
}

TEST(WsDeflate, WindowOfEightBitsSendsUncompressed) {
    DeflateParams p;
    p.server_max_window_bits = 8;
    detail::Writer writer(Role::server);
    writer.enable_deflate(p, DeflateConfig{});
    EXPECT_FALSE(writer.compresses());
    std::string out;
    writer.message(out, Opcode::text, "Hello");
    EXPECT_EQ(out, "\x81\x05Hello");
    // ...and an 8-bit window is inflated fine.
    detail::Inflater inflater(8, false);
    char buf[16];
    const auto r = inflater.inflate(
        bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff}), buf);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(std::string_view(buf, r.produced), "Hello");
}

TEST(WsDeflate, RsvRules) {
    // With permessage-deflate, RSV1 is allowed on a message's first frame only.
    const DeflateParams p = takeover();
    EXPECT_EQ(read_all(Role::client,
                       bytes({0x41, 0x03, 0xf2, 0x48, 0xcd, 0xc0, 0x04, 0xc9, 0xc9, 0x07, 0x00}), 0,
                       Mode::messages, {}, &p)
                  .log(),
              "error:1002\n");
    EXPECT_EQ(read_all(Role::client, bytes({0xc9, 0x00}), 0, Mode::messages, {}, &p).log(),
              "error:1002\n");
    // An uncompressed message is still fine.
    EXPECT_EQ(read_all(Role::client, "\x81\x02hi", 0, Mode::messages, {}, &p).log(), "text:hi\n");
    // Garbage is 1007.
    EXPECT_EQ(
        read_all(Role::client, bytes({0xc2, 0x02, 0xff, 0xff}), 0, Mode::messages, {}, &p).log(),
        "error:1007\n");
    // So is DEFLATE data that, tail and all, ends inside a block: no payload at all (the tail
    // alone is half a stored block's header), or a message cut short. Read as a message, the
    // next one would be taken for the rest of the block.
    expect_everywhere(bytes({0xc1, 0x00}), "error:1007\n", p);
    expect_everywhere(bytes({0xc1, 0x04, 0xf2, 0x48, 0xcd, 0xc9}), "error:1007\n", p);
}

TEST(WsDeflate, CompressedTextIsCheckedAfterInflating) {
    detail::Writer writer(Role::server);
    writer.enable_deflate(takeover(), DeflateConfig{});
    std::string wire;
    writer.message(wire, Opcode::text, "valid \xc3\xa9 then \xed\xa0\x80");
    const DeflateParams p = takeover();
    EXPECT_EQ(read_all(Role::client, wire, 0, Mode::messages, {}, &p).log(), "error:1007\n");
}

std::size_t heap_in_use() {
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

// 100 MiB of zeros compress to about 100 KB. Read with a 1 MiB limit, the message fails with
// 1009 once the limit is passed, and the reader never holds much more than the limit.
TEST(WsDeflate, BombStopsAtTheLimit) {
    detail::Deflater deflater(15, false, 9);
    std::string compressed;
    const std::string zeros(std::size_t{1} << 20, '\0');
    for (int i = 0; i < 100; ++i) deflater.compress(zeros, i == 99, compressed);
    ASSERT_LT(compressed.size(), 200'000u);
    std::string wire = frame(Opcode::binary, compressed, true, false, true);
    Limits limits;
    limits.max_ws_message = std::size_t{1} << 20;
    for (Mode mode : {Mode::messages, Mode::fragments}) {
        std::string input = wire;
        const std::size_t before = heap_in_use();
        detail::Reader reader(Role::client, limits, mode);
        reader.enable_deflate(takeover());
        std::size_t peak = 0;
        std::size_t delivered = 0;
        std::span<char> in(input);
        for (int guard = 0; guard < 100000; ++guard) {
            const auto step = reader.read(in);
            in = in.subspan(step.consumed);
            delivered += step.data.size();
            peak = std::max(peak, heap_in_use() - before);
            if (step.status == detail::Reader::Status::error ||
                step.status == detail::Reader::Status::need_more)
                break;
        }
        EXPECT_TRUE(reader.failed());
        EXPECT_EQ(reader.failure().code, close_code::message_too_big);
        EXPECT_LE(delivered, limits.max_ws_message);
        // The buffer (one byte past the limit at most, and while it grows the old block beside
        // the new one unless realloc remapped it), zlib's state and window, and change.
        EXPECT_LT(peak, 2 * limits.max_ws_message + 256 * 1024) << (mode == Mode::messages);
        std::printf("deflate bomb, %s: %zu bytes of heap at most\n",
                    mode == Mode::messages ? "messages" : "fragments", peak);
        // Most of the input was never inflated.
        EXPECT_GT(in.size(), compressed.size() / 2);
    }
}

TEST(WsDeflate, MessageAtTheLimitPasses) {
    Limits limits;
    limits.max_ws_message = 100000;
    for (std::size_t size : {limits.max_ws_message, limits.max_ws_message + 1}) {
        detail::Writer writer(Role::server);
        writer.enable_deflate(takeover(), DeflateConfig{});
        std::string wire;
        writer.message(wire, Opcode::binary, std::string(size, 'z'));
        const DeflateParams p = takeover();
        for (Mode mode : {Mode::messages, Mode::fragments}) {
            const ws::test::Run run = read_all(Role::client, wire, 0, mode, limits, &p);
            ASSERT_EQ(run.events.size(), 1u);
            if (size == limits.max_ws_message)
                EXPECT_EQ(run.events[0].size(), 7 + size);
            else
                EXPECT_EQ(run.events[0], "error:1009");
        }
    }
}

} // namespace
} // namespace pier::ws::test
