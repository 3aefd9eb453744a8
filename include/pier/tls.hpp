// HTTPS for pier's server: which certificates to present and how strict to be. Set
// ServerConfig::tls and every listener speaks TLS (OpenSSL 3; TLS 1.2 at least, OpenSSL's
// secure cipher defaults, no renegotiation).
//
//     config.tls.certificates.push_back({"site.pem", "site.key"});
//     config.tls.certificates.push_back({"other.pem", "other.key"}); // chosen by SNI
//
// The first certificate is the default; a later one is presented to a client whose SNI names
// it (its subjectAltName or, lacking one, its common name, wildcards included). Sessions
// resume from tickets on any of the server's loops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pier {

struct TlsCertificate {
    /// PEM files: the certificate chain (leaf first) and its private key.
    std::string certificate_file;
    std::string key_file;
    /// The key file's passphrase, when it is encrypted. Never take it from a command line.
    std::string password;
    /// In-memory PEM instead of files (both set, files left empty): a minted certificate.
    std::string certificate_pem;
    std::string key_pem;
};

enum class TlsVersion : std::uint8_t {
    tls1_2,
    tls1_3
};

struct TlsConfig {
    /// Empty: plain HTTP.
    std::vector<TlsCertificate> certificates;
    TlsVersion min_version = TlsVersion::tls1_2;
    /// What ALPN offers, in the server's order of preference; the hook HTTP/2 will use.
    std::vector<std::string> alpn{"http/1.1"};
    /// Handshakes in progress on one loop (a flood of slow handshakes costs CPU and memory
    /// the served connections need); beyond it the oldest handshake is closed to make room.
    std::size_t max_handshakes_per_loop = 512;

    bool enabled() const noexcept { return !certificates.empty(); }
};

/// A certificate minted for local development: `names` (host names and IP addresses) in its
/// subjectAltName, valid for 30 days from an hour ago, an EC P-256 key. For
/// `pier serve --tls-self-signed`; nobody should trust it beyond their own machine.
struct SelfSignedCertificate {
    TlsCertificate pem;      // certificate_pem and key_pem set
    std::string fingerprint; // SHA-256 of the DER certificate, "AB:CD:…"
};
/// False, with a message in `error`, when OpenSSL cannot make one.
bool mint_self_signed(const std::vector<std::string>& names, SelfSignedCertificate& out,
                      std::string& error);

} // namespace pier
