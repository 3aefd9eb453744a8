// The BaseHTTPRequestHandler adapter behaves as Python's does for a ported handler.
#include "test_server.hpp"

#include <pier/base_handler.hpp>

#include <gtest/gtest.h>

namespace pier::test {
namespace {

class Ported : public BaseHTTPRequestHandler {
    void do_GET() override {
        if (path() == "/missing") {
            send_error(404, "File not found");
            return;
        }
        if (path() == "/bye") {
            send_response(200);
            send_header("Connection", "close");
            end_headers();
            write("bye");
            return;
        }
        send_response(200);
        send_header("Content-Type", "text/plain");
        send_header("X-Version", request_version());
        end_headers();
        write("got ");
        write(path());
    }
    void do_POST() override {
        send_response(201, "Made It");
        end_headers();
        write(std::string(rfile()) + " from " + client_address());
    }
};

TEST(BaseHandler, DoMethodsBuildTheResponse) {
    TestServer server(BaseHTTPRequestHandler::handler<Ported>());
    Client c(server.port());
    c.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_TRUE(has_header(r, "X-Version: HTTP/1.1")) << r;
    EXPECT_EQ(body_of(r), "got /x");
    c.send("POST /n HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nnote");
    const std::string p = c.read_response();
    EXPECT_EQ(status_line(p), "HTTP/1.1 201 Made It");
    EXPECT_EQ(body_of(p), "note from 127.0.0.1");
}

TEST(BaseHandler, MissingDoMethodIs501LikePython) {
    TestServer server(BaseHTTPRequestHandler::handler<Ported>());
    Client c(server.port());
    c.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_EQ(status_line(r), "HTTP/1.1 501 Not Implemented");
    EXPECT_NE(r.find("Unsupported method (&#x27;PUT&#x27;)"), std::string::npos) << r;
}

TEST(BaseHandler, SendErrorAndConnectionClose) {
    TestServer server(BaseHTTPRequestHandler::handler<Ported>());
    {
        Client c(server.port());
        c.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
        const std::string r = c.read_response();
        EXPECT_EQ(status_line(r), "HTTP/1.1 404 Not Found");
        EXPECT_NE(r.find("<p>Message: File not found.</p>"), std::string::npos) << r;
    }
    Client c(server.port());
    c.send("GET /bye HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string r = c.read_to_close();
    EXPECT_TRUE(has_header(r, "Connection: close")) << r;
    EXPECT_EQ(body_of(r), "bye");
}

} // namespace
} // namespace pier::test
