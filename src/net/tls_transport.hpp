// The transport of an HTTPS connection: OpenSSL over the non-blocking socket, driven by the
// event loop. Its reads may find records OpenSSL holds while the socket is empty (and one
// read returns at most one record), so a short read does not mean the socket is drained: a
// callback on the socket BIO sees OpenSSL's own reads (read-ahead: as much as its buffer
// takes), and a short one of those does;
// a TLS read may need the socket writable and a write may need it readable, which the
// connection learns from read_waits_for_writable() / write_waits_for_readable().
//
// Without kernel TLS (always, on a kernel without the tls module) OpenSSL's records go to a
// per-thread stage instead of the socket, and each call ends by sending the stage in one
// send(2): a 1 MiB answer is 4 system calls, not 64 (one per 16 KiB record). What a full
// socket does not take stays in the connection's pending output (Transport::flush). Files are
// read into a per-thread buffer and encrypted from there.
//
// With kernel TLS the kernel frames the records: OpenSSL writes to the socket itself (with
// write(2), which cannot say MSG_NOSIGNAL: a vanished peer raises SIGPIPE, which the server's
// threads block — Server::run) and files go out with SSL_sendfile. This machine's kernel has
// no tls module, so that path is untested here.
#pragma once

#include "net/socket.hpp"
#include "net/tls_context.hpp"
#include "net/transport.hpp"

#include <memory>
#include <string>

namespace pier::net {

class TlsTransport final : public Transport {
  public:
    /// `ssl` comes from context->new_ssl(); the transport owns it. Null `ssl` makes a
    /// transport whose every call fails (out of memory).
    TlsTransport(Fd fd, std::shared_ptr<const TlsContext> context, SSL* ssl) noexcept;
    ~TlsTransport() override;

    int fd() const noexcept override { return fd_.get(); }
    IoResult read(char* into, std::size_t room) noexcept override;
    IoResult writev(const iovec* pieces, int count) noexcept override;
    IoResult send_file(int file_fd, std::uint64_t& offset, std::size_t length) noexcept override;
    void shutdown_write() noexcept override;
    std::size_t pending_output() const noexcept override { return pending_.size() - pending_sent_; }
    IoResult flush() noexcept override;
    IoResult handshake() noexcept override;
    bool has_buffered() const noexcept override;
    bool drained_by(std::size_t got, std::size_t room) const noexcept override;
    bool read_waits_for_writable() const noexcept override { return read_wants_write_; }
    bool write_waits_for_readable() const noexcept override { return write_wants_read_; }
    std::string_view alpn() const noexcept override;
    bool secure() const noexcept override { return true; }
    /// Whether this connection's records are the kernel's (files by SSL_sendfile).
    bool kernel_tls() const noexcept;

  private:
    static long on_socket_io(BIO* bio, int operation, const char* data, std::size_t length,
                             int argi, long argl, int ret, std::size_t* processed);
    // Encrypts what it can of `size` bytes: ok with how many were taken (short: the socket is
    // full), or what stopped it before any byte was.
    IoResult encrypt(const char* data, std::size_t size) noexcept;
    // The end of every call that may have produced records: the stage goes to the socket, or
    // behind the pending output; what the socket does not take is kept.
    void settle() noexcept;
    // send(2) until done or the socket is full: the bytes sent. A dead peer marks the
    // transport broken.
    std::size_t send_some(const char* data, std::size_t size) noexcept;
    // SSL_get_error's answer after a failed call, as the transport's result.
    IoResult failed_call(int rc, bool reading) noexcept;
    void refuse_plaintext() noexcept;

    Fd fd_;
    std::shared_ptr<const TlsContext> context_;
    SSL* ssl_;
    std::string pending_; // records the socket has not taken yet, from pending_sent_ on
    std::size_t pending_sent_ = 0;
    bool gathering_ = false;            // records go to the stage (no kernel TLS)
    bool shutdown_after_flush_ = false; // FIN once pending_ is out
    bool handshake_done_ = false;
    bool first_byte_checked_ = false;
    bool read_wants_write_ = false;
    bool write_wants_read_ = false;
    bool socket_drained_ = false; // the last read from the socket was short (or EAGAIN)
    bool socket_read_ = false;    // ... and it was made by the current read()
    bool broken_ = false;         // a fatal error: no close_notify may follow (RFC 8446 §6.2)
};

} // namespace pier::net
