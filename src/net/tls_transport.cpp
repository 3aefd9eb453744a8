#include "net/tls_transport.hpp"

#include <algorithm>
#include <cerrno>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pier::net {
namespace {

// The first byte of every TLS connection is a handshake record's type.
constexpr unsigned char kHandshakeRecord = 0x16;
// Plain-text reads before the plain-text answer: the request the client already sent, so the
// close that follows is a FIN the client reads the answer before, not a reset.
constexpr std::size_t kPlaintextDiscard = 64 * 1024;
// The fallback's file reads: a few records' worth per read, each record written on its own.
constexpr std::size_t kFileChunk = 64 * 1024;

} // namespace

TlsTransport::TlsTransport(Fd fd, std::shared_ptr<const TlsContext> context, SSL* ssl) noexcept
    : fd_(std::move(fd)), context_(std::move(context)), ssl_(ssl) {
    if (ssl_ != nullptr && SSL_set_fd(ssl_, fd_.get()) != 1) broken_ = true;
    if (ssl_ == nullptr) broken_ = true;
    if (broken_) return;
    BIO* socket = SSL_get_rbio(ssl_);
    BIO_set_callback_ex(socket, &TlsTransport::on_socket_io);
    BIO_set_callback_arg(socket, reinterpret_cast<char*>(this));
}

long TlsTransport::on_socket_io(BIO* bio, int operation, const char* /*data*/, std::size_t length,
                                int /*argi*/, long /*argl*/, int ret, std::size_t* processed) {
    if (operation == (BIO_CB_READ | BIO_CB_RETURN)) {
        auto* self = reinterpret_cast<TlsTransport*>(BIO_get_callback_arg(bio));
        self->socket_drained_ = ret <= 0 || processed == nullptr || *processed < length;
        self->socket_read_ = true;
    }
    return ret;
}

bool TlsTransport::drained_by(std::size_t /*got*/, std::size_t /*room*/) const noexcept {
    // Only a read of the socket made by this very call tells: one served from OpenSSL's buffer
    // says nothing of what arrived since (edges consumed while reading was paused).
    return socket_read_ && socket_drained_ && !has_buffered();
}

TlsTransport::~TlsTransport() {
    if (ssl_ == nullptr) return;
    // A connection closed by us (idle, drained, done) says so with close_notify, best effort:
    // the socket is non-blocking, so this never waits.
    if (handshake_done_ && !broken_ && (SSL_get_shutdown(ssl_) & SSL_SENT_SHUTDOWN) == 0)
        SSL_shutdown(ssl_);
    ERR_clear_error();
    SSL_free(ssl_);
}

IoResult TlsTransport::failed_call(int rc, bool reading) noexcept {
    const int e = SSL_get_error(ssl_, rc);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        if (!reading) write_wants_read_ = true;
        return IoResult::again();
    case SSL_ERROR_WANT_WRITE:
        if (reading) read_wants_write_ = true;
        return IoResult::again();
    case SSL_ERROR_ZERO_RETURN: // close_notify, or (IGNORE_UNEXPECTED_EOF) a bare FIN
        ERR_clear_error();
        return reading ? IoResult::closed() : IoResult::failed();
    default: // SSL_ERROR_SYSCALL (reset), SSL_ERROR_SSL (a bad record, a failed handshake)
        broken_ = true;
        ERR_clear_error();
        return IoResult::failed();
    }
}

IoResult TlsTransport::handshake() noexcept {
    if (handshake_done_) return IoResult::done(0);
    if (broken_) return IoResult::failed();
    if (!first_byte_checked_) {
        unsigned char first = 0;
        ssize_t n;
        do n = recv(fd_.get(), &first, 1, MSG_PEEK);
        while (n < 0 && errno == EINTR);
        if (n < 0) return errno == EAGAIN ? IoResult::again() : IoResult::failed();
        if (n == 0) return IoResult::closed();
        first_byte_checked_ = true;
        if (first != kHandshakeRecord) {
            // "GET / HTTP/1.1" to the HTTPS port: an answer the client can read says why.
            if (first >= 'A' && first <= 'Z') refuse_plaintext();
            broken_ = true;
            return IoResult::failed();
        }
    }
    read_wants_write_ = false;
    ERR_clear_error();
    const int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
        handshake_done_ = true;
        return IoResult::done(0);
    }
    return failed_call(rc, true);
}

