// Request bodies streamed to the handler (stream_body routes): larger than anything the server
// buffers, 100 Continue only when the handler takes the body, and no body read when it does not.
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace pier::test {
namespace {

Router upload_router() {
    Router r;
    r.put("/upload",
          [](const Request&, Response& res) {
              auto total = std::make_shared<std::uint64_t>(0);
              auto sum = std::make_shared<std::uint64_t>(0);
              res.read_body(
                  [total, sum](std::string_view piece) {
                      *total += piece.size();
                      for (unsigned char c : piece) *sum += c;
                  },
                  [total, sum](Response& done) {
                      done.set_status(201);
                      done.set_body(std::to_string(*total) + " " + std::to_string(*sum));
                  });
          },
          {.stream_body = true});
    r.put("/forbidden",
          [](const Request&, Response& res) {
              res.set_status(403);
              res.set_body("no");
          },
          {.stream_body = true});
    return r;
}

TEST(StreamBody, AnUploadLargerThanTheBufferedLimitFlowsThrough) {
    TestServer server(upload_router());
    Client c(server.port());
    constexpr std::size_t kSize = 24 * 1024 * 1024; // over the 16 MiB a buffered body may take
    c.send("PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(kSize) +
           "\r\n\r\n");
    const std::string block(64 * 1024, '\x03');
    for (std::size_t sent = 0; sent < kSize; sent += block.size()) c.send(block);
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
    EXPECT_EQ(body_of(r), std::to_string(kSize) + " " + std::to_string(kSize * 3));
    // The connection goes on.
    c.send("PUT /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
           "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), "3 294");
}

TEST(StreamBody, ContinueIsSentOnlyWhenTheHandlerTakesTheBody) {
    TestServer server(upload_router());
    {
        Client c(server.port());
        c.send(
            "PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
        EXPECT_EQ(c.read_response(), "HTTP/1.1 100 Continue\r\n\r\n");
        c.send("hi");
        EXPECT_EQ(body_of(c.read_response()), "2 209");
    }
    Client c(server.port());
    c.send(
        "PUT /forbidden HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    const std::string r = c.read_to_close(); // answered without reading the body: then closed
    EXPECT_EQ(status_line(r), "HTTP/1.1 403 Forbidden") << r;
    EXPECT_EQ(r.find("100 Continue"), std::string::npos);
    EXPECT_TRUE(has_header(r, "Connection: close")) << r;
}

TEST(StreamBody, BadChunkingMidStreamIs400) {
    TestServer server(upload_router());
    Client c(server.port());
    c.send("PUT /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX");
    const std::string r = c.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 400 Bad Request") << r;
}

} // namespace
} // namespace pier::test
