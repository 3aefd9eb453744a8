// Where a client connection goes and how it speaks, against scripted servers: addresses given
// instead of a lookup (curl's --resolve), a unix socket (--unix-socket), HTTP/1.0 (--http1.0),
// a client certificate (--cert / --key) against `openssl s_server -Verify`, and what a
// Response tells of its connection (addresses, times) for curl's -w.
#include "scripted_server.hpp"

#include <pier/client.hpp>
#include <pier/fetch.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/un.h>
#include <sys/wait.h>

extern char** environ;

namespace pier::client {
namespace {

using test::Exchange;
using test::ScriptedServer;
using namespace std::chrono_literals;

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

std::string port_text(const ScriptedServer& s) {
    return std::to_string(s.port());
}

TEST(ClientAddresses, GivenAddressIsUsedAndHostStaysTheName) {
    ScriptedServer server({{Exchange{kOk}, Exchange{kOk}}});
    Connection c("example.test", server.port(), 5s);
    // 127.0.0.2 is loopback too, but nothing listens there: the next address is tried.
    c.set_addresses({"127.0.0.2", "[127.0.0.1]"});
    c.request("GET", "/a");
    Response r = c.getresponse();
    EXPECT_EQ(r.read(), "hello");
    const ConnectionInfo& info = r.connection_info();
    EXPECT_EQ(info.remote_ip, "127.0.0.1");
    EXPECT_EQ(info.remote_port, server.port());
    EXPECT_EQ(info.local_ip, "127.0.0.1");
    EXPECT_NE(info.local_port, 0);
    EXPECT_TRUE(info.unix_socket.empty());
    EXPECT_FALSE(r.reused_connection());
    c.request("GET", "/b");
    Response again = c.getresponse();
    EXPECT_EQ(again.read(), "hello");
    EXPECT_TRUE(again.reused_connection());
    EXPECT_EQ(again.connection_info().local_port, info.local_port);
    c.close();
    EXPECT_EQ(server.received(0), "GET /a HTTP/1.1\r\nHost: example.test:" + port_text(server) +
                                      "\r\nAccept-Encoding: identity\r\n\r\n"
                                      "GET /b HTTP/1.1\r\nHost: example.test:" +
                                      port_text(server) + "\r\nAccept-Encoding: identity\r\n\r\n");
}

TEST(ClientAddresses, ANameAmongTheAddressesIsNotLookedUp) {
    Connection c("localhost", 1, 5s);
    c.set_addresses({"localhost"});
    try {
        c.request("GET", "/");
        FAIL() << "connected";
    } catch (const ConnectError& e) {
        EXPECT_EQ(e.kind(), ConnectError::Kind::resolve);
    }
}

TEST(ClientAddresses, CannotChangeWhileConnected) {
    ScriptedServer server({{Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.connect();
    EXPECT_THROW(c.set_addresses({"127.0.0.1"}), ImproperConnectionState);
    EXPECT_THROW(c.set_unix_socket("/tmp/x"), ImproperConnectionState);
    c.close();
}

TEST(ClientTiming, StepsAreInOrderAndAReusedConnectionKeepsItsConnectTime) {
    Exchange slow{kOk};
    slow.delay = 50ms;
    ScriptedServer server({{slow, Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    const auto start = std::chrono::steady_clock::now();
    c.request("GET", "/");
    Response r = c.getresponse();
    r.read();
    const ConnectionInfo& info = r.connection_info();
    EXPECT_GE(info.connected, start);
    EXPECT_EQ(info.tls_done, std::chrono::steady_clock::time_point{}); // plain HTTP
    EXPECT_GE(r.request_sent(), info.connected);
    EXPECT_GE(r.first_byte() - r.request_sent(), 50ms); // the server's delay
    c.request("GET", "/");
    Response again = c.getresponse();
    again.read();
    EXPECT_EQ(again.connection_info().connected, info.connected);
    EXPECT_GT(again.request_sent(), r.first_byte());
    EXPECT_GE(again.first_byte(), again.request_sent());
    c.close();
}

// A unix-socket server that answers each connection's one request with `reply` and keeps what
// it read. Bounded: gives up 5 s after it was started.
class UnixServer {
  public:
    explicit UnixServer(std::string reply) : reply_(std::move(reply)) {
        char dir[] = "/tmp/pier-unix-test-XXXXXX";
        dir_ = ::mkdtemp(dir);
        path_ = dir_ + "/http.sock";
        listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        path_.copy(a.sun_path, path_.size());
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(listener_, 4) != 0)
            throw std::runtime_error("unix server: cannot listen");
        thread_ = std::thread([this] { run(); });
    }
    ~UnixServer() {
        stop_ = true;
        thread_.join();
        ::close(listener_);
        ::unlink(path_.c_str());
        ::rmdir(dir_.c_str());
    }
    const std::string& path() const { return path_; }
    std::string received() {
        std::lock_guard lock(mutex_);
        return received_;
    }

  private:
    void run() {
        const auto until = std::chrono::steady_clock::now() + 5s;
        while (!stop_ && std::chrono::steady_clock::now() < until) {
            pollfd p{listener_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0) continue;
            std::string got;
            char buf[4096];
            while (got.find("\r\n\r\n") == std::string::npos) {
                pollfd q{fd, POLLIN, 0};
                if (::poll(&q, 1, 2000) <= 0) break;
                const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n <= 0) break;
                got.append(buf, static_cast<std::size_t>(n));
            }
            {
                std::lock_guard lock(mutex_);
                received_ += got;
            }
            (void)::send(fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
            ::shutdown(fd, SHUT_WR);
            ::close(fd);
        }
    }

    std::string reply_;
    std::string dir_;
    std::string path_;
    int listener_ = -1;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::string received_;
    std::thread thread_;
};

TEST(ClientUnixSocket, RequestGoesOverTheSocketWithTheUrlsHost) {
    UnixServer server("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nunix");
    Connection c("example.test", 0, 5s);
    c.set_unix_socket(server.path());
    c.request("GET", "/x");
    Response r = c.getresponse();
    EXPECT_EQ(r.read(), "unix");
    EXPECT_EQ(r.connection_info().unix_socket, server.path());
    EXPECT_EQ(r.connection_info().remote_ip, "");
    EXPECT_EQ(r.connection_info().remote_port, 0);
    EXPECT_EQ(server.received(),
              "GET /x HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: identity\r\n\r\n");
}

TEST(ClientUnixSocket, AMissingSocketIsAConnectError) {
    Connection c("example.test", 0, 5s);
    c.set_unix_socket("/tmp/pier-no-such-dir/none.sock");
    try {
        c.request("GET", "/");
        FAIL() << "connected";
    } catch (const ConnectError& e) {
        EXPECT_EQ(e.kind(), ConnectError::Kind::connect);
        EXPECT_EQ(e.error(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("/tmp/pier-no-such-dir/none.sock"), std::string::npos);
    }
}

TEST(ClientUnixSocket, SessionSendsEveryUrlThroughIt) {
    UnixServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    FetchOptions o;
    o.unix_socket = server.path();
    o.proxy = "http://127.0.0.1:1"; // would fail: a unix socket takes no proxy
    o.timeouts = {5000ms, 5000ms, 0ms};
    Session s;
    EXPECT_EQ(s.fetch("http://a.test/1", o).read(), "ok");
    EXPECT_NE(server.received().find("GET /1 HTTP/1.1\r\nHost: a.test\r\n"), std::string::npos);
}

TEST(ClientHttp10, RequestLineSaysHttp10AndTheConnectionIsNotKept) {
    // The server would keep the connection (HTTP/1.1, no Connection: close); the client must
    // not, having asked in HTTP/1.0 without keep-alive (RFC 9112 §9.3).
    ScriptedServer server({{Exchange{kOk}}, {Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.set_http10(true);
    const std::string body(2 << 20, 'x'); // above the Expect threshold: none in HTTP/1.0
    c.request("POST", "/a", body);
    EXPECT_EQ(c.getresponse().read(), "hello");
    EXPECT_FALSE(c.connected());
    c.request("GET", "/b");
    EXPECT_EQ(c.getresponse().read(), "hello");
    EXPECT_FALSE(c.last_request_reused());
    c.close();
    EXPECT_EQ(server.accepted(), 2u);
    const std::string host = "Host: 127.0.0.1:" + port_text(server) + "\r\n";
    EXPECT_EQ(server.received(0), "POST /a HTTP/1.0\r\n" + host +
                                      "Accept-Encoding: identity\r\nContent-Length: " +
                                      std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(server.received(1),
              "GET /b HTTP/1.0\r\n" + host + "Accept-Encoding: identity\r\n\r\n");
}

TEST(ClientHttp10, KeepAliveAskedForIsKept) {
    const std::string kept =
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello";
    ScriptedServer server({{Exchange{kept}, Exchange{kept}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.set_http10(true);
    Fields f;
    f.add("Connection", "keep-alive");
    c.request("GET", "/a", {}, f);
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.request("GET", "/b", {}, f);
    EXPECT_EQ(c.getresponse().read(), "hello");
    EXPECT_TRUE(c.last_request_reused());
    c.close();
    EXPECT_EQ(server.accepted(), 1u);
}

TEST(ClientHttp10, ABodyOfUnknownLengthIsRefusedBeforeAnythingIsSent) {
    ScriptedServer server({{Exchange{kOk}}});
    Connection c("127.0.0.1", server.port(), 5s);
    c.set_http10(true);
    const BodyReader none = [](char*, std::size_t) -> std::size_t { return 0; };
    EXPECT_THROW(c.request_stream("PUT", "/", none, std::nullopt), std::invalid_argument);
    c.request("GET", "/"); // the connection is still usable
    EXPECT_EQ(c.getresponse().read(), "hello");
    c.close();
}

TEST(ClientFetchRoutes, ResolveCoversRedirectsToTheSameHostAndPort) {
    const std::string moved = "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n";
    ScriptedServer server({{Exchange{moved}, Exchange{kOk}}});
    FetchOptions o;
    o.proxy = "";
    o.timeouts = {5000ms, 5000ms, 0ms};
    o.resolve["Example.Test:" + port_text(server)] = {"127.0.0.1"};
    Session s;
    Response r = s.fetch("http://example.TEST:" + port_text(server) + "/first", o);
    EXPECT_EQ(r.read(), "hello");
    EXPECT_EQ(r.redirects(), 1);
    EXPECT_EQ(s.connections_opened(), 1u);
    const std::string got = server.received(0);
    EXPECT_NE(got.find("GET /next HTTP/1.1\r\nHost: example.TEST:" + port_text(server)),
              std::string::npos)
        << got;
}

TEST(ClientFetchRoutes, AnotherAddressIsAnotherConnection) {
    ScriptedServer server({{Exchange{kOk}}, {Exchange{kOk}}});
    FetchOptions o;
    o.proxy = "";
    o.timeouts = {5000ms, 5000ms, 0ms};
    const std::string url = "http://example.test:" + port_text(server) + "/";
    o.resolve["example.test:" + port_text(server)] = {"127.0.0.1"};
    Session s;
    EXPECT_EQ(s.fetch(url, o).read(), "hello");
    o.resolve["example.test:" + port_text(server)] = {"::ffff:127.0.0.1"};
    EXPECT_EQ(s.fetch(url, o).read(), "hello");
    EXPECT_EQ(s.connections_opened(), 2u);
}

// A client certificate: `openssl s_server -Verify 1` insists on one from our CA.
class ClientCertificate : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        char dir_template[] = "/tmp/pier-client-cert-XXXXXX";
        dir_ = ::mkdtemp(dir_template);
        const std::string script =
            "cd " + dir_ +
            " && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=pier test CA' "
            "-keyout ca.key -out ca.pem"
            " && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
            "-addext subjectAltName=DNS:localhost -keyout server.key -out server.pem"
            " && openssl req -newkey rsa:2048 -nodes -subj /CN=alice -keyout alice.key "
            "-out alice.csr"
            " && openssl x509 -req -in alice.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
            "-days 2 -out alice.pem"
            " && openssl pkey -in alice.key -aes256 -passout pass:s3cret -out alice.enc.key"
            " && cat alice.pem alice.key > alice.both.pem"
            " && cat ca.pem server.pem > trusted.pem";
        ASSERT_EQ(std::system(("(" + script + ") >/dev/null 2>&1").c_str()), 0);
        const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(probe, reinterpret_cast<sockaddr*>(&a), &len);
        ::close(probe);
        port_ = ntohs(a.sin_port);
        const std::string accept = "127.0.0.1:" + std::to_string(port_);
        const std::string cert = dir_ + "/server.pem", key = dir_ + "/server.key",
                          ca = dir_ + "/ca.pem";
        const char* argv[] = {"openssl",      "s_server", "-quiet",     "-www",     "-accept",
                              accept.c_str(), "-cert",    cert.c_str(), "-key",     key.c_str(),
                              "-Verify",      "1",        "-CAfile",    ca.c_str(), nullptr};
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        ASSERT_EQ(posix_spawnp(&server_, "openssl", &actions, nullptr,
                               const_cast<char* const*>(argv), environ),
                  0);
        posix_spawn_file_actions_destroy(&actions);
        for (int i = 0; i < 200 && !listening(); ++i) std::this_thread::sleep_for(25ms);
        ASSERT_TRUE(listening()) << "openssl s_server did not start";
    }
    static void TearDownTestSuite() {
        if (server_ > 0) {
            ::kill(server_, SIGTERM);
            ::waitpid(server_, nullptr, 0);
        }
        if (std::system(("rm -rf " + dir_).c_str()) != 0) std::perror("rm");
    }
    static bool listening() {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port_);
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(fd);
        return ok;
    }
    static TlsOptions as_alice(std::string cert, std::string key = {}, std::string password = {}) {
        TlsOptions t;
        t.ca_file = dir_ + "/trusted.pem"; // the server's certificate is its own issuer
        t.cert_file = cert.empty() ? "" : dir_ + "/" + cert;
        t.key_file = key.empty() ? "" : dir_ + "/" + key;
        t.key_password = std::move(password);
        return t;
    }
    static std::string get(const TlsOptions& tls) {
        HttpsConnection c("localhost", port_, tls, 5s);
        c.request("GET", "/");
        Response r = c.getresponse();
        EXPECT_EQ(r.status(), 200);
        EXPECT_NE(r.connection_info().tls_done, std::chrono::steady_clock::time_point{});
        EXPECT_GE(r.connection_info().tls_done, r.connection_info().connected);
        return r.read();
    }

    static inline std::string dir_;
    static inline std::uint16_t port_ = 0;
    static inline pid_t server_ = -1;
};

TEST_F(ClientCertificate, CertificateAndKeyInTwoFilesOrOne) {
    // s_server -www describes the session; a client certificate shows as its subject.
    EXPECT_NE(get(as_alice("alice.pem", "alice.key")).find("Subject: CN=alice"), std::string::npos);
    EXPECT_NE(get(as_alice("alice.both.pem")).find("Subject: CN=alice"), std::string::npos);
}

TEST_F(ClientCertificate, AnEncryptedKeyWithItsPassword) {
    EXPECT_NE(get(as_alice("alice.pem", "alice.enc.key", "s3cret")).find("Subject: CN=alice"),
              std::string::npos);
}

TEST_F(ClientCertificate, WithoutOneTheServerRefuses) {
    try {
        get(as_alice(""));
        FAIL() << "the server took a request without a client certificate";
    } catch (const CertificateError& e) {
        FAIL() << "the server's certificate was not trusted: " << e.what();
    } catch (const HTTPException&) { // the server's alert, in the handshake or after it
    }
}

TEST_F(ClientCertificate, WhatCannotBeLoadedIsAClientCertificateError) {
    EXPECT_THROW(get(as_alice("missing.pem", "alice.key")), ClientCertificateError);
    EXPECT_THROW(get(as_alice("alice.pem", "missing.key")), ClientCertificateError);
    EXPECT_THROW(get(as_alice("alice.pem", "alice.enc.key", "wrong")), ClientCertificateError);
    // No password for an encrypted key: an error, never a prompt on the terminal.
    EXPECT_THROW(get(as_alice("alice.pem", "alice.enc.key")), ClientCertificateError);
    // A key that is not the certificate's.
    EXPECT_THROW(get(as_alice("alice.pem", "server.key")), ClientCertificateError);
    EXPECT_THROW(get(as_alice("ca.pem", "alice.key")), ClientCertificateError);
}

} // namespace
} // namespace pier::client
