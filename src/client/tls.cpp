// TLS for HttpsConnection (OpenSSL): peer verification against the system store (or a given
// CA file), the host name checked by OpenSSL itself (SSL_set1_host / IP match), SNI. The
// socket stays non-blocking; WANT_READ / WANT_WRITE become poll() waits up to the deadline.
#include "client/tls_setup.hpp"
#include "client/transport.hpp"
#include "net/sigpipe_guard.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <unistd.h>

namespace pier::client::detail {

namespace {

std::string openssl_errors() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(e, text, sizeof text);
        if (!out.empty()) out += "; ";
        out += text;
    }
    return out.empty() ? "unknown error" : out;
}

bool is_ip_literal(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// The key's password comes from TlsOptions only. Without a callback OpenSSL would prompt on
// the terminal; this one answers no password at all when none was given, so an encrypted key
// fails to load instead.
int key_password(char* buffer, int size, int, void* userdata) {
    const auto* password = static_cast<const std::string*>(userdata);
    if (password == nullptr || password->empty() || password->size() > std::size_t(size)) return 0;
    password->copy(buffer, password->size());
    return static_cast<int>(password->size());
}

// The client certificate (with its chain) and key into the context, before any SSL is made
// from it. Empty when they load and match, else why not.
std::string use_client_certificate(SSL_CTX* ctx, const TlsOptions& options) {
    if (options.cert_file.empty())
        return "a client key (" + options.key_file + ") without a certificate";
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1)
        return "could not load the client certificate " + options.cert_file + ": " +
               openssl_errors();
    const std::string& key = options.key_file.empty() ? options.cert_file : options.key_file;
    SSL_CTX_set_default_passwd_cb(ctx, key_password);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&options.key_password));
    const int loaded = SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM);
    // The options may not outlive the context: nothing may point at them afterwards.
    SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
    if (loaded != 1)
        return "could not load the client key " + key +
               (options.key_password.empty() ? " (encrypted? no password given)"
                                             : " (wrong password?)") +
               ": " + openssl_errors();
    if (SSL_CTX_check_private_key(ctx) != 1)
        return "the client key " + key + " does not match the certificate " + options.cert_file;
    return {};
}

class TlsTransport final : public Transport {
  public:
    TlsTransport(int fd, SSL_CTX* ctx, SSL* ssl) noexcept : Transport(fd), ctx_(ctx), ssl_(ssl) {}
    ~TlsTransport() override {
        if (ssl_ != nullptr) {
            const net::SigpipeGuard guard;
            SSL_shutdown(ssl_); // best effort close_notify; never waits
            SSL_free(ssl_);
        }
        SSL_CTX_free(ctx_);
        if (fd_ >= 0) ::close(fd_);
    }

    Io read(char* data, std::size_t size, Clock::time_point deadline) override {
        for (;;) {
            std::size_t n = 0;
            const net::SigpipeGuard guard; // TLS 1.3 reads may write (key updates, tickets)
            const int rc = SSL_read_ex(ssl_, data, size, &n);
            if (rc == 1) return {IoStatus::ok, n, 0};
            const int e = SSL_get_error(ssl_, rc);
            if (e == SSL_ERROR_ZERO_RETURN) return {IoStatus::eof, 0, 0};
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                if (!wait_fd(fd_, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
                    return {IoStatus::timeout, 0, 0};
                continue;
            }
            // A peer that closes without close_notify: OpenSSL 3 reports an "unexpected eof"
            // SSL_ERROR_SSL. For HTTP framing it is an ordinary EOF: the framing decides
            // whether the body was complete (RFC 9112 §9.8 lets clients accept it).
            if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL) {
                const unsigned long err = ERR_peek_error();
                if (e == SSL_ERROR_SYSCALL && err == 0) {
                    ERR_clear_error();
                    return {IoStatus::eof, 0, 0};
                }
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
                if (ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
                    ERR_clear_error();
                    return {IoStatus::eof, 0, 0};
                }
#endif
            }
            error_ = openssl_errors();
            return {IoStatus::tls_error, 0, 0};
        }
    }

    Io write(std::string_view data, Clock::time_point deadline) override {
        std::size_t total = 0;
        while (total < data.size()) {
            std::size_t n = 0;
            const net::SigpipeGuard guard;
            const int rc = SSL_write_ex(ssl_, data.data() + total, data.size() - total, &n);
            if (rc == 1) {
                total += n;
                continue;
            }
            const int e = SSL_get_error(ssl_, rc);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                if (!wait_fd(fd_, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
                    return {IoStatus::timeout, total, 0};
                continue;
            }
            if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return {IoStatus::reset, total, 0};
            error_ = openssl_errors();
            return {IoStatus::tls_error, total, 0};
        }
        return {IoStatus::ok, total, 0};
    }

    bool idle_but_dead() override {
        return SSL_pending(ssl_) > 0 || Transport::idle_but_dead();
    }
    std::string last_error() const override {
        return error_;
    }
    bool is_tls() const override {
        return true;
    }

  private:
    SSL_CTX* ctx_;
    SSL* ssl_;
    std::string error_;
};

} // namespace

