// `pier serve --tls-self-signed`: a certificate minted in memory at start, for development on
// one's own machine (tls.hpp).
#include <pier/tls.hpp>

#include <arpa/inet.h>
#include <memory>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace pier {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

bool is_ip(const std::string& name) {
    unsigned char buffer[16];
    return inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

bool add_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

std::string pem_of(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

} // namespace

bool mint_self_signed(const std::vector<std::string>& names, SelfSignedCertificate& out,
                      std::string& error) {
    const auto fail = [&error](const char* step) {
        const unsigned long e = ERR_get_error();
        const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
        error = std::string("cannot mint a self-signed certificate (") + step +
                (reason != nullptr ? std::string("): ") + reason : std::string(")"));
        ERR_clear_error();
        return false;
    };
    if (names.empty()) {
        error = "a self-signed certificate needs at least one name";
        return false;
    }
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return fail("key");
    CertPtr cert(X509_new());
    if (!cert) return fail("certificate");
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) return fail("serial");
    serial[0] &= 0x7f; // a positive INTEGER
    BIGNUM* serial_bn = BN_bin2bn(serial, sizeof serial, nullptr);
    const bool serial_set =
        serial_bn != nullptr && BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert.get()));
    BN_free(serial_bn);
    if (!serial_set) return fail("serial");
    X509_set_version(cert.get(), 2);                         // v3
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600); // clocks that are a little behind
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("pier self-signed"), -1, -1,
                               0);
    const std::string& first = names.front();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(first.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    if (X509_set_pubkey(cert.get(), key.get()) != 1) return fail("public key");

    std::string alt_names;
    for (const std::string& n : names) {
        if (!alt_names.empty()) alt_names += ',';
        alt_names += (is_ip(n) ? "IP:" : "DNS:") + n;
    }
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    if (!add_extension(cert.get(), &ctx, NID_subject_alt_name, alt_names) ||
        !add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature") ||
        !add_extension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth") ||
        !add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash"))
        return fail("extensions");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return fail("signature");

    BioPtr cert_bio(BIO_new(BIO_s_mem()));
    BioPtr key_bio(BIO_new(BIO_s_mem()));
    if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1)
        return fail("PEM");
    out.pem = TlsCertificate{};
    out.pem.certificate_pem = pem_of(cert_bio.get());
    out.pem.key_pem = pem_of(key_bio.get());

    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    if (X509_digest(cert.get(), EVP_sha256(), digest, &length) != 1) return fail("fingerprint");
    static constexpr char kHex[] = "0123456789ABCDEF";
    out.fingerprint.clear();
    for (unsigned i = 0; i < length; ++i) {
        if (i > 0) out.fingerprint += ':';
        out.fingerprint += kHex[digest[i] >> 4];
        out.fingerprint += kHex[digest[i] & 15];
    }
    return true;
}

} // namespace pier
