// One body limit, from the configuration (Limits::max_body, `pier serve --max-body`), for
// bodies the handler gets whole as for streamed ones: no constant inside the server caps it.
#include "test_server.hpp"

#include <gtest/gtest.h>

namespace pier::test {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

ServerConfig with_max_body(std::uint64_t bytes) {
    ServerConfig config = TestServer::quiet_config();
    config.limits.max_body = bytes;
    return config;
}

Handler echo_size() {
    return [](const Request& req, Response& res) {
        res.set_body(std::to_string(req.body().size()), "text/plain");
    };
}

TEST(BodyLimit, ABufferedBodyMayBeAsLargeAsTheConfiguredLimit) {
    TestServer server(echo_size(), with_max_body(40 * kMiB));
    const std::string body(24 * kMiB + 3, 'b'); // past the 16 MiB the server once imposed
    Client c(server.port(), 20000);
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n");
    c.send(body);
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(r), std::to_string(body.size()));
}

TEST(BodyLimit, AChunkedBodyMayBeAsLargeAsTheConfiguredLimit) {
    TestServer server(echo_size(), with_max_body(40 * kMiB));
    Client c(server.port(), 20000);
    c.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk(kMiB, 'c');
    for (int i = 0; i < 20; ++i) c.send("100000\r\n" + chunk + "\r\n");
    c.send("0\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(r), std::to_string(20 * kMiB));
}

TEST(BodyLimit, ALengthPastTheLimitIs413BeforeTheBodyIsRead) {
    TestServer server(echo_size(), with_max_body(kMiB));
    Client c(server.port());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(kMiB + 1) +
           "\r\n\r\n");
    const std::string r = c.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 413 Content Too Large");
}

TEST(BodyLimit, AChunkedBodyPastTheLimitIs413) {
    TestServer server(echo_size(), with_max_body(kMiB));
    Client c(server.port());
    c.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk(kMiB / 2, 'c');
    for (int i = 0; i < 3; ++i) c.send("80000\r\n" + chunk + "\r\n");
    const std::string r = c.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 413 Content Too Large");
}

} // namespace
} // namespace pier::test
