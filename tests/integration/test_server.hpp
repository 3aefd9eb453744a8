// A real pier server on an ephemeral loopback port for one test, and a raw-socket client that
// sends exact bytes and reads exact bytes back.
#pragma once

#include <pier/parser.hpp>
#include <pier/server.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace pier::test {

class TestServer {
  public:
    explicit TestServer(Handler handler, ServerConfig config = quiet_config())
        : server_(std::move(config), std::move(handler)) {
        start();
    }
    explicit TestServer(Router router, ServerConfig config = quiet_config())
        : server_(std::move(config), std::move(router)) {
        start();
    }
    ~TestServer() {
        server_.stop(false);
        thread_.join();
    }
    static ServerConfig quiet_config() {
        ServerConfig c;
        c.host = "127.0.0.1";
        c.port = 0;
        c.threads = 1;
        c.access_log = AccessLogFormat::off;
        return c;
    }
    std::uint16_t port() const { return server_.port(); }
    void start() {
        std::string error;
        if (!server_.listen(error)) throw std::runtime_error(error);
        thread_ = std::thread([this] { server_.run(); });
    }
    Server& server() { return server_; }

  private:
    Server server_;
    std::thread thread_;
};

/// A blocking client socket with a receive timeout, so a test never hangs.
class Client {
  public:
    explicit Client(std::uint16_t port, int timeout_ms = 5000) {
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("connect failed");
        timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        const int one = 1;
        setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~Client() {
        if (fd_ >= 0) close(fd_);
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send failed");
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

    /// Reads one complete response (head + Content-Length or chunked body, or to close).
    std::string read_response(Method method = Method::get) {
        for (;;) {
            ResponseParser parser;
            ResponseHead head;
            const ParseStatus st = parser.parse(buffer_, head, method);
            if (st == ParseStatus::error) throw std::runtime_error("bad response: " + buffer_);
            if (st == ParseStatus::complete) {
                std::size_t total = parser.head_size();
                if (head.body == BodyKind::content_length) total += head.content_length;
                if (head.body == BodyKind::until_close || head.body == BodyKind::chunked) {
                    // Tests here use neither; read to close for until_close.
                    if (head.body == BodyKind::until_close) {
                        read_to_close();
                        total = buffer_.size();
                    }
                }
                if (buffer_.size() >= total) {
                    std::string r = buffer_.substr(0, total);
                    buffer_.erase(0, total);
                    return r;
                }
            }
            if (!read_some()) {
                std::string r = std::move(buffer_);
                buffer_.clear();
                return r;
            }
        }
    }
    /// Everything until the server closes (or the timeout).
    std::string read_to_close() {
        while (read_some()) {
        }
        std::string r = std::move(buffer_);
        buffer_.clear();
        return r;
    }
    /// True if the server closed the connection (EOF) within the timeout.
    bool closed_by_server() {
        while (read_some()) {
        }
        return eof_;
    }
    int fd() const { return fd_; }

  private:
    bool read_some() {
        char buf[16384];
        const ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n > 0) {
            buffer_.append(buf, static_cast<std::size_t>(n));
            return true;
        }
        if (n == 0) eof_ = true;
        return false;
    }
    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
};

inline std::string status_line(std::string_view response) {
    return std::string(response.substr(0, response.find("\r\n")));
}

inline bool has_header(std::string_view response, std::string_view line) {
    const std::size_t end = response.find("\r\n\r\n");
    if (end == std::string_view::npos) return false;
    return response.substr(0, end + 2).find(std::string("\r\n") + std::string(line) + "\r\n") !=
           std::string_view::npos;
}

inline std::string body_of(std::string_view response) {
    const std::size_t end = response.find("\r\n\r\n");
    return end == std::string_view::npos ? std::string() : std::string(response.substr(end + 4));
}

} // namespace pier::test
