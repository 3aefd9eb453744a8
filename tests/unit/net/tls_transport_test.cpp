// The server's TLS transport against an OpenSSL client over a socketpair: handshake steps,
// records read whole or in parts, partial writes retried from another address, the file
// fallback against a full socket, SNI, ALPN, close_notify, plain text to the TLS port, and the
// context's refusals (missing file, wrong password, mismatched key).
#include "../../support/tls_peer.hpp"
#include "net/sigpipe_guard.hpp"
#include "net/tls_context.hpp"
#include "net/tls_transport.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <random>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace pier::net {
namespace {

const std::string kReply = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

TlsCertificate minted(const std::vector<std::string>& names) {
    SelfSignedCertificate out;
    std::string error;
    EXPECT_TRUE(mint_self_signed(names, out, error)) << error;
    return out.pem;
}

std::shared_ptr<const TlsContext> context_for(std::vector<TlsCertificate> certificates,
                                              std::vector<std::string> alpn = {"http/1.1"}) {
    TlsConfig config;
    config.certificates = std::move(certificates);
    config.alpn = std::move(alpn);
    std::string error;
    auto context = TlsContext::create(config, kReply, error);
    EXPECT_TRUE(context) << error;
    return context;
}

// One end of a socketpair speaking TLS as a client, blocking nothing: every call returns.
class Client {
  public:
    explicit Client(int fd, const char* sni = nullptr, const char* alpn_wire = nullptr,
                    unsigned alpn_length = 0)
        : ctx_(SSL_CTX_new(TLS_client_method())), ssl_(SSL_new(ctx_)) {
        SSL_set_fd(ssl_, fd);
        SSL_set_connect_state(ssl_);
        if (sni != nullptr) SSL_set_tlsext_host_name(ssl_, sni);
        if (alpn_wire != nullptr)
            SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char*>(alpn_wire),
                                alpn_length);
    }
    ~Client() {
        SSL_free(ssl_);
        SSL_CTX_free(ctx_);
    }
    SSL* ssl() { return ssl_; }
    // 1 done, 0 not yet, -1 failed.
    int step() {
        const int rc = SSL_do_handshake(ssl_);
        if (rc == 1) return 1;
        const int e = SSL_get_error(ssl_, rc);
        ERR_clear_error();
        return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
    }
    std::string read_all() {
        std::string out;
        char buffer[65536];
        for (;;) {
            std::size_t n = 0;
            if (SSL_read_ex(ssl_, buffer, sizeof buffer, &n) != 1) break;
            out.append(buffer, n);
        }
        ERR_clear_error();
        return out;
    }
    void write(const std::string& bytes) {
        std::size_t n = 0;
        ASSERT_EQ(SSL_write_ex(ssl_, bytes.data(), bytes.size(), &n), 1);
        ASSERT_EQ(n, bytes.size());
    }
    std::string peer_common_name() { return test::peer_common_name(ssl_); }

  private:
    SSL_CTX* ctx_;
    SSL* ssl_;
};

class TlsTransportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        int fds[2];
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
        server_fd_ = fds[0];
        client_fd_ = fds[1];
    }
    void TearDown() override {
        if (client_fd_ >= 0) close(client_fd_);
    }
    std::unique_ptr<TlsTransport> server(std::shared_ptr<const TlsContext> context) {
        SSL* ssl = context->new_ssl();
        return std::make_unique<TlsTransport>(Fd(server_fd_), std::move(context), ssl);
    }
    // Steps both sides until both are done (true) or one fails (false).
    static bool handshake(TlsTransport& s, Client& c) {
        bool server_done = false;
        bool client_done = false;
        for (int i = 0; i < 100 && !(server_done && client_done); ++i) {
            if (!server_done) {
                const IoResult r = s.handshake();
                if (r.status == IoResult::error || r.status == IoResult::eof) return false;
                server_done = r.status == IoResult::ok;
            }
            if (!client_done) {
                const int r = c.step();
                if (r < 0) return false;
                client_done = r == 1;
            }
        }
        return server_done && client_done;
    }
    // Everything the server can read now.
    static std::string drain(TlsTransport& s) {
        std::string out;
        char buffer[4096];
        for (;;) {
            const IoResult r = s.read(buffer, sizeof buffer);
            if (r.status != IoResult::ok) break;
            out.append(buffer, r.bytes);
        }
        return out;
    }

    // What the client reads while the server pushes out its pending output.
    static std::string flush_all(TlsTransport& s, Client& c) {
        std::string received;
        for (int i = 0; i < 10000 && s.pending_output() > 0; ++i) {
            received += c.read_all();
            EXPECT_NE(s.flush().status, IoResult::error);
        }
        EXPECT_EQ(s.pending_output(), 0u);
        return received + c.read_all();
    }

    int server_fd_ = -1;
    int client_fd_ = -1;
    // OpenSSL writes with write(2): to a closed peer that raises SIGPIPE, which the server's
    // threads block (Server::run) and this test must too.
    SigpipeGuard no_sigpipe_;
};

TEST_F(TlsTransportTest, HandshakeThenBytesBothWays) {
    auto s = server(context_for({minted({"localhost"})}));
    Client c(client_fd_, "localhost");
    ASSERT_TRUE(handshake(*s, c));
    EXPECT_TRUE(s->secure());
    c.write("hello");
    EXPECT_EQ(drain(*s), "hello");
    ASSERT_EQ(s->write("world").status, IoResult::ok);
    EXPECT_EQ(c.read_all(), "world");
}

// One read returns at most one record: a short read does not mean the socket is empty. What
// says so is OpenSSL's own last read from the socket (drained_by), with nothing left inside.
TEST_F(TlsTransportTest, DrainedOnlyOnceTheSocketAndOpenSslAreEmpty) {
    auto s = server(context_for({minted({"localhost"})}));
    Client c(client_fd_);
    ASSERT_TRUE(handshake(*s, c));
    for (int i = 0; i < 3; ++i) c.write(std::string(100, static_cast<char>('a' + i)));
    char buffer[1000];
    IoResult r = s->read(buffer, sizeof buffer);
    ASSERT_EQ(r.status, IoResult::ok);
    EXPECT_EQ(r.bytes, 100u); // one record
    EXPECT_FALSE(s->drained_by(r.bytes, sizeof buffer)) << "two records are still to be read";
    r = s->read(buffer, sizeof buffer);
    EXPECT_EQ(r.bytes, 100u);
    r = s->read(buffer, sizeof buffer);
    EXPECT_EQ(r.bytes, 100u);
    // Served from OpenSSL's buffer, this read did not look at the socket: not known drained.
    EXPECT_FALSE(s->drained_by(r.bytes, sizeof buffer));
    EXPECT_EQ(s->read(buffer, sizeof buffer).status, IoResult::would_block);
    // One record, read from the socket by the same call that returns it: drained.
    c.write("one");
    r = s->read(buffer, sizeof buffer);
    EXPECT_EQ(r.bytes, 3u);
    EXPECT_TRUE(s->drained_by(r.bytes, sizeof buffer));
    // A burst larger than OpenSSL's buffer: the socket is not empty after the first reads.
    c.write(std::string(100000, 'x'));
    std::size_t total = 0;
    for (;;) {
        r = s->read(buffer, sizeof buffer);
        if (r.status != IoResult::ok) break;
        total += r.bytes;
        if (total < 100000) {
            EXPECT_FALSE(s->drained_by(r.bytes, sizeof buffer)) << total;
        }
    }
    EXPECT_EQ(total, 100000u);
}

// Decrypted bytes left inside OpenSSL are invisible to epoll: has_buffered() says so.
TEST_F(TlsTransportTest, ARecordReadInPartsIsBuffered) {
    auto s = server(context_for({minted({"localhost"})}));
    Client c(client_fd_);
    ASSERT_TRUE(handshake(*s, c));
    c.write(std::string(1000, 'x'));
    char buffer[10];
    ASSERT_EQ(s->read(buffer, sizeof buffer).bytes, 10u);
    EXPECT_TRUE(s->has_buffered());
    EXPECT_EQ(drain(*s).size(), 990u);
    EXPECT_FALSE(s->has_buffered());
}

