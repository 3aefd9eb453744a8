#include "net/tls_context.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sstream>
#include <sys/stat.h>

namespace pier::net {
namespace {

std::string openssl_reason() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        const char* reason = ERR_reason_error_string(e);
        if (!out.empty()) out += "; ";
        out += reason != nullptr ? reason : "unknown OpenSSL error";
    }
    return out.empty() ? "unknown OpenSSL error" : out;
}

bool read_file(const std::string& path, std::string& out, std::string& error) {
    // A directory opens and reads as empty: say what it is rather than "no PEM". (Pipes are
    // fine: `--tls-key <(secret-tool …)` keeps a key off the disk.)
    struct stat info {};
    if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
        error = path + " is a directory";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read " + path + ": " + std::strerror(errno);
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    out = std::move(text).str();
    return true;
}

struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The passphrase for an encrypted key, and whether OpenSSL asked for one: a key that fails to
// load after the question was asked is encrypted, and the password was missing or wrong.
struct Passphrase {
    const std::string* password;
    bool asked = false;
};

int give_passphrase(char* buffer, int size, int /*rwflag*/, void* context) {
    auto* p = static_cast<Passphrase*>(context);
    p->asked = true;
    if (p->password->empty() || p->password->size() > static_cast<std::size_t>(size)) return 0;
    std::memcpy(buffer, p->password->data(), p->password->size());
    return static_cast<int>(p->password->size());
}

// The chain (leaf first) from PEM text into `ctx`.
bool use_chain(SSL_CTX* ctx, const std::string& pem, const std::string& what, std::string& error) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509* leaf = bio ? PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (leaf == nullptr) {
        error = what + " holds no PEM certificate";
        return false;
    }
    const bool used = SSL_CTX_use_certificate(ctx, leaf) == 1;
    X509_free(leaf);
    if (!used) {
        error = what + ": " + openssl_reason();
        return false;
    }
    while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
            X509_free(ca);
            error = what + ": " + openssl_reason();
            return false;
        }
    }
    ERR_clear_error(); // the loop above ends on "no start line"
    return true;
}

bool use_key(SSL_CTX* ctx, const std::string& pem, const std::string& password,
             const std::string& what, std::string& error) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Passphrase passphrase{&password};
    EVP_PKEY* key =
        bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, give_passphrase, &passphrase) : nullptr;
    if (key == nullptr) {
        ERR_clear_error();
        if (passphrase.asked && password.empty())
            error = what + " is encrypted: give its password (--tls-password-file)";
        else if (passphrase.asked)
            error = "wrong password for " + what;
        else
            error = what + " holds no PEM private key";
        return false;
    }
    const bool used = SSL_CTX_use_PrivateKey(ctx, key) == 1;
    EVP_PKEY_free(key);
    // OpenSSL compares the key with the certificate as it takes it (a key of another type
    // fails there too), and again below.
    if (!used && ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH &&
        ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_TYPE_MISMATCH) {
        error = what + ": " + openssl_reason();
        return false;
    }
    if (!used || SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        error = what + " does not match its certificate";
        return false;
    }
    return true;
}

SSL_CTX* make_context(const TlsConfig& config, const TlsCertificate& certificate,
                      std::string& error) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == nullptr) {
        error = "cannot create a TLS context: " + openssl_reason();
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx, config.min_version == TlsVersion::tls1_3 ? TLS1_3_VERSION
                                                                                : TLS1_2_VERSION);
    // No renegotiation (a client-initiated one is a CPU DoS) and the server's cipher order. An
    // EOF without close_notify is an ordinary end of input for a server: the client's request
    // framing says whether anything was cut short.
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Asked for only where the kernel has it: otherwise OpenSSL tries two setsockopt calls
    // per handshake that can only fail.
    if (TlsContext::kernel_tls_available()) SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
    // Partial writes: a full socket takes what it can and the session keeps the rest. A
    // retried write may come from another address (the session's buffer grows). Idle
    // connections give their 34 KiB of record buffers back.
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_num_tickets(ctx, 1); // one ticket per handshake: each costs an encryption
    // Read-ahead: OpenSSL reads what its buffer takes, not a record at a time, so a short
    // read of the socket means it is empty (TlsTransport::drained_by) and the connection's
    // edge-triggered read loop can stop there, as for plain TCP.
    SSL_CTX_set_read_ahead(ctx, 1);

    const bool in_memory = certificate.certificate_file.empty();
    std::string chain_pem;
    std::string key_pem;
    const std::string chain_what =
        in_memory ? std::string("the certificate") : "certificate " + certificate.certificate_file;
    const std::string key_what = in_memory ? std::string("the key") : "key " + certificate.key_file;
    if (in_memory) {
        chain_pem = certificate.certificate_pem;
        key_pem = certificate.key_pem;
    } else if (!read_file(certificate.certificate_file, chain_pem, error) ||
               !read_file(certificate.key_file, key_pem, error)) {
        SSL_CTX_free(ctx);
        return nullptr;
    }
    if (!use_chain(ctx, chain_pem, chain_what, error) ||
        !use_key(ctx, key_pem, certificate.password, key_what, error)) {
        SSL_CTX_free(ctx);
        return nullptr;
    }
    OPENSSL_cleanse(key_pem.data(), key_pem.size());
    // A session belongs to the certificate it was made under: OpenSSL resumes only where the
    // session-ID context matches, so a ticket from one SNI name's certificate is not
    // accepted for a name another certificate serves (RFC 6066 §3) — it gets a full
    // handshake and its own certificate instead.
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    if (X509_digest(SSL_CTX_get0_certificate(ctx), EVP_sha256(), digest, &length) != 1 ||
        SSL_CTX_set_session_id_context(ctx, digest,
                                       std::min<unsigned>(length, SSL_MAX_SID_CTX_LENGTH)) != 1) {
        error = chain_what + ": " + openssl_reason();
        SSL_CTX_free(ctx);
        return nullptr;
    }
    return ctx;
}

} // namespace

