// An answer given before a request's body was read (405, 404, 413, 417, a handler that
// refuses an upload) either reads and validates the rest of the body before the next request
// or closes the connection: unread body bytes are never parsed as a request (smuggling), and
// a connection never stays open on a chunked body nobody validated.
#include "test_server.hpp"

#include <gtest/gtest.h>

namespace pier::test {
namespace {

// A body that holds something shaped like a request: it must never be answered.
constexpr std::string_view kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";

Router router_with_refusing_upload() {
    Router router;
    router.get("/smuggled", [](const Request&, Response& res) { res.set_body("SMUGGLED\n"); });
    router.get("/next", [](const Request&, Response& res) { res.set_body("next\n"); });
    router.post("/upload",
                [](const Request&, Response& res) { res.set_status(413); }, // never takes the body
                {.stream_body = true});
    return router;
}

int answers(std::string_view all) {
    int n = 0;
    for (std::size_t at = all.find("HTTP/1.1 "); at != std::string_view::npos;
         at = all.find("HTTP/1.1 ", at + 1))
        ++n;
    return n;
}

std::string chunked_wrapping(std::string_view inner) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", inner.size());
    return std::string(size) + std::string(inner) + "\r\n0\r\n\r\n";
}

TEST(UnreadBodies, AHandlerThatRefusesTheBodyClosesTheConnection) {
    TestServer server(router_with_refusing_upload());
    for (const bool chunked : {false, true}) {
        Client c(server.port());
        std::string request = "POST /upload HTTP/1.1\r\nHost: t\r\n";
        if (chunked)
            request += "Transfer-Encoding: chunked\r\n\r\n" + chunked_wrapping(kSmuggled);
        else
            request += "Content-Length: " + std::to_string(kSmuggled.size()) + "\r\n\r\n" +
                       std::string(kSmuggled);
        request += "GET /next HTTP/1.1\r\nHost: t\r\n\r\n";
        c.send(request);
        const std::string all = c.read_to_close();
        EXPECT_EQ(status_line(all), "HTTP/1.1 413 Content Too Large") << chunked;
        EXPECT_TRUE(has_header(all, "Connection: close")) << chunked;
        EXPECT_EQ(all.find("SMUGGLED"), std::string::npos) << chunked;
        EXPECT_EQ(answers(all), 1) << chunked;
    }
}

TEST(UnreadBodies, ANotFoundAnswerReadsTheWholeBodyFirst) {
    TestServer server(router_with_refusing_upload());
    Client c(server.port());
    c.send("POST /nowhere HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
           chunked_wrapping(kSmuggled) + "GET /next HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 404 Not Found");
    const std::string next = c.read_response();
    EXPECT_EQ(body_of(next), "next\n"); // the body was consumed as a body, never as a request
}

TEST(UnreadBodies, AnInvalidChunkedBodyBehindAnErrorClosesTheConnection) {
    TestServer server(router_with_refusing_upload());
    const std::string_view bad_bodies[] = {"zz\r\n", "5;\r\nhello\r\n0\r\n\r\n",
                                           "5\r\nhelloXX0\r\n\r\n"};
    for (std::string_view body : bad_bodies) {
        Client c(server.port());
        c.send("POST /nowhere HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
               std::string(body) + std::string(kSmuggled));
        const std::string all = c.read_to_close();
        EXPECT_EQ(status_line(all), "HTTP/1.1 400 Bad Request") << body;
        EXPECT_EQ(answers(all), 1) << body;
    }
}

TEST(UnreadBodies, ARefusedExpectationClosesTheConnection) {
    TestServer server(router_with_refusing_upload());
    Client c(server.port());
    c.send("POST /next HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\nContent-Length: " +
           std::to_string(kSmuggled.size()) + "\r\n\r\n" + std::string(kSmuggled));
    const std::string all = c.read_to_close();
    EXPECT_EQ(status_line(all), "HTTP/1.1 417 Expectation Failed");
    EXPECT_EQ(answers(all), 1);
}

TEST(UnreadBodies, ATwoWordLineThatIsNotAPathIs400NotHttp09) {
    TestServer server(router_with_refusing_upload());
    Client c(server.port());
    c.send("GET HTTP/1.1\r\n\r\n");
    EXPECT_EQ(status_line(c.read_to_close()), "HTTP/1.1 400 Bad Request");
}

} // namespace
} // namespace pier::test