std::string random_bytes(std::size_t n) {
    std::mt19937 rng(7);
    std::string out(n, '\0');
    for (char& ch : out) ch = static_cast<char>(rng());
    return out;
}

// A full socket stops a write short (what it did not take of the gathered records waits as
// pending output); the retry offers the rest of the bytes from a different buffer (the
// session's string may have moved), and nothing is lost or repeated.
TEST_F(TlsTransportTest, PartialWritesResumeFromAMovedBuffer) {
    auto s = server(context_for({minted({"localhost"})}));
    Client c(client_fd_);
    ASSERT_TRUE(handshake(*s, c));
    const std::string body = random_bytes(3 << 20);
    std::string received;
    std::size_t sent = 0;
    int blocked = 0;
    while (sent < body.size()) {
        const std::string rest = body.substr(sent); // a new address every time
        const IoResult r = s->write(rest);
        ASSERT_NE(r.status, IoResult::error);
        if (r.status == IoResult::would_block) {
            ++blocked;
            received += c.read_all();
            continue;
        }
        sent += r.bytes;
    }
    received += flush_all(*s, c);
    EXPECT_GT(blocked, 0) << "the socket never filled: the test proves nothing";
    EXPECT_EQ(received.size(), body.size());
    EXPECT_TRUE(received == body);
}

// Without kernel TLS (this machine's kernel has no tls module) files go through pread and
// SSL_write; the same rule holds across calls.
TEST_F(TlsTransportTest, SendFileFallbackAgainstAFullSocket) {
    auto s = server(context_for({minted({"localhost"})}));
    Client c(client_fd_);
    ASSERT_TRUE(handshake(*s, c));
    EXPECT_FALSE(s->kernel_tls());
    const std::string body = random_bytes((2 << 20) + 12345);
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(std::fwrite(body.data(), 1, body.size(), file), body.size());
    std::fflush(file);
    const int fd = fileno(file);
    std::uint64_t offset = 100; // a range, not the whole file
    std::size_t left = body.size() - 200;
    std::string received;
    int blocked = 0;
    while (left > 0) {
        const IoResult r = s->send_file(fd, offset, left);
        ASSERT_NE(r.status, IoResult::error);
        if (r.status == IoResult::would_block) {
            ++blocked;
            received += c.read_all();
            continue;
        }
        left -= r.bytes;
    }
    received += flush_all(*s, c);
    std::fclose(file);
    EXPECT_GT(blocked, 0);
    EXPECT_EQ(offset, body.size() - 100);
    EXPECT_TRUE(received == body.substr(100, body.size() - 200));
}

TEST_F(TlsTransportTest, ShutdownSendsCloseNotify) {
    auto s = server(context_for({minted({"localhost"})}));
    Client c(client_fd_);
    ASSERT_TRUE(handshake(*s, c));
    s->shutdown_write();
    char buffer[16];
    std::size_t n = 0;
    EXPECT_EQ(SSL_read_ex(c.ssl(), buffer, sizeof buffer, &n), 0);
    EXPECT_EQ(SSL_get_error(c.ssl(), 0), SSL_ERROR_ZERO_RETURN);
    EXPECT_TRUE(SSL_get_shutdown(c.ssl()) & SSL_RECEIVED_SHUTDOWN);
}