void TlsTransport::refuse_plaintext() noexcept {
    char discard[4096];
    for (std::size_t total = 0; total < kPlaintextDiscard;) {
        const ssize_t n = recv(fd_.get(), discard, sizeof discard, 0);
        if (n <= 0) break;
        total += static_cast<std::size_t>(n);
    }
    const std::string& reply = context_->plaintext_reply();
    // Best effort, as the close that follows: a fresh socket's buffer takes it whole.
    if (!reply.empty()) send(fd_.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
    shutdown(fd_.get(), SHUT_WR);
}

IoResult TlsTransport::read(char* into, std::size_t room) noexcept {
    if (broken_) return IoResult::failed();
    read_wants_write_ = false;
    socket_read_ = false;
    std::size_t n = 0;
    ERR_clear_error();
    const int rc = SSL_read_ex(ssl_, into, room, &n);
    if (rc == 1) return IoResult::done(n);
    return failed_call(rc, true);
}

IoResult TlsTransport::write_bytes(const void* data, std::size_t size) noexcept {
    if (broken_) return IoResult::failed();
    if (size == 0) return IoResult::done(0);
    write_wants_read_ = false;
    std::size_t n = 0;
    ERR_clear_error();
    // Partial-write mode: this returns after each record OpenSSL got onto the socket, or
    // WANT_WRITE with the record it could not finish kept inside — the retry must offer the
    // same bytes again, which the session's queue (or the file) does.
    const int rc = SSL_write_ex(ssl_, data, size, &n);
    if (rc == 1) return IoResult::done(n);
    return failed_call(rc, false);
}

IoResult TlsTransport::writev(const iovec* pieces, int count) noexcept {
    std::size_t total = 0;
    for (int i = 0; i < count; ++i) {
        std::size_t at = 0;
        while (at < pieces[i].iov_len) {
            const IoResult r = write_bytes(static_cast<const char*>(pieces[i].iov_base) + at,
                                           pieces[i].iov_len - at);
            if (r.status != IoResult::ok) return total > 0 ? IoResult::done(total) : r;
            at += r.bytes;
            total += r.bytes;
        }
    }
    return IoResult::done(total);
}

bool TlsTransport::kernel_tls() const noexcept {
#ifndef OPENSSL_NO_KTLS
    return ssl_ != nullptr && BIO_get_ktls_send(SSL_get_wbio(ssl_)) == 1;
#else
    return false;
#endif
}

IoResult TlsTransport::send_file(int file_fd, std::uint64_t& offset, std::size_t length) noexcept {
    if (broken_) return IoResult::failed();
#ifndef OPENSSL_NO_KTLS
    if (kernel_tls()) { // the kernel frames and encrypts: zero-copy as for plain HTTP
        ERR_clear_error();
        const ossl_ssize_t n = SSL_sendfile(ssl_, file_fd, static_cast<off_t>(offset), length, 0);
        if (n > 0) {
            offset += static_cast<std::uint64_t>(n);
            return IoResult::done(static_cast<std::size_t>(n));
        }
        return n == 0 ? IoResult::failed() : failed_call(static_cast<int>(n), false);
    }
#endif
    // Without kernel TLS: read into this thread's buffer, write record by record. A record
    // left inside OpenSSL by WANT_WRITE is offered again by the next call, which reads the
    // same bytes from the same offset.
    thread_local char buffer[kFileChunk];
    std::size_t total = 0;
    while (total < length) {
        const std::size_t want = std::min(sizeof buffer, length - total);
        ssize_t got;
        do got = pread(file_fd, buffer, want, static_cast<off_t>(offset));
        while (got < 0 && errno == EINTR);
        // The file shrank under us or cannot be read: the promised length cannot be met.
        if (got <= 0) return total > 0 ? IoResult::done(total) : IoResult::failed();
        std::size_t sent = 0;
        while (sent < static_cast<std::size_t>(got)) {
            const IoResult r = write_bytes(buffer + sent, static_cast<std::size_t>(got) - sent);
            if (r.status != IoResult::ok) {
                offset += sent;
                total += sent;
                return total > 0 ? IoResult::done(total) : r;
            }
            sent += r.bytes;
        }
        offset += sent;
        total += sent;
    }
    return IoResult::done(total);
}

void TlsTransport::shutdown_write() noexcept {
    if (ssl_ != nullptr && handshake_done_ && !broken_) {
        ERR_clear_error();
        SSL_shutdown(ssl_); // close_notify; a full socket drops it, and FIN still follows
        ERR_clear_error();
    }
    shutdown(fd_.get(), SHUT_WR);
}

bool TlsTransport::has_buffered() const noexcept {
    return ssl_ != nullptr && SSL_has_pending(ssl_) == 1;
}

std::string_view TlsTransport::alpn() const noexcept {
    const unsigned char* name = nullptr;
    unsigned length = 0;
    if (ssl_ != nullptr) SSL_get0_alpn_selected(ssl_, &name, &length);
    return name != nullptr ? std::string_view(reinterpret_cast<const char*>(name), length)
                           : std::string_view();
}

} // namespace pier::net
