// The server's OpenSSL contexts, built once from a TlsConfig and shared by every loop: one
// SSL_CTX per certificate, the first being the default and the one whose ticket keys and
// session cache every handshake uses — so a session resumes on whichever loop accepts it.
// Reloading builds a new TlsContext; connections keep the one they started with.
#pragma once

#include <pier/tls.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;
using BIO = struct bio_st;

namespace pier::net {

class TlsContext {
  public:
    /// Null, with a message naming the file, when a file is missing or unreadable, is not
    /// PEM, a key is encrypted and no (or the wrong) password was given, or a key does not
    /// match its certificate. `plaintext_reply` is what a client that speaks plain text to
    /// the TLS port gets before the connection closes.
    static std::shared_ptr<const TlsContext>
    create(const TlsConfig& config, std::string plaintext_reply, std::string& error);
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    /// A server-side SSL for one connection (accept state, default certificate); null when
    /// OpenSSL is out of memory.
    SSL* new_ssl() const noexcept;
    const std::string& plaintext_reply() const noexcept { return plaintext_reply_; }
    const TlsConfig& config() const noexcept { return config_; }
    /// Whether the kernel offers TLS offload (the "tls" upper-layer protocol): only then can
    /// OpenSSL switch a connection to kernel TLS and send files with SSL_sendfile.
    static bool kernel_tls_available() noexcept;

  private:
    TlsContext() = default;
    static int on_client_hello(SSL* ssl, int* alert, void* self);
    static int on_alpn(SSL* ssl, const unsigned char** out, unsigned char* out_length,
                       const unsigned char* in, unsigned in_length, void* self);

    TlsConfig config_;
    std::vector<SSL_CTX*> contexts_; // [0]: the default certificate
    std::string alpn_wire_;          // config_.alpn as ALPN's length-prefixed list
    std::string plaintext_reply_;
};

} // namespace pier::net
