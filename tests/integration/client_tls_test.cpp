// HttpsConnection against `openssl s_server` with certificates this test makes: verification
// is on by default and passes for the right CA and name, fails (CertificateError) for an
// unknown CA or another name, and can be turned off or pointed at another name explicitly.
#include <pier/client.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace pier::client {
namespace {

using namespace std::chrono_literals;

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

bool port_open(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// A CA, a certificate for "localhost" signed by it, and `openssl s_server -www` serving it.
class ClientTls : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        char dir_template[] = "/tmp/pier-tls-test-XXXXXX";
        dir_ = ::mkdtemp(dir_template);
        const std::string d = dir_;
        const std::string script =
            "cd " + d +
            " && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=pier test CA' "
            "-keyout ca.key -out ca.pem"
            " && openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key "
            "-out server.csr"
            " && printf 'subjectAltName=DNS:localhost\\n' > san.ext"
            " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
            "-days 2 -extfile san.ext -out server.pem";
        ASSERT_EQ(std::system(("(" + script + ") >/dev/null 2>&1").c_str()), 0);
        port_ = free_port();
        const std::string accept = "127.0.0.1:" + std::to_string(port_);
        const std::string cert = d + "/server.pem";
        const std::string key = d + "/server.key";
        const char* argv[] = {"openssl", "s_server",     "-quiet", "-www",
                              "-accept", accept.c_str(), "-cert",  cert.c_str(),
                              "-key",    key.c_str(),    nullptr};
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        ASSERT_EQ(posix_spawnp(&server_, "openssl", &actions, nullptr,
                               const_cast<char* const*>(argv), environ),
                  0);
        posix_spawn_file_actions_destroy(&actions);
        for (int i = 0; i < 200 && !port_open(port_); ++i) std::this_thread::sleep_for(25ms);
        ASSERT_TRUE(port_open(port_)) << "openssl s_server did not start";
    }
    static void TearDownTestSuite() {
        if (server_ > 0) {
            ::kill(server_, SIGTERM);
            ::waitpid(server_, nullptr, 0);
        }
        if (std::system(("rm -rf " + dir_).c_str()) != 0) std::perror("rm");
    }
    static TlsOptions trusting_our_ca() {
        TlsOptions t;
        t.ca_file = dir_ + "/ca.pem";
        return t;
    }
    static std::string get(HttpsConnection& c) {
        c.request("GET", "/");
        Response r = c.getresponse();
        EXPECT_EQ(r.status(), 200);
        return r.read();
    }

    static inline std::string dir_;
    static inline std::uint16_t port_ = 0;
    static inline pid_t server_ = -1;
};

TEST_F(ClientTls, TheRightCaAndNamePass) {
    HttpsConnection c("localhost", port_, trusting_our_ca(), 5s);
    EXPECT_NE(get(c).find("s_server"), std::string::npos);
}

TEST_F(ClientTls, VerificationIsOnByDefault) {
    HttpsConnection c("localhost", port_, TlsOptions{}, 5s); // the system store lacks our CA
    EXPECT_THROW(c.request("GET", "/"), CertificateError);
    EXPECT_FALSE(c.connected());
}

TEST_F(ClientTls, AnotherNameFails) {
    HttpsConnection c("127.0.0.1", port_, trusting_our_ca(), 5s); // the certificate has no IP
    EXPECT_THROW(c.request("GET", "/"), CertificateError);
}

TEST_F(ClientTls, VerificationOffIsExplicit) {
    TlsOptions off;
    off.verify = false;
    HttpsConnection c("127.0.0.1", port_, off, 5s);
    EXPECT_NE(get(c).find("s_server"), std::string::npos);
}

TEST_F(ClientTls, TheVerifiedNameCanBeGiven) {
    TlsOptions t = trusting_our_ca();
    t.server_name = "localhost"; // connect by address, verify (and send SNI) by name
    HttpsConnection c("127.0.0.1", port_, t, 5s);
    EXPECT_NE(get(c).find("s_server"), std::string::npos);
}

// A CA file that cannot be loaded is its own error, not a failed verification of the server.
TEST_F(ClientTls, AnUnloadableCaFileIsACaCertificatesError) {
    TlsOptions t;
    t.ca_file = dir_ + "/no-such-ca.pem";
    HttpsConnection c("localhost", port_, t, 5s);
    EXPECT_THROW(c.request("GET", "/"), CaCertificatesError);
}

TEST_F(ClientTls, CertificateErrorIsATlsErrorIsAnHTTPException) {
    HttpsConnection c("localhost", port_, TlsOptions{}, 5s);
    try {
        c.request("GET", "/");
        FAIL() << "verified";
    } catch (const TlsError& e) {
        EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos)
            << e.what();
    }
}

} // namespace
} // namespace pier::client