std::shared_ptr<const TlsContext>
TlsContext::create(const TlsConfig& config, std::string plaintext_reply, std::string& error) {
    if (config.certificates.empty()) {
        error = "TLS needs a certificate and its key";
        return nullptr;
    }
    std::shared_ptr<TlsContext> tls(new TlsContext());
    tls->config_ = config;
    tls->plaintext_reply_ = std::move(plaintext_reply);
    for (const std::string& protocol : config.alpn) {
        if (protocol.empty() || protocol.size() > 255) {
            error = "an ALPN protocol name must be 1 to 255 bytes";
            return nullptr;
        }
        tls->alpn_wire_ += static_cast<char>(protocol.size());
        tls->alpn_wire_ += protocol;
    }
    for (const TlsCertificate& certificate : config.certificates) {
        SSL_CTX* ctx = make_context(config, certificate, error);
        if (ctx == nullptr) return nullptr;
        tls->contexts_.push_back(ctx);
        // Every context answers ALPN: the one SNI switches to is the one OpenSSL asks.
        if (!tls->alpn_wire_.empty())
            SSL_CTX_set_alpn_select_cb(ctx, &TlsContext::on_alpn, tls.get());
    }
    // The certificate is chosen from the raw ClientHello, before OpenSSL looks at any session
    // the client offers: the session is then checked against the chosen certificate's context.
    if (tls->contexts_.size() > 1)
        SSL_CTX_set_client_hello_cb(tls->contexts_.front(), &TlsContext::on_client_hello,
                                    tls.get());
    for (TlsCertificate& certificate : tls->config_.certificates) {
        OPENSSL_cleanse(certificate.password.data(), certificate.password.size());
        OPENSSL_cleanse(certificate.key_pem.data(), certificate.key_pem.size());
        certificate.password.clear();
        certificate.key_pem.clear();
    }
    return tls;
}

TlsContext::~TlsContext() {
    for (SSL_CTX* ctx : contexts_) SSL_CTX_free(ctx);
}

SSL* TlsContext::new_ssl() const noexcept {
    SSL* ssl = SSL_new(contexts_.front());
    if (ssl != nullptr) SSL_set_accept_state(ssl);
    return ssl;
}

// SNI (RFC 6066 §3): the first later certificate whose names cover the requested one; else
// the default (as nginx does), so a client that sends no SNI or an unknown name still gets an
// answer. The extension is read from the ClientHello as it came: a list of (type, name).
int TlsContext::on_client_hello(SSL* ssl, int* /*alert*/, void* self) {
    const auto* tls = static_cast<const TlsContext*>(self);
    const unsigned char* p = nullptr;
    std::size_t size = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &size) != 1 || size < 2)
        return SSL_CLIENT_HELLO_SUCCESS;
    std::size_t list = (std::size_t{p[0]} << 8) | p[1];
    p += 2;
    size -= 2;
    if (list > size) return SSL_CLIENT_HELLO_SUCCESS; // malformed: OpenSSL will say so
    while (list >= 3) {
        const unsigned type = p[0];
        const std::size_t length = (std::size_t{p[1]} << 8) | p[2];
        if (length + 3 > list) break;
        if (type == TLSEXT_NAMETYPE_host_name && length > 0) {
            const std::string name(reinterpret_cast<const char*>(p + 3), length);
            if (name.find('\0') != std::string::npos) break;
            for (std::size_t i = 1; i < tls->contexts_.size(); ++i) {
                X509* certificate = SSL_CTX_get0_certificate(tls->contexts_[i]);
                if (certificate != nullptr &&
                    X509_check_host(certificate, name.data(), name.size(), 0, nullptr) == 1) {
                    SSL_set_SSL_CTX(ssl, tls->contexts_[i]);
                    break;
                }
            }
            break;
        }
        p += length + 3;
        list -= length + 3;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

// ALPN (RFC 7301): the server's preference among what the client offers. A client that offers
// only protocols the server does not speak gets the no_application_protocol alert (§3.2).
int TlsContext::on_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
                        const unsigned char* in, unsigned in_length, void* self) {
    const auto* tls = static_cast<const TlsContext*>(self);
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(
            &chosen, out_length, reinterpret_cast<const unsigned char*>(tls->alpn_wire_.data()),
            static_cast<unsigned>(tls->alpn_wire_.size()), in, in_length) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

bool TlsContext::kernel_tls_available() noexcept {
    std::FILE* f = std::fopen("/proc/sys/net/ipv4/tcp_available_ulp", "r");
    if (f == nullptr) return false;
    char line[256] = {};
    const bool read = std::fgets(line, sizeof line, f) != nullptr;
    std::fclose(f);
    if (!read) return false;
    for (const char* p = line; (p = std::strstr(p, "tls")) != nullptr; p += 3) {
        const bool starts = p == line || p[-1] == ' ';
        const bool ends = p[3] == '\0' || p[3] == ' ' || p[3] == '\n';
        if (starts && ends) return true;
    }
    return false;
}

} // namespace pier::net