// Records a full socket did not take stay pending: a write reports them taken, the next
// write waits behind them, and close_notify and the FIN follow them rather than overtake them.
TEST_F(TlsTransportTest, PendingOutputGoesFirstAndTheFinWaitsForIt) {
    auto s = server(context_for({minted({"localhost"})}));
    Client c(client_fd_);
    ASSERT_TRUE(handshake(*s, c));
    const std::string body = random_bytes(8 << 20);
    std::size_t sent = 0;
    while (s->pending_output() == 0 && sent < body.size()) {
        const IoResult r = s->write(std::string_view(body).substr(sent));
        ASSERT_EQ(r.status, IoResult::ok);
        sent += r.bytes;
    }
    ASSERT_GT(s->pending_output(), 0u) << "the socket took 8 MiB: the test proves nothing";
    EXPECT_EQ(s->write("more").status, IoResult::would_block); // pending goes first
    EXPECT_EQ(s->flush().status, IoResult::would_block);
    s->shutdown_write();
    EXPECT_GT(s->pending_output(), 0u);
    std::string received;
    for (int i = 0; i < 10000 && s->pending_output() > 0; ++i) {
        received += c.read_all();
        ASSERT_NE(s->flush().status, IoResult::error);
    }
    // Everything, then close_notify (a clean end of the stream), then the FIN.
    char buffer[65536];
    for (;;) {
        std::size_t n = 0;
        if (SSL_read_ex(c.ssl(), buffer, sizeof buffer, &n) != 1) break;
        received.append(buffer, n);
    }
    EXPECT_EQ(SSL_get_error(c.ssl(), 0), SSL_ERROR_ZERO_RETURN);
    EXPECT_EQ(received.size(), sent);
    EXPECT_TRUE(received == body.substr(0, sent));
    EXPECT_EQ(recv(client_fd_, buffer, sizeof buffer, 0), 0) << "no FIN after close_notify";
}

// A large write costs one send per gathered batch of records, not one per 16 KiB record. A
// SEQPACKET socket keeps each send a message of its own, so the client side can count them.
TEST(TlsTransportGathering, RecordsOfOneWriteGoInOneSend) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, fds), 0);
    SigpipeGuard no_sigpipe;
    auto context = context_for({minted({"localhost"})});
    SSL* ssl = context->new_ssl();
    TlsTransport s{Fd{fds[0]}, context, ssl};
    Client c(fds[1]);
    // Whole messages: a short read would cut one.
    SSL_set_read_ahead(c.ssl(), 1);
    SSL_set_default_read_buffer_len(c.ssl(), 256 * 1024);
    bool done = false;
    for (int i = 0; i < 100 && !done; ++i) {
        const IoResult r = s.handshake();
        ASSERT_TRUE(r.status == IoResult::ok || r.status == IoResult::would_block);
        done = r.status == IoResult::ok && c.step() == 1;
        if (!done) c.step();
    }
    ASSERT_TRUE(done);
    c.read_all(); // the session ticket
    const std::string body = random_bytes(64 * 1024);
    ASSERT_EQ(s.write(body).status, IoResult::ok);
    std::string message(256 * 1024, '\0');
    const ssize_t n = recv(fds[1], message.data(), message.size(), MSG_PEEK);
    EXPECT_GT(n, static_cast<ssize_t>(body.size())) << "the records went out one send each";
    EXPECT_TRUE(c.read_all() == body);
    close(fds[1]);
}

TEST_F(TlsTransportTest, PlainTextGetsTheReplyInClear) {
    auto s = server(context_for({minted({"localhost"})}));
    const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(send(client_fd_, request.data(), request.size(), 0),
              static_cast<ssize_t>(request.size()));
    EXPECT_EQ(s->handshake().status, IoResult::error);
    char buffer[512];
    const ssize_t n = recv(client_fd_, buffer, sizeof buffer, 0);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buffer, static_cast<std::size_t>(n)), kReply);
}

