// The server over TLS, end to end on loopback: pier's own client verifying a minted
// certificate, keep-alive with large bodies both ways (partial writes under TLS), pipelined
// requests in one record, plain HTTP to the TLS port, the handshake's deadline and bound, and
// certificate reload (new handshakes get the new pair; a broken pair is refused).
#include "../support/tls_peer.hpp"
#include "test_server.hpp"

#include <pier/client.hpp>
#include <pier/tls.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

namespace pier::test {
namespace {

using namespace std::chrono_literals;

TlsCertificate minted(const std::vector<std::string>& names) {
    SelfSignedCertificate out;
    std::string error;
    if (!mint_self_signed(names, out, error)) throw std::runtime_error(error);
    return out.pem;
}

std::string write_temp(const std::string& text) {
    char path[] = "/tmp/pier-tls-test-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw std::runtime_error("cannot write a temporary file");
    ::close(fd);
    return path;
}

ServerConfig tls_config(const TlsCertificate& certificate) {
    ServerConfig config = TestServer::quiet_config();
    config.tls.certificates = {certificate};
    return config;
}

void echo_handler(const Request& req, Response& res) {
    if (req.path() == "/big") {
        res.set_body(std::string(3 << 20, 'b'), "application/octet-stream");
        return;
    }
    res.set_body(std::string(req.scheme()) + " " + std::string(req.path()) + " " +
                     std::to_string(req.body().size()),
                 "text/plain");
}

class TlsServerTest : public ::testing::Test {
  protected:
    TlsServerTest() : certificate_(minted({"localhost", "127.0.0.1"})) {
        ca_file_ = write_temp(certificate_.certificate_pem);
    }
    ~TlsServerTest() override { std::remove(ca_file_.c_str()); }
    client::HttpsConnection connect(std::uint16_t port) {
        client::TlsOptions options;
        options.ca_file = ca_file_;
        return client::HttpsConnection("127.0.0.1", port, options, std::chrono::seconds(5));
    }

    TlsCertificate certificate_;
    std::string ca_file_;
};

TEST_F(TlsServerTest, AVerifyingClientGetsItsAnswersOverOneConnection) {
    TestServer server(echo_handler, tls_config(certificate_));
    auto c = connect(server.port());
    c.request("GET", "/hello");
    auto r = c.getresponse();
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.read(), "https /hello 0");
    // A 3 MiB answer and a 2 MiB upload on the same connection: many records, full sockets.
    c.request("GET", "/big");
    auto big = c.getresponse();
    EXPECT_EQ(big.read(), std::string(3 << 20, 'b'));
    c.request("POST", "/up", std::string(2 << 20, 'u'));
    EXPECT_EQ(c.getresponse().read(), "https /up 2097152");
}

// A client that does not know the CA is refused by its own verification.
TEST_F(TlsServerTest, AnUnknownCertificateFailsVerification) {
    TestServer server(echo_handler, tls_config(certificate_));
    client::TlsOptions options;
    options.ca_file = write_temp(minted({"localhost"}).certificate_pem);
    client::HttpsConnection c("127.0.0.1", server.port(), options, std::chrono::seconds(5));
    EXPECT_THROW(c.request("GET", "/"), client::HTTPException);
    std::remove(options.ca_file.c_str());
}

// A raw OpenSSL client over the test's blocking socket, for what the pier client would not do.
class RawTls {
  public:
    explicit RawTls(std::uint16_t port, const char* sni = nullptr)
        : socket_(port, 5000, /*tls=*/false), ctx_(SSL_CTX_new(TLS_client_method())),
          ssl_(SSL_new(ctx_)) {
        SSL_set_fd(ssl_, socket_.fd());
        if (sni != nullptr) SSL_set_tlsext_host_name(ssl_, sni);
        ok_ = SSL_connect(ssl_) == 1;
        ERR_clear_error();
    }
    ~RawTls() {
        SSL_free(ssl_);
        SSL_CTX_free(ctx_);
    }
    bool ok() const { return ok_; }
    void send(const std::string& bytes) {
        SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    }
    // Reads until `end` has arrived, or the peer stops.
    std::string receive_until(const std::string& end) {
        std::string out;
        char buffer[16384];
        while (out.find(end) == std::string::npos) {
            const int n = SSL_read(ssl_, buffer, sizeof buffer);
            if (n <= 0) break;
            out.append(buffer, static_cast<std::size_t>(n));
        }
        ERR_clear_error();
        return out;
    }
    std::string peer_common_name() { return test::peer_common_name(ssl_); }

