#include "net/tls_transport.hpp"

#include <algorithm>
#include <cerrno>
#include <openssl/bio.h>
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
// The fallback's file reads: a few records' worth per read.
constexpr std::size_t kFileChunk = 64 * 1024;
// Records gathered before one send: 16 records. More saves little (the per-call cost is
// already small against the encryption) and keeps more in a slow client's pending output.
constexpr std::size_t kGather = 256 * 1024;

// This thread's stage: the records of the call in progress (see settle()).
std::string& stage() {
    thread_local std::string bytes = [] {
        std::string s;
        s.reserve(kGather + 32 * 1024);
        return s;
    }();
    return bytes;
}

// The write side of a gathering connection: records go to the stage, always (encrypt() sends
// the stage before it grows past kGather), so OpenSSL never keeps a record back.
int gather_write(BIO* /*bio*/, const char* data, std::size_t length, std::size_t* written) {
    stage().append(data, length);
    *written = length;
    return 1;
}

// Flushing is settle()'s, at the end of the call: a handshake flight and the records of a
// write go out together.
long gather_ctrl(BIO* /*bio*/, int command, long /*number*/, void* /*pointer*/) {
    return command == BIO_CTRL_FLUSH ? 1 : 0;
}

BIO_METHOD* gather_method() {
    static BIO_METHOD* const method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pier gather");
        if (m != nullptr && (BIO_meth_set_write_ex(m, &gather_write) != 1 ||
                             BIO_meth_set_ctrl(m, &gather_ctrl) != 1)) {
            BIO_meth_free(m);
            m = nullptr;
        }
        return m;
    }();
    return method;
}

// Reads from the socket, writes to the stage; false when OpenSSL is out of memory.
bool use_gathering_bios(SSL* ssl, int fd) {
    BIO_METHOD* method = gather_method();
    if (method == nullptr) return false;
    BIO* read_side = BIO_new_socket(fd, BIO_NOCLOSE);
    BIO* write_side = BIO_new(method);
    if (read_side == nullptr || write_side == nullptr) {
        BIO_free(read_side);
        BIO_free(write_side);
        return false;
    }
    BIO_set_init(write_side, 1);
    SSL_set_bio(ssl, read_side, write_side); // the SSL owns both
    return true;
}

} // namespace

TlsTransport::TlsTransport(Fd fd, std::shared_ptr<const TlsContext> context, SSL* ssl) noexcept
    : fd_(std::move(fd)), context_(std::move(context)), ssl_(ssl) {
    if (ssl_ == nullptr) {
        broken_ = true;
        return;
    }
    // Kernel TLS needs OpenSSL's own socket BIO to write through.
    if ((SSL_get_options(ssl_) & SSL_OP_ENABLE_KTLS) != 0)
        broken_ = SSL_set_fd(ssl_, fd_.get()) != 1;
    else
        broken_ = !(gathering_ = use_gathering_bios(ssl_, fd_.get()));
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
    if (handshake_done_ && !broken_ && (SSL_get_shutdown(ssl_) & SSL_SENT_SHUTDOWN) == 0) {
        SSL_shutdown(ssl_);
        settle();
    }
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
    if (broken_) return IoResult::failed();
    // Our last flight is not out yet: the client waits for it, so we wait for room.
    if (pending_output() > 0) {
        const IoResult r = flush();
        if (r.status == IoResult::would_block) read_wants_write_ = true;
        if (r.status != IoResult::ok) return r;
    }
    if (handshake_done_) return IoResult::done(0);
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
    settle();
    if (broken_) return IoResult::failed();
    IoResult r = rc == 1 ? IoResult::done(0) : failed_call(rc, true);
    if (rc == 1) handshake_done_ = true;
    if (r.status != IoResult::error && pending_output() > 0) { // see above
        read_wants_write_ = true;
        r = IoResult::again();
    }
    return r;
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
    settle(); // an alert, a key update's answer
    if (rc == 1) return IoResult::done(n);
    return failed_call(rc, true);
}

std::size_t TlsTransport::send_some(const char* data, std::size_t size) noexcept {
    std::size_t sent = 0;
    while (sent < size) {
        const ssize_t n = send(fd_.get(), data + sent, size - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            if (sent < size) break; // short: the socket is full, a second try would say so
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) broken_ = true; // EPIPE, ECONNRESET
        break;
    }
    return sent;
}