TEST_F(TlsTransportTest, GarbageFailsTheHandshakeSilently) {
    auto s = server(context_for({minted({"localhost"})}));
    const std::string garbage("\x16\x03\x01\x00\x05hello-not-a-client-hello", 29);
    ASSERT_EQ(send(client_fd_, garbage.data(), garbage.size(), 0), 29);
    IoResult r = s->handshake();
    EXPECT_EQ(r.status, IoResult::error);
    const std::string binary("\x00\x01\x02\x03", 4);
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    auto context = context_for({minted({"localhost"})});
    TlsTransport other(Fd{fds[0]}, context, context->new_ssl());
    ASSERT_EQ(send(fds[1], binary.data(), binary.size(), 0), 4);
    EXPECT_EQ(other.handshake().status, IoResult::error);
    char buffer[16];
    EXPECT_LE(recv(fds[1], buffer, sizeof buffer, 0), 0); // no reply to what is not HTTP
    close(fds[1]);
}

TEST_F(TlsTransportTest, NothingYetIsWouldBlockAndAClosedPeerIsEof) {
    auto s = server(context_for({minted({"localhost"})}));
    EXPECT_EQ(s->handshake().status, IoResult::would_block);
    close(client_fd_);
    client_fd_ = -1;
    EXPECT_EQ(s->handshake().status, IoResult::eof);
}

TEST_F(TlsTransportTest, SniChoosesTheCertificateTheNameMatches) {
    auto context = context_for({minted({"a.test"}), minted({"b.test", "*.c.test"})});
    {
        auto s = server(context);
        Client c(client_fd_, "b.test");
        ASSERT_TRUE(handshake(*s, c));
        EXPECT_EQ(c.peer_common_name(), "b.test");
    }
    for (const char* name : {"x.c.test", "unknown.test"}) {
        int fds[2];
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
        TlsTransport s(Fd{fds[0]}, context, context->new_ssl());
        Client c(fds[1], name);
        ASSERT_TRUE(handshake(s, c));
        EXPECT_EQ(c.peer_common_name(), std::string(name) == "x.c.test" ? "b.test" : "a.test");
        close(fds[1]);
    }
}

// A session is resumed under the certificate it was made with, and under no other: a ticket
// from b.test's handshake offered for a.test gets a full handshake and a.test's certificate.
TEST_F(TlsTransportTest, ASessionResumesOnlyForItsOwnCertificate) {
    auto context = context_for({minted({"a.test"}), minted({"b.test"})});
    SSL_SESSION* session = nullptr;
    {
        auto s = server(context);
        Client c(client_fd_, "b.test");
        ASSERT_TRUE(handshake(*s, c));
        ASSERT_EQ(s->write("x").status, IoResult::ok);
        EXPECT_EQ(c.read_all(), "x"); // the TLS 1.3 ticket comes with it
        session = SSL_get1_session(c.ssl());
        ASSERT_NE(session, nullptr);
        SSL_shutdown(c.ssl()); // an SSL freed without it marks its session not resumable
    }
    const auto resumed = [&](const char* name, std::string& common_name) {
        int fds[2];
        EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
        TlsTransport s(Fd{fds[0]}, context, context->new_ssl());
        Client c(fds[1], name);
        SSL_set_session(c.ssl(), session);
        EXPECT_TRUE(handshake(s, c));
        common_name = c.peer_common_name();
        const bool reused = SSL_session_reused(c.ssl()) == 1;
        SSL_shutdown(c.ssl()); // keeps the session resumable for the next try
        close(fds[1]);
        return reused;
    };
    std::string name;
    EXPECT_FALSE(resumed("a.test", name));
    EXPECT_EQ(name, "a.test");
    EXPECT_TRUE(resumed("b.test", name)); // the same session, offered for its own name
    EXPECT_EQ(name, "b.test");
    SSL_SESSION_free(session);
}

TEST_F(TlsTransportTest, AlpnPrefersTheServersListAndRefusesNoOverlap) {
    auto context = context_for({minted({"localhost"})}, {"http/1.1"});
    {
        auto s = server(context);
        Client c(client_fd_, nullptr, "\x02h2\x08http/1.1", 12);
        ASSERT_TRUE(handshake(*s, c));
        EXPECT_EQ(s->alpn(), "http/1.1");
    }
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    TlsTransport s(Fd{fds[0]}, context, context->new_ssl());
    Client c(fds[1], nullptr, "\x02h2", 3);
    EXPECT_FALSE(handshake(s, c)); // no_application_protocol (RFC 7301 §3.2)
    close(fds[1]);
}

