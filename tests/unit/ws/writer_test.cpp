#include "ws/close.hpp"
#include "ws/writer.hpp"
#include "ws_test_support.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace pier::ws::test {
namespace {

std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s += static_cast<char>(b);
    return s;
}

// Keys 37 fa 21 3d every time: RFC 6455 §5.7's example key.
detail::MaskKeys fixed_keys() {
    return detail::MaskKeys([](std::span<unsigned char> out) {
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = bytes({0x37, 0xfa, 0x21, 0x3d})[i % 4];
        return true;
    });
}

TEST(WsWriter, Rfc6455ExamplesExactly) {
    detail::Writer server(Role::server);
    std::string out;
    server.message(out, Opcode::text, "Hello");
    EXPECT_EQ(out, bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    out.clear();
    server.fragment(out, Opcode::text, "Hel", false);
    server.fragment(out, Opcode::text, "lo", true);
    EXPECT_EQ(out, bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}));
    out.clear();
    server.control(out, Opcode::ping, "Hello");
    EXPECT_EQ(out, bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    out.clear();
    server.message(out, Opcode::binary, std::string(256, 'x'));
    EXPECT_EQ(out.substr(0, 4), bytes({0x82, 0x7e, 0x01, 0x00}));
    out.clear();
    server.message(out, Opcode::binary, std::string(65536, 'x'));
    EXPECT_EQ(out.substr(0, 10), bytes({0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}));

    detail::Writer client(Role::client, fixed_keys());
    out.clear();
    client.message(out, Opcode::text, "Hello");
    EXPECT_EQ(out, bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    out.clear();
    client.control(out, Opcode::pong, "Hello");
    EXPECT_EQ(out, bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

TEST(WsWriter, ClientFramesReadBackOnTheServer) {
    detail::Writer client(Role::client);
    std::string out;
    client.message(out, Opcode::binary, std::string(70000, 'q'));
    client.fragment(out, Opcode::text, "a", false);
    client.control(out, Opcode::ping, std::string(200, 'p')); // cut to 125
    client.fragment(out, Opcode::text, "b", true);
    client.close(out, close_code::going_away, "bye");
    EXPECT_EQ(read_all(Role::server, out, 999).log(), "binary:" + std::string(70000, 'q') +
                                                          "\nping:" + std::string(125, 'p') +
                                                          "\ntext:ab\nclose:1001:bye\n");
}

TEST(WsWriter, RandomKeysDiffer) {
    detail::Writer client(Role::client);
    std::string a;
    std::string b;
    client.message(a, Opcode::text, "x");
    client.message(b, Opcode::text, "x");
    EXPECT_NE(a.substr(2, 4), b.substr(2, 4));
    detail::Writer broken(Role::client,
                          detail::MaskKeys([](std::span<unsigned char>) { return false; }));
    EXPECT_THROW(broken.message(a, Opcode::text, "x"), std::runtime_error);
}

TEST(WsWriter, HeaderOnlyForAPayloadSentElsewhere) {
    detail::Writer server(Role::server);
    char h[detail::kMaxFrameHeader];
    const auto header = server.frame_header(h, Opcode::binary, 1u << 20);
    EXPECT_EQ(std::string(h, header.size), bytes({0x82, 0x7f, 0, 0, 0, 0, 0, 0x10, 0, 0}));
}

TEST(WsWriter, ClosePayloads) {
    EXPECT_EQ(detail::close_payload(close_code::normal, "bye"), bytes({0x03, 0xe8}) + "bye");
    EXPECT_EQ(detail::close_payload(close_code::no_status, "ignored"), "");
    EXPECT_EQ(detail::close_payload(1005 + 1, ""), bytes({0x03, 0xf3})); // 1006: not on the wire
    // Cut to 123 bytes at a character boundary: é is two bytes.
    std::string reason(122, 'a');
    reason += "\xc3\xa9";
    const std::string payload = detail::close_payload(close_code::normal, reason);
    EXPECT_EQ(payload.size(), 2u + 122u);
    detail::ClosePayload parsed;
    EXPECT_FALSE(detail::parse_close(payload, parsed));
    EXPECT_EQ(parsed.code, close_code::normal);
}

TEST(WsFrame, HeaderRoundTrip) {
    for (std::uint64_t size : {0ull, 125ull, 126ull, 65535ull, 65536ull, (1ull << 63) - 1}) {
        for (bool masked : {false, true}) {
            char h[detail::kMaxFrameHeader];
            const std::size_t n = detail::write_frame_header(h, Opcode::binary, true, false, size,
                                                             masked, 0x01020304);
            detail::FrameContext context;
            context.role = masked ? Role::server : Role::client;
            context.max_frame = UINT64_MAX;
            const auto r = detail::parse_frame_header({h, n}, context);
            ASSERT_EQ(r.status, detail::HeaderStatus::complete);
            EXPECT_EQ(r.header.payload_size, size);
            EXPECT_EQ(r.header.size, n);
            EXPECT_EQ(r.header.mask, masked ? 0x01020304u : 0u);
            // Every prefix is incomplete, never an error.
            for (std::size_t i = 0; i < n; ++i)
                EXPECT_EQ(detail::parse_frame_header({h, i}, context).status,
                          detail::HeaderStatus::incomplete);
        }
    }
}

TEST(WsFrame, MaskIsItsOwnInverseAtAnyOffset) {
    std::string data(1000, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i);
    for (std::size_t offset = 0; offset < 8; ++offset) {
        for (std::size_t len : {0, 1, 7, 8, 9, 31, 32, 33, 999}) {
            std::string copy = data.substr(0, len);
            detail::apply_mask(copy.data(), len, 0xdeadbeef, offset);
            for (std::size_t i = 0; i < len; ++i) {
                const auto key = static_cast<unsigned char>(0xdeadbeef >> (8 * ((offset + i) % 4)));
                ASSERT_EQ(static_cast<unsigned char>(copy[i]),
                          static_cast<unsigned char>(data[i]) ^ key);
            }
            detail::apply_mask(copy.data(), len, 0xdeadbeef, offset);
            EXPECT_EQ(copy, data.substr(0, len));
        }
    }
}

} // namespace
} // namespace pier::ws::test