void TlsTransport::settle() noexcept {
    std::string& out = stage();
    if (out.empty()) return;
    if (pending_output() == 0) { // the usual case: every record of this call in one send
        const std::size_t sent = broken_ ? out.size() : send_some(out.data(), out.size());
        if (sent < out.size()) {
            pending_.assign(out, sent);
            pending_sent_ = 0;
        }
    } else {
        pending_.erase(0, pending_sent_);
        pending_sent_ = 0;
        pending_.append(out);
        flush();
    }
    out.clear();
}

IoResult TlsTransport::flush() noexcept {
    if (broken_) return IoResult::failed();
    if (pending_output() > 0)
        pending_sent_ += send_some(pending_.data() + pending_sent_, pending_output());
    if (broken_) return IoResult::failed();
    if (pending_output() > 0) return IoResult::again();
    std::string().swap(pending_); // an idle connection keeps no buffer
    pending_sent_ = 0;
    if (shutdown_after_flush_) {
        shutdown_after_flush_ = false;
        shutdown(fd_.get(), SHUT_WR);
    }
    return IoResult::done(0);
}

IoResult TlsTransport::encrypt(const char* data, std::size_t size) noexcept {
    // Partial-write mode: each SSL_write writes one record. Gathering, the stage is sent once
    // it holds kGather; a socket that does not take all of it stops the encryption there.
    // With kernel TLS, a record the socket did not take stays inside OpenSSL (WANT_WRITE) and
    // the retry must offer the same bytes again, which the session's queue or the file does.
    std::size_t taken = 0;
    while (taken < size) {
        if (gathering_ && stage().size() >= kGather) {
            settle();
            if (broken_) return taken > 0 ? IoResult::done(taken) : IoResult::failed();
            if (pending_output() > 0) return taken > 0 ? IoResult::done(taken) : IoResult::again();
        }
        std::size_t n = 0;
        ERR_clear_error();
        const int rc = SSL_write_ex(ssl_, data + taken, size - taken, &n);
        if (rc == 1) {
            taken += n;
            continue;
        }
        const IoResult r = failed_call(rc, false);
        return taken > 0 ? IoResult::done(taken) : r;
    }
    return IoResult::done(taken);
}

IoResult TlsTransport::writev(const iovec* pieces, int count) noexcept {
    if (broken_) return IoResult::failed();
    write_wants_read_ = false;
    if (pending_output() > 0) { // what came before goes first
        const IoResult r = flush();
        if (r.status != IoResult::ok) return r;
    }
    std::size_t total = 0;
    IoResult stopped = IoResult::done(0);
    for (int i = 0; i < count; ++i) {
        const IoResult r = encrypt(static_cast<const char*>(pieces[i].iov_base), pieces[i].iov_len);
        if (r.status != IoResult::ok) {
            stopped = r;
            break;
        }
        total += r.bytes;
        if (r.bytes < pieces[i].iov_len) break;
    }
    settle();
    if (total == 0 && stopped.status != IoResult::ok) return stopped;
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
    // Without kernel TLS: read into this thread's buffer and encrypt from there.
    write_wants_read_ = false;
    if (pending_output() > 0) {
        const IoResult r = flush();
        if (r.status != IoResult::ok) return r;
    }
    thread_local char buffer[kFileChunk];
    std::size_t total = 0;
    IoResult stopped = IoResult::done(0);
    while (total < length) {
        const std::size_t want = std::min(sizeof buffer, length - total);
        ssize_t got;
        do got = pread(file_fd, buffer, want, static_cast<off_t>(offset));
        while (got < 0 && errno == EINTR);
        // The file shrank under us or cannot be read: the promised length cannot be met.
        if (got <= 0) {
            stopped = IoResult::failed();
            break;
        }
        const IoResult r = encrypt(buffer, static_cast<std::size_t>(got));
        if (r.status != IoResult::ok) {
            stopped = r;
            break;
        }
        offset += r.bytes;
        total += r.bytes;
        if (r.bytes < static_cast<std::size_t>(got)) break;
    }
    settle();
    if (total == 0 && stopped.status != IoResult::ok) return stopped;
    return IoResult::done(total);
}

void TlsTransport::shutdown_write() noexcept {
    if (ssl_ != nullptr && handshake_done_ && !broken_) {
        ERR_clear_error();
        SSL_shutdown(ssl_); // close_notify, behind what is pending
        ERR_clear_error();
        settle();
    }
    if (pending_output() > 0 && !broken_) {
        shutdown_after_flush_ = true; // flush() sends the FIN
        return;
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