// Files for the context tests, removed at the end.
class TempFiles {
  public:
    ~TempFiles() {
        for (const std::string& path : paths_) std::remove(path.c_str());
    }
    std::string write(const std::string& text) {
        char path[] = "/tmp/pier-tls-XXXXXX";
        const int fd = mkstemp(path);
        EXPECT_GE(fd, 0);
        EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
        close(fd);
        paths_.emplace_back(path);
        return path;
    }

  private:
    std::vector<std::string> paths_;
};

std::string encrypted_key(const std::string& key_pem, const std::string& password) {
    BIO* in = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), password.data(),
                                  static_cast<int>(password.size()), nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(out, &data);
    std::string pem(data, static_cast<std::size_t>(size));
    BIO_free(out);
    EVP_PKEY_free(key);
    return pem;
}

TlsCertificate files_of(const std::string& cert, const std::string& key,
                        const std::string& password = {}) {
    TlsCertificate c;
    c.certificate_file = cert;
    c.key_file = key;
    c.password = password;
    return c;
}

std::string create_error(const TlsCertificate& certificate) {
    TlsConfig config;
    config.certificates = {certificate};
    std::string error;
    EXPECT_FALSE(TlsContext::create(config, kReply, error));
    return error;
}

TEST(TlsContext, RefusesWhatCannotServe) {
    TempFiles files;
    const TlsCertificate a = minted({"a.test"});
    const TlsCertificate b = minted({"b.test"});
    const std::string cert = files.write(a.certificate_pem);
    const std::string key = files.write(a.key_pem);
    const std::string other_key = files.write(b.key_pem);
    const std::string locked = files.write(encrypted_key(a.key_pem, "s3cret"));

    EXPECT_NE(create_error(files_of("/nonexistent/cert.pem", key))
                  .find("cannot read /nonexistent/cert.pem"),
              std::string::npos);
    EXPECT_NE(create_error(files_of(cert, key + ".missing")).find("cannot read"),
              std::string::npos);
    EXPECT_NE(create_error(files_of(key, key)).find("holds no PEM certificate"), std::string::npos);
    EXPECT_NE(create_error(files_of("/tmp", key)).find("/tmp is a directory"), std::string::npos);
    EXPECT_NE(create_error(files_of(cert, cert)).find("holds no PEM private key"),
              std::string::npos);
    EXPECT_NE(create_error(files_of(cert, other_key)).find("does not match its certificate"),
              std::string::npos);
    EXPECT_NE(create_error(files_of(cert, locked)).find("is encrypted"), std::string::npos);
    EXPECT_NE(create_error(files_of(cert, locked, "wrong")).find("wrong password"),
              std::string::npos);

    TlsConfig good;
    good.certificates = {files_of(cert, locked, "s3cret")};
    std::string error;
    EXPECT_TRUE(TlsContext::create(good, kReply, error)) << error;
}

TEST(TlsSelfSigned, NamesEveryHostAndAddressAndPrintsItsFingerprint) {
    SelfSignedCertificate out;
    std::string error;
    ASSERT_TRUE(mint_self_signed({"localhost", "127.0.0.1", "::1"}, out, error)) << error;
    EXPECT_EQ(out.fingerprint.size(), 32u * 3 - 1); // "AB:" × 32 without the last colon
    BIO* bio = BIO_new_mem_buf(out.pem.certificate_pem.data(),
                               static_cast<int>(out.pem.certificate_pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    ASSERT_NE(cert, nullptr);
    EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(cert, "::1", 0), 1);
    EXPECT_NE(X509_check_host(cert, "example.com", 0, 0, nullptr), 1);
    X509_free(cert);
    EXPECT_FALSE(mint_self_signed({}, out, error));
    EXPECT_NE(error.find("at least one name"), std::string::npos) << error;
}

} // namespace
} // namespace pier::net