  private:
    Client socket_;
    SSL_CTX* ctx_;
    SSL* ssl_;
    bool ok_ = false;
};

TEST_F(TlsServerTest, PipelinedRequestsInOneRecordAreAllAnswered) {
    TestServer server(echo_handler, tls_config(certificate_));
    RawTls c(server.port());
    ASSERT_TRUE(c.ok());
    std::string pipeline;
    for (int i = 0; i < 20; ++i)
        pipeline += "GET /p" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    c.send(pipeline);
    const std::string answers = c.receive_until("https /p19 0");
    for (int i = 0; i < 20; ++i)
        EXPECT_NE(answers.find("https /p" + std::to_string(i) + " 0"), std::string::npos) << i;
}

TEST_F(TlsServerTest, PlainHttpToTheTlsPortIsToldToUseHttps) {
    TestServer server(echo_handler, tls_config(certificate_));
    Client c(server.port(), 5000, /*tls=*/false);
    c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const std::string answer = c.read_to_close();
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
    EXPECT_NE(answer.find("speaks HTTPS"), std::string::npos);
}

TEST_F(TlsServerTest, ASilentClientIsClosedAtTheHandshakeDeadline) {
    ServerConfig config = tls_config(certificate_);
    config.timeouts.handshake = 300ms;
    TestServer server(echo_handler, config);
    Client c(server.port(), 5000, /*tls=*/false);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(c.read_to_close(), "");
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 3s);
}

// Stalled handshakes at the loop's bound: a new client still gets its handshake, and the
// oldest stalled one is what gives way.
TEST_F(TlsServerTest, AtTheLoopsHandshakeBoundTheOldestHandshakeMakesRoom) {
    ServerConfig config = tls_config(certificate_);
    config.threads = 1; // one loop: every handshake counts against the same bound
    config.tls.max_handshakes_per_loop = 2;
    TestServer server(echo_handler, config);
    Client first(server.port(), 2000, false);
    first.send("\x16"); // a handshake has begun: the server waits for the rest
    std::this_thread::sleep_for(50ms);
    Client second(server.port(), 5000, false);
    second.send("\x16");
    std::this_thread::sleep_for(50ms);
    // A TLS 1.3 client is done once the server's flight arrives: only an answer shows that
    // the server kept the connection.
    const auto answered = [&](RawTls& client) {
        client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        return client.receive_until("\r\n\r\n").starts_with("HTTP/1.1 200");
    };
    RawTls third(server.port());
    EXPECT_TRUE(third.ok() && answered(third));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(first.read_to_close(), "");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms) << "the oldest was not closed";
    RawTls fourth(server.port()); // second gives way now
    EXPECT_TRUE(fourth.ok() && answered(fourth));
}

TEST_F(TlsServerTest, ReloadGivesNewHandshakesTheNewPairAndRefusesABrokenOne) {
    const TlsCertificate old_pair = minted({"old.test"});
    const TlsCertificate new_pair = minted({"new.test"});
    const std::string cert = write_temp(old_pair.certificate_pem);
    const std::string key = write_temp(old_pair.key_pem);
    ServerConfig config = TestServer::quiet_config();
    TlsCertificate files;
    files.certificate_file = cert;
    files.key_file = key;
    config.tls.certificates = {files};
    TestServer server(echo_handler, config);

    RawTls before(server.port());
    ASSERT_TRUE(before.ok());
    EXPECT_EQ(before.peer_common_name(), "old.test");

    std::ofstream(cert, std::ios::trunc) << new_pair.certificate_pem;
    std::string error;
    EXPECT_FALSE(server.server().reload_tls(error)); // the old key does not match
    EXPECT_NE(error.find("does not match"), std::string::npos) << error;
    RawTls during(server.port());
    EXPECT_EQ(during.peer_common_name(), "old.test");

    std::ofstream(key, std::ios::trunc) << new_pair.key_pem;
    EXPECT_TRUE(server.server().reload_tls(error)) << error;
    RawTls after(server.port());
    EXPECT_EQ(after.peer_common_name(), "new.test");
    // The connection made before the reload still works, with its old certificate.
    before.send("GET /still HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(before.receive_until("https /still 0").find("https /still 0"), std::string::npos);
    std::remove(cert.c_str());
    std::remove(key.c_str());
}

} // namespace
} // namespace pier::test
