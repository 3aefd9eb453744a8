// What the TLS tests ask of the certificate a server presented.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string>

namespace pier::test {

/// The common name of the certificate the peer of `ssl` presented; empty when none.
inline std::string peer_common_name(SSL* ssl) {
    X509* peer = SSL_get1_peer_certificate(ssl);
    if (peer == nullptr) return {};
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof name);
    X509_free(peer);
    return name;
}

} // namespace pier::test
