// The client's OpenSSL set-up, shared by the blocking transport (tls.cpp) and the event-loop
// stream (async_tls.cpp): context, verification against the system store or a given CA,
// host-name check, SNI. Private to the client.
#pragma once

#include <pier/client.hpp>

#include <string>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace pier::client::detail {

struct ClientTls {
    SSL_CTX* ctx = nullptr; // both owned by the caller on success; null on failure
    SSL* ssl = nullptr;
    std::string error;
    bool ca_unusable = false;          // the CA file or directory asked for does not load
    bool verify_unusable = false;      // verification cannot be set up (CA store, host name)
    bool client_cert_unusable = false; // TlsOptions::cert_file / key_file do not load
};
/// A client-side SSL for `host` (or options.server_name) with its own context.
ClientTls new_client_tls(const std::string& host, const TlsOptions& options);

/// OpenSSL's error queue as text (emptied).
std::string openssl_error_text();

} // namespace pier::client::detail
