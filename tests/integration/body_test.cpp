// Response bodies: bytes, file ranges (sendfile), streams (chunked for 1.1, until close for
// 1.0), trailers, and back-pressure against a client that does not read.
#include "test_server.hpp"

#include <pier/chunked.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>

namespace pier::test {
namespace {

class TempFile {
  public:
    explicit TempFile(const std::string& content) {
        char name[] = "/tmp/pier-body-XXXXXX";
        const int fd = mkstemp(name);
        path_ = name;
        std::size_t off = 0;
        while (off < content.size()) {
            const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
        ::close(fd);
    }
    ~TempFile() { std::remove(path_.c_str()); }
    int open_fd() const { return ::open(path_.c_str(), O_RDONLY | O_CLOEXEC); }

  private:
    std::string path_;
};

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return s;
}

TEST(Bodies, FileRangesGoOutWhole) {
    const std::string content = pattern(3 * 1024 * 1024 + 17);
    TempFile file(content);
    TestServer server([&](const Request& req, Response& res) {
        if (req.path() == "/all")
            res.set_file(file.open_fd(), 0, content.size());
        else
            res.set_file(file.open_fd(), 1000, 5000);
    });
    Client c(server.port());
    c.send("GET /all HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string r = c.read_response();
    EXPECT_TRUE(has_header(r, "Content-Length: " + std::to_string(content.size())));
    EXPECT_TRUE(body_of(r) == content);
    c.send("GET /part HTTP/1.1\r\nHost: t\r\n\r\nHEAD /part HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(c.read_response()), content.substr(1000, 5000));
    const std::string head = c.read_response(Method::head);
    EXPECT_TRUE(has_header(head, "Content-Length: 5000")) << head;
    EXPECT_EQ(body_of(head), "");
}

Handler counting_stream(int pieces, std::atomic<int>* calls = nullptr, std::size_t piece_size = 5) {
    return [=](const Request&, Response& res) {
        auto left = std::make_shared<int>(pieces);
        res.trailers().add("X-Pieces", std::to_string(pieces));
        res.set_stream([left, calls, piece_size](std::string& out) {
            if (calls) ++*calls;
            out.append(piece_size, static_cast<char>('0' + *left % 10));
            return --*left > 0;
        });
    };
}

TEST(Bodies, StreamsAreChunkedForHttp11WithTrailers) {
    TestServer server(counting_stream(3));
    Client c(server.port());
    // Two pipelined requests: the second is answered after the first's whole stream.
    c.send("GET /s HTTP/1.1\r\nHost: t\r\n\r\nGET /again HTTP/1.1\r\nHost: t\r\n\r\n");
    std::string wire;
    const std::string end_of_message = "X-Pieces: 3\r\n\r\n";
    auto count = [&] {
        std::size_t n = 0;
        for (std::size_t at = wire.find(end_of_message); at != std::string::npos;
             at = wire.find(end_of_message, at + 1))
            ++n;
        return n;
    };
    while (count() < 2) {
        char buf[4096];
        const ssize_t n = c.receive(buf, sizeof buf);
        ASSERT_GT(n, 0) << wire;
        wire.append(buf, static_cast<std::size_t>(n));
    }
    EXPECT_TRUE(has_header(wire, "Transfer-Encoding: chunked")) << wire;
    EXPECT_EQ(wire.substr(0, wire.find("\r\n\r\n")).find("Content-Length"), std::string::npos);
    const std::string body = wire.substr(wire.find("\r\n\r\n") + 4);
    ChunkedDecoder dec;
    std::string content;
    std::string_view rest = body;
    for (;;) {
        const auto step = dec.decode(rest);
        rest.remove_prefix(step.consumed);
        content.append(step.data);
        if (step.status != ChunkedDecoder::Status::data) {
            ASSERT_EQ(step.status, ChunkedDecoder::Status::done);
            break;
        }
    }
    EXPECT_EQ(content, "333332222211111");
    EXPECT_EQ(dec.trailers().get("x-pieces"), "3");
    EXPECT_EQ(status_line(rest), "HTTP/1.1 200 OK"); // the second response follows at once
}

TEST(Bodies, StreamsRunUntilCloseForHttp10) {
    TestServer server(counting_stream(2));
    Client c(server.port());
    c.send("GET /s HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    const std::string r = c.read_to_close();
    EXPECT_TRUE(has_header(r, "Connection: close")) << r;
    EXPECT_EQ(r.find("Transfer-Encoding"), std::string::npos);
    EXPECT_EQ(body_of(r), "2222211111");
}

TEST(Bodies, ASlowReaderHoldsBackTheStream) {
    std::atomic<int> calls{0};
    constexpr int kPieces = 4096; // 256 MiB if it were all produced
    TestServer server(counting_stream(kPieces, &calls, 64 * 1024));
    Client c(server.port());
    c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // not reading
    // Only what fits in the socket buffers was produced: far from everything.
    EXPECT_LT(calls.load(), kPieces / 4);
    EXPECT_GT(calls.load(), 0);
}

} // namespace
} // namespace pier::test
