#include <pier/websocket.hpp>

#include <gtest/gtest.h>

#include <string>

namespace pier::ws {
namespace {

std::optional<std::string> answer(std::vector<std::string> offers,
                                  const DeflateConfig& config = {}) {
    Fields f;
    for (const auto& o : offers) f.add("Sec-WebSocket-Extensions", o);
    const auto p = negotiate_deflate(f, config);
    if (!p) return std::nullopt;
    return to_field_value(*p);
}

TEST(WsPermessageDeflate, ParsesParameters) {
    auto p = parse_deflate_params("permessage-deflate; client_max_window_bits; "
                                  "server_max_window_bits=10; server_no_context_takeover");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->client_max_window_bits_bare);
    EXPECT_EQ(p->server_window(), 10);
    EXPECT_TRUE(p->server_no_context_takeover);
    EXPECT_FALSE(p->client_no_context_takeover);
    p = parse_deflate_params("permessage-deflate;client_max_window_bits=\"9\"");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->client_window(), 9);
    for (const char* bad :
         {"permessage-deflate; foo", "permessage-deflate; server_max_window_bits",
          "permessage-deflate; server_max_window_bits=08",
          "permessage-deflate; server_max_window_bits=16",
          "permessage-deflate; client_max_window_bits=7",
          "permessage-deflate; client_max_window_bits=",
          "permessage-deflate; server_no_context_takeover=1",
          "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
          "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
          "x-webkit-deflate-frame"})
        EXPECT_FALSE(parse_deflate_params(bad)) << bad;
}

TEST(WsPermessageDeflate, ServerAnswers) {
    // What browsers send.
    EXPECT_EQ(answer({"permessage-deflate; client_max_window_bits"}), "permessage-deflate");
    EXPECT_EQ(answer({"permessage-deflate"}), "permessage-deflate");
    // Offered parameters are answered.
    EXPECT_EQ(
        answer({"permessage-deflate; server_no_context_takeover; client_no_context_takeover"}),
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    EXPECT_EQ(answer({"permessage-deflate; server_max_window_bits=10"}),
              "permessage-deflate; server_max_window_bits=10");
    EXPECT_EQ(answer({"permessage-deflate; client_max_window_bits=12"}),
              "permessage-deflate; client_max_window_bits=12");
    // An 8-bit server window is accepted (and then not used for sending).
    EXPECT_EQ(answer({"permessage-deflate; server_max_window_bits=8"}),
              "permessage-deflate; server_max_window_bits=8");
    // The server's own preferences.
    DeflateConfig config;
    config.window_bits = 11;
    config.peer_window_bits = 10;
    config.no_context_takeover = true;
    EXPECT_EQ(answer({"permessage-deflate; client_max_window_bits"}, config),
              "permessage-deflate; server_no_context_takeover; server_max_window_bits=11; "
              "client_max_window_bits=10");
    // Without client_max_window_bits offered, the client's window cannot be bounded.
    EXPECT_EQ(answer({"permessage-deflate"}, config),
              "permessage-deflate; server_no_context_takeover; server_max_window_bits=11");
    // Invalid offers are declined and the next one taken; other extensions passed over.
    EXPECT_EQ(
        answer({"foo, permessage-deflate; bar", "permessage-deflate; server_max_window_bits=9"}),
        "permessage-deflate; server_max_window_bits=9");
    EXPECT_EQ(answer({"permessage-deflate; client_max_window_bits=20"}), std::nullopt);
    EXPECT_EQ(answer({}), std::nullopt);
}

TEST(WsPermessageDeflate, ClientOffers) {
    EXPECT_EQ(deflate_offer({}), "permessage-deflate; client_max_window_bits");
    DeflateConfig config;
    config.window_bits = 10;
    config.peer_window_bits = 12;
    config.no_context_takeover = true;
    config.peer_no_context_takeover = true;
    EXPECT_EQ(deflate_offer(config),
              "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
              "server_max_window_bits=12; client_max_window_bits=10");
    // An offer reads back as what it says.
    const auto p = parse_deflate_params(deflate_offer(config));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->server_window(), 12);
    EXPECT_EQ(p->client_window(), 10);
}

} // namespace
} // namespace pier::ws
