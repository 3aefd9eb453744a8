#include <pier/websocket.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pier::ws {
namespace {

Fields request_fields(std::vector<std::pair<std::string, std::string>> extra = {},
                      std::vector<std::string> drop = {}) {
    std::vector<std::pair<std::string, std::string>> base = {
        {"Host", "server.example.com"},  {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},       {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
        {"Sec-WebSocket-Version", "13"},
    };
    Fields f;
    for (const auto& [n, v] : base)
        if (std::find(drop.begin(), drop.end(), n) == drop.end()) f.add(n, v);
    for (const auto& [n, v] : extra) f.add(n, v);
    return f;
}

// RFC 6455 §1.3's example.
TEST(WsHandshake, AcceptKey) {
    EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, MakeKeyIsFreshAndValid) {
    const std::string a = make_key();
    const std::string b = make_key();
    EXPECT_NE(a, b);
    Fields f = request_fields({}, {"Sec-WebSocket-Key"});
    f.add("Sec-WebSocket-Key", a);
    EXPECT_TRUE(check_upgrade_request(Method::get, Version::http11, f));
}

TEST(WsHandshake, AGoodRequest) {
    const Fields f = request_fields({{"Connection", "keep-alive, Upgrade"}}, {"Connection"});
    const auto r = check_upgrade_request(Method::get, Version::http11, f);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->key, "dGhlIHNhbXBsZSBub25jZQ==");
    // Tokens compare case-insensitively, and may be among others.
    EXPECT_TRUE(check_upgrade_request(
        Method::get, Version::http11,
        request_fields({{"Upgrade", "foo/1, WebSocket"}, {"Connection", "UPGRADE"}},
                       {"Upgrade", "Connection"})));
}

TEST(WsHandshake, BadRequests) {
    struct Case {
        const char* name;
        Method method;
        Version version;
        Fields fields;
        HandshakeError error;
        int status;
    };
    const std::vector<Case> cases = {
        {"POST", Method::post, Version::http11, request_fields(), HandshakeError::not_get, 400},
        {"HTTP/1.0", Method::get, Version::http10, request_fields(), HandshakeError::not_http11,
         400},
        {"no Upgrade", Method::get, Version::http11, request_fields({}, {"Upgrade"}),
         HandshakeError::no_upgrade, 426},
        {"Upgrade: h2c", Method::get, Version::http11,
         request_fields({{"Upgrade", "h2c"}}, {"Upgrade"}), HandshakeError::no_upgrade, 426},
        {"no Connection", Method::get, Version::http11, request_fields({}, {"Connection"}),
         HandshakeError::no_connection, 400},
        {"Connection: close", Method::get, Version::http11,
         request_fields({{"Connection", "close"}}, {"Connection"}), HandshakeError::no_connection,
         400},
        {"no version", Method::get, Version::http11, request_fields({}, {"Sec-WebSocket-Version"}),
         HandshakeError::bad_version, 426},
        {"version 8", Method::get, Version::http11,
         request_fields({{"Sec-WebSocket-Version", "8"}}, {"Sec-WebSocket-Version"}),
         HandshakeError::bad_version, 426},
        {"two versions", Method::get, Version::http11,
         request_fields({{"Sec-WebSocket-Version", "13"}}), HandshakeError::bad_version, 426},
        {"no key", Method::get, Version::http11, request_fields({}, {"Sec-WebSocket-Key"}),
         HandshakeError::bad_key, 400},
        {"two keys", Method::get, Version::http11,
         request_fields({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}}),
         HandshakeError::bad_key, 400},
        {"key of 15 bytes", Method::get, Version::http11,
         request_fields({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j"}}, {"Sec-WebSocket-Key"}),
         HandshakeError::bad_key, 400},
        {"key not base64", Method::get, Version::http11,
         request_fields({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j*Q=="}}, {"Sec-WebSocket-Key"}),
         HandshakeError::bad_key, 400},
        {"protocol not a token", Method::get, Version::http11,
         request_fields({{"Sec-WebSocket-Protocol", "chat, a/b"}}),
         HandshakeError::bad_protocol_list, 400},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const auto r = check_upgrade_request(c.method, c.version, c.fields);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), c.error);
        EXPECT_EQ(status_for(r.error()), c.status);
        EXPECT_FALSE(to_string(r.error()).empty());
    }
}

TEST(WsHandshake, Subprotocols) {
    const Fields f = request_fields(
        {{"Sec-WebSocket-Protocol", "chat, superchat"}, {"Sec-WebSocket-Protocol", "v2.json"}});
    const std::vector<std::string_view> ours = {"v2.json", "chat"};
    EXPECT_EQ(select_subprotocol(f, ours), "v2.json"); // the server's preference
    const std::vector<std::string_view> other = {"CHAT", "mqtt"};
    EXPECT_EQ(select_subprotocol(f, other), ""); // case-sensitive
    EXPECT_EQ(select_subprotocol(request_fields(), ours), "");
}

Fields response_fields(std::vector<std::pair<std::string, std::string>> extra = {},
                       std::vector<std::string> drop = {}) {
    Fields f;
    const std::vector<std::pair<std::string, std::string>> base = {
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
    };
    for (const auto& [n, v] : base)
        if (std::find(drop.begin(), drop.end(), n) == drop.end()) f.add(n, v);
    for (const auto& [n, v] : extra) f.add(n, v);
    return f;
}

TEST(WsHandshake, ServerResponse) {
    const std::string_view key = "dGhlIHNhbXBsZSBub25jZQ==";
    const std::vector<std::string_view> protocols = {"chat", "superchat"};
    const DeflateConfig deflate;
    auto ok = check_upgrade_response(101, response_fields(), key, protocols, nullptr);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->protocol, "");
    EXPECT_FALSE(ok->deflate);
    ok = check_upgrade_response(101,
                                response_fields({{"Sec-WebSocket-Protocol", "superchat"},
                                                 {"Sec-WebSocket-Extensions",
                                                  "permessage-deflate; server_no_context_takeover; "
                                                  "client_max_window_bits=10"}}),
                                key, protocols, &deflate);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->protocol, "superchat");
    ASSERT_TRUE(ok->deflate);
    EXPECT_TRUE(ok->deflate->server_no_context_takeover);
    EXPECT_EQ(ok->deflate->client_window(), 10);

