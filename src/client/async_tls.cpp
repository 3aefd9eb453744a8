// TLS for the event-loop client: OpenSSL over the non-blocking socket, each call one step
// that says which readiness it waits for instead of waiting.
#include "client/async_stream.hpp"
#include "client/tls_setup.hpp"
#include "net/sigpipe_guard.hpp"

#include <pier/loop.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace pier::client::detail {

namespace {

class TlsStream final : public AsyncStream {
  public:
    TlsStream(int fd, SSL_CTX* ctx, SSL* ssl, bool verify) noexcept
        : AsyncStream(fd), ctx_(ctx), ssl_(ssl), verify_(verify) {}
    ~TlsStream() override {
        const net::SigpipeGuard guard;
        SSL_shutdown(ssl_); // best effort close_notify; never waits
        SSL_free(ssl_);
        SSL_CTX_free(ctx_);
    }

    Result handshake() override {
        ERR_clear_error();
        int rc;
        {
            const net::SigpipeGuard guard;
            rc = SSL_connect(ssl_);
        }
        if (rc == 1) return {};
        const Result r = failed(rc);
        if (r.status == Status::error && verify_) {
            const long v = SSL_get_verify_result(ssl_);
            if (v != X509_V_OK) {
                verify_failed_ = true;
                error_ = X509_verify_cert_error_string(v);
            }
        }
        return r;
    }

    Result read(char* data, std::size_t size) override {
        ERR_clear_error();
        std::size_t n = 0;
        const net::SigpipeGuard guard; // TLS 1.3 reads may write (key updates)
        const int rc = SSL_read_ex(ssl_, data, size, &n);
        if (rc == 1) return {Status::ok, n};
        const int e = SSL_get_error(ssl_, rc);
        if (e == SSL_ERROR_ZERO_RETURN) return {Status::eof, 0};
        // A close without close_notify is an ordinary end for HTTP framing (as tls.cpp).
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return {Status::eof, 0};
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
        if (e == SSL_ERROR_SSL &&
            ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            ERR_clear_error();
            return {Status::eof, 0};
        }
#endif
        return failed(rc);
    }

    Result write(std::string_view data) override {
        ERR_clear_error();
        std::size_t n = 0;
        const net::SigpipeGuard guard;
        const int rc = SSL_write_ex(ssl_, data.data(), data.size(), &n);
        if (rc == 1) return {Status::ok, n};
        return failed(rc);
    }

  private:
    Result failed(int rc) {
        const int e = SSL_get_error(ssl_, rc);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            wants_ = e == SSL_ERROR_WANT_READ ? Loop::readable : Loop::writable;
            return {Status::would_block, 0};
        }
        error_ = openssl_error_text();
        return {Status::error, 0};
    }

    SSL_CTX* ctx_;
    SSL* ssl_;
    bool verify_;
};

} // namespace

std::unique_ptr<AsyncStream> make_async_tls_stream(int fd, const std::string& host,
                                                   const TlsOptions& options, std::string& error) {
    ClientTls tls = new_client_tls(host, options);
    if (!tls.ssl) {
        error = std::move(tls.error);
        return nullptr;
    }
    SSL_set_fd(tls.ssl, fd);
    SSL_set_mode(tls.ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return std::make_unique<TlsStream>(fd, tls.ctx, tls.ssl, options.verify);
}

} // namespace pier::client::detail
