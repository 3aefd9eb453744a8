// A real pier server on an ephemeral loopback port for one test, and a raw-socket client that
// sends exact bytes and reads exact bytes back.
//
// With PIER_TEST_TLS set (ctest's "tls." copies of this suite), every TestServer speaks TLS with
// a certificate minted once, and every Client wraps its socket in TLS: the whole suite runs
// over the TLS transport, byte for byte the same requests and answers.
#pragma once

#include <pier/parser.hpp>
#include <pier/server.hpp>
#include <pier/tls.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace pier::test {

inline bool tls_mode() {
    static const bool on = [] {
        const bool set = std::getenv("PIER_TEST_TLS") != nullptr;
        if (set) std::signal(SIGPIPE, SIG_IGN); // OpenSSL writes with write(2)
        return set;
    }();
    return on;
}

inline const TlsCertificate& test_certificate() {
    static const TlsCertificate certificate = [] {
        SelfSignedCertificate minted;
        std::string error;
        if (!mint_self_signed({"localhost", "127.0.0.1"}, minted, error))
            throw std::runtime_error(error);
        return minted.pem;
    }();
    return certificate;
}

/// The config as the suite's mode wants it: with the test certificate under PIER_TEST_TLS.
inline ServerConfig in_test_mode(ServerConfig config) {
    if (tls_mode() && !config.tls.enabled()) config.tls.certificates.push_back(test_certificate());
    return config;
}

class TestServer {
  public:
    explicit TestServer(Handler handler, ServerConfig config = quiet_config())
        : server_(in_test_mode(std::move(config)), std::move(handler)) {
        start();
    }
    explicit TestServer(Router router, ServerConfig config = quiet_config())
        : server_(in_test_mode(std::move(config)), std::move(router)) {
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

/// A blocking client socket with a receive timeout, so a test never hangs; TLS over it when the
/// suite runs in TLS mode (or `tls` says so), plain otherwise.
class Client {
  public:
    explicit Client(std::uint16_t port, int timeout_ms = 5000, bool tls = tls_mode()) {
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
        if (tls) {
            ssl_ = SSL_new(client_context());
            SSL_set_fd(ssl_, fd_);
            if (SSL_connect(ssl_) != 1) {
                ERR_clear_error();
                throw std::runtime_error("TLS handshake failed");
            }
        }
    }
    ~Client() {
        if (ssl_ != nullptr) SSL_free(ssl_);
        if (fd_ >= 0) close(fd_);
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ssl_ != nullptr
                                  ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                                  : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send failed");
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    /// No more from us: over TLS, close_notify first.
    void shutdown_write() {
        if (ssl_ != nullptr) SSL_shutdown(ssl_);
        ::shutdown(fd_, SHUT_WR);
    }
    /// One read, as recv(2) answers: > 0 bytes, 0 at the end, < 0 on a timeout or an error.
    /// A signal is not an answer: the CGI tests' scripts are this process's children, and
    /// their SIGCHLD interrupts a read with a timeout.
    ssize_t receive(char* into, std::size_t room) {
        for (;;) {
            errno = 0;
            const ssize_t n = receive_once(into, room);
            if (n >= 0 || errno != EINTR) return n;
        }
    }
    ssize_t receive_once(char* into, std::size_t room) {
        if (ssl_ == nullptr) return ::recv(fd_, into, room, 0);
        const int n = SSL_read(ssl_, into, static_cast<int>(room));
        if (n > 0) return n;
        const int e = SSL_get_error(ssl_, n);
        const bool timed_out =
            e == SSL_ERROR_WANT_READ ||
            (e == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK));
        ERR_clear_error();
        if (timed_out) return -1;
        // close_notify, or the peer's FIN without it (a close is a close to these tests), or
        // a reset.
        return e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0) ? 0 : -1;
    }

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
    static SSL_CTX* client_context() {
        static SSL_CTX* const ctx = SSL_CTX_new(TLS_client_method()); // no verification: tests
        return ctx;
    }
    bool read_some() {
        char buf[16384];
        const ssize_t n = receive(buf, sizeof buf);
        if (n > 0) {
            buffer_.append(buf, static_cast<std::size_t>(n));
            return true;
        }
        if (n == 0) eof_ = true;
        return false;
    }
    int fd_ = -1;
    SSL* ssl_ = nullptr;
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

/// The value of the first field `name` (as the server spells it), or empty.
inline std::string header_value(std::string_view response, std::string_view name) {
    const std::string key = "\r\n" + std::string(name) + ": ";
    const std::size_t at = response.find(key);
    if (at == std::string_view::npos) return {};
    const std::size_t start = at + key.size();
    return std::string(response.substr(start, response.find("\r\n", start) - start));
}

} // namespace pier::test