    const auto fails = [&](int status, const Fields& f, const DeflateConfig* d) {
        const auto r = check_upgrade_response(status, f, key, protocols, d);
        return r ? std::string("accepted") : std::string(to_string(r.error()));
    };
    EXPECT_EQ(fails(200, response_fields(), nullptr), to_string(HandshakeError::not_101));
    EXPECT_EQ(fails(101, response_fields({}, {"Upgrade"}), nullptr),
              to_string(HandshakeError::response_no_upgrade));
    EXPECT_EQ(fails(101, response_fields({}, {"Connection"}), nullptr),
              to_string(HandshakeError::response_no_connection));
    EXPECT_EQ(fails(101,
                    response_fields({{"Sec-WebSocket-Accept", "x3pPLMBiTxaQ9kYGzzhZRbK+xOo="}},
                                    {"Sec-WebSocket-Accept"}),
                    nullptr),
              to_string(HandshakeError::bad_accept));
    EXPECT_EQ(fails(101, response_fields({}, {"Sec-WebSocket-Accept"}), nullptr),
              to_string(HandshakeError::bad_accept));
    EXPECT_EQ(fails(101, response_fields({{"Sec-WebSocket-Protocol", "mqtt"}}), nullptr),
              to_string(HandshakeError::unrequested_protocol));
    EXPECT_EQ(fails(101, response_fields({{"Sec-WebSocket-Protocol", "chat, superchat"}}), nullptr),
              to_string(HandshakeError::unrequested_protocol));
    EXPECT_EQ(
        fails(101, response_fields({{"Sec-WebSocket-Extensions", "permessage-deflate"}}), nullptr),
        to_string(HandshakeError::unrequested_extension));
    EXPECT_EQ(
        fails(101, response_fields({{"Sec-WebSocket-Extensions", "x-webkit-deflate"}}), &deflate),
        to_string(HandshakeError::unrequested_extension));
    EXPECT_EQ(fails(101,
                    response_fields(
                        {{"Sec-WebSocket-Extensions", "permessage-deflate, permessage-deflate"}}),
                    &deflate),
              to_string(HandshakeError::unrequested_extension));
    for (const char* bad : {"permessage-deflate; foo", "permessage-deflate; client_max_window_bits",
                            "permessage-deflate; server_max_window_bits=16",
                            "permessage-deflate; server_max_window_bits=7",
                            "permessage-deflate; server_no_context_takeover; "
                            "server_no_context_takeover"}) {
        EXPECT_EQ(fails(101, response_fields({{"Sec-WebSocket-Extensions", bad}}), &deflate),
                  to_string(HandshakeError::bad_extension))
            << bad;
    }
    // Asked for a server window of at most 10: 12 or none is refused, 9 accepted.
    DeflateConfig small;
    small.peer_window_bits = 10;
    for (const char* answer :
         {"permessage-deflate; server_max_window_bits=12", "permessage-deflate"})
        EXPECT_EQ(fails(101, response_fields({{"Sec-WebSocket-Extensions", answer}}), &small),
                  to_string(HandshakeError::bad_extension));
    EXPECT_EQ(fails(101,
                    response_fields({{"Sec-WebSocket-Extensions",
                                      "permessage-deflate; server_max_window_bits=9"}}),
                    &small),
              "accepted");
    // Not asked: a server may still bound its own window (RFC 7692 §7.1.2.1).
    EXPECT_EQ(fails(101,
                    response_fields({{"Sec-WebSocket-Extensions",
                                      "permessage-deflate; server_max_window_bits=9"}}),
                    &deflate),
              "accepted");
    // Asked for server_no_context_takeover, the answer must carry it.
    DeflateConfig reset;
    reset.peer_no_context_takeover = true;
    EXPECT_EQ(
        fails(101, response_fields({{"Sec-WebSocket-Extensions", "permessage-deflate"}}), &reset),
        to_string(HandshakeError::bad_extension));
}

} // namespace
} // namespace pier::ws
