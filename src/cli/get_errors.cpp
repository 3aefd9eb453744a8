#include "cli/get_errors.hpp"

#include <pier/client_errors.hpp>

namespace pier::cli {

const char* const kGetExitCodes = R"(Exit codes (as curl's):
   0  success
   1  unsupported protocol (not http or https)
   2  usage error
   3  malformed URL
   6  could not resolve host
   7  failed to connect
   8  weird server reply (bad status line, malformed head, bad chunked framing)
  18  partial file: the body ended before its length
  22  --fail and the status was 400 or more
  23  write error (output file)
  26  read error (a -d @file, -F file, -T file)
  28  timeout (--connect-timeout, --max-time)
  33  -C: the server ignored the Range, so the download cannot resume
  35  TLS handshake failed
  47  too many redirects (--max-redirs)
  49  a --resolve entry that does not parse
  52  empty reply from server
  56  failure receiving data (connection reset, truncated head)
  58  the client certificate or key cannot be used (--cert, --key, --pass)
  61  --compressed and the content coding is unknown or corrupt
  65  a body to send again (a 307/308, a 417) came from stdin and cannot start over
  77  the --cacert file cannot be loaded (missing, or not PEM certificates)
  60  peer certificate could not be verified (see --cacert, -k)
)";

Failure classify(const std::exception& e) {
    using namespace pier::client;
    if (dynamic_cast<const InvalidURL*>(&e)) return {3, e.what()};
    if (dynamic_cast<const UnknownProtocol*>(&e)) return {1, e.what()};
    if (const auto* c = dynamic_cast<const ConnectError*>(&e))
        return {c->kind() == ConnectError::Kind::resolve ? 6 : 7, e.what()};
    if (dynamic_cast<const TimeoutError*>(&e)) return {28, e.what()};
    if (dynamic_cast<const CaCertificatesError*>(&e)) return {77, e.what()};
    if (dynamic_cast<const CertificateError*>(&e)) return {60, e.what()};
    if (dynamic_cast<const ClientCertificateError*>(&e)) return {58, e.what()};
    if (dynamic_cast<const TlsError*>(&e)) return {35, e.what()};
    if (dynamic_cast<const IncompleteRead*>(&e)) return {18, e.what()};
    if (dynamic_cast<const TooManyRedirects*>(&e)) return {47, e.what()};
    if (const auto* r = dynamic_cast<const RemoteDisconnected*>(&e)) {
        if (r->received() == 0) return {52, "Empty reply from server"};
        return {56, e.what()};
    }
    if (dynamic_cast<const ContentDecodingError*>(&e)) return {61, e.what()};
    if (dynamic_cast<const BodyReadError*>(&e)) return {26, e.what()};
    if (dynamic_cast<const RewindError*>(&e)) return {65, e.what()};
    if (dynamic_cast<const BadStatusLine*>(&e) || dynamic_cast<const LineTooLong*>(&e) ||
        dynamic_cast<const ProtocolError*>(&e) || dynamic_cast<const UnknownTransferEncoding*>(&e))
        return {8, e.what()};
    if (dynamic_cast<const HTTPException*>(&e)) return {56, e.what()};
    return {2, e.what()}; // std::invalid_argument from a bad -H, say
}

} // namespace pier::cli