ClientTls new_client_tls(const std::string& host, const TlsOptions& options) {
    ClientTls t;
    auto fail = [&t](std::string error) {
        SSL_free(t.ssl);
        SSL_CTX_free(t.ctx);
        t.ssl = nullptr;
        t.ctx = nullptr;
        t.error = std::move(error);
        return t;
    };
    t.ctx = SSL_CTX_new(TLS_client_method());
    if (t.ctx == nullptr) return fail(openssl_errors());
    SSL_CTX_set_min_proto_version(t.ctx, TLS1_2_VERSION);
    if (!options.cert_file.empty() || !options.key_file.empty()) {
        std::string error = use_client_certificate(t.ctx, options);
        if (!error.empty()) {
            t.client_cert_unusable = true;
            return fail(std::move(error));
        }
    }
    t.ssl = SSL_new(t.ctx);
    if (t.ssl == nullptr) return fail(openssl_errors());
    const std::string& name = options.server_name.empty() ? host : options.server_name;
    if (options.verify) {
        SSL_CTX_set_verify(t.ctx, SSL_VERIFY_PEER, nullptr);
        const bool custom = !options.ca_file.empty() || !options.ca_path.empty();
        const int ok = custom
                           ? SSL_CTX_load_verify_locations(
                                 t.ctx, options.ca_file.empty() ? nullptr : options.ca_file.c_str(),
                                 options.ca_path.empty() ? nullptr : options.ca_path.c_str())
                           : SSL_CTX_set_default_verify_paths(t.ctx);
        if (ok != 1) {
            t.ca_unusable = custom;
            t.verify_unusable = true;
            return fail("cannot load CA certificates: " + openssl_errors());
        }
        SSL_set_verify(t.ssl, SSL_VERIFY_PEER, nullptr);
        X509_VERIFY_PARAM* param = SSL_get0_param(t.ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        const int set = is_ip_literal(name) ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                                            : SSL_set1_host(t.ssl, name.c_str());
        if (set != 1) {
            t.verify_unusable = true;
            return fail("bad host name for verification");
        }
    } else {
        SSL_set_verify(t.ssl, SSL_VERIFY_NONE, nullptr);
    }
    // RFC 6066 §3: SNI carries DNS names only, never IP literals.
    if (!is_ip_literal(name)) SSL_set_tlsext_host_name(t.ssl, name.c_str());
    return t;
}

std::string openssl_error_text() {
    return openssl_errors();
}

TlsResult make_tls_transport(int fd, const std::string& host, const TlsOptions& options,
                             Clock::time_point deadline) {
    TlsResult result;
    auto fail = [&](TlsStatus status, std::string error) {
        result.status = status;
        result.error = std::move(error);
        return std::move(result);
    };
    ClientTls tls = new_client_tls(host, options);
    if (!tls.ssl) {
        ::close(fd);
        return fail(tls.ca_unusable            ? TlsStatus::ca_unusable
                    : tls.client_cert_unusable ? TlsStatus::client_cert_unusable
                    : tls.verify_unusable      ? TlsStatus::verify_failed
                                               : TlsStatus::handshake_failed,
                    std::move(tls.error));
    }
    SSL* ssl = tls.ssl;
    // The transport owns ctx, ssl and fd from here on, whatever happens below.
    auto transport = std::make_unique<TlsTransport>(fd, tls.ctx, ssl);
    SSL_set_fd(ssl, fd);
    SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    for (;;) {
        int rc;
        {
            const net::SigpipeGuard guard;
            rc = SSL_connect(ssl);
        }
        if (rc == 1) break;
        const int e = SSL_get_error(ssl, rc);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            if (!wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
                return fail(TlsStatus::timeout, "handshake timed out");
            continue;
        }
        const long verify = SSL_get_verify_result(ssl);
        if (options.verify && verify != X509_V_OK) {
            ERR_clear_error();
            return fail(TlsStatus::verify_failed, X509_verify_cert_error_string(verify));
        }
        return fail(TlsStatus::handshake_failed, openssl_errors());
    }
    result.transport = std::move(transport);
    return result;
}

} // namespace pier::client::detail
