// `pier get`'s flags about the connection itself, as curl spells them: where it goes
// (--resolve, --unix-socket), who we are to a server that asks (--cert, --key, --pass) and the
// HTTP version spoken (--http1.0). Private to the CLI.
#pragma once

#include <pier/fetch.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::cli {

struct ConnectionArgs {
    std::vector<std::string> resolve; // [+]HOST:PORT:ADDR[,ADDR...] or -HOST:PORT
    std::string unix_socket;
    std::string cert; // FILE[:PASSWORD]
    std::string cert_type;
    std::string key;
    std::string key_type;
    std::optional<std::string> pass;
    bool http10 = false;
};

/// Registers the flags on `get`.
void add_connection_options(CLI::App& get, ConnectionArgs& args);

/// Puts them into `options`. Throws Failure: 49 for a --resolve entry that does not parse, 58
/// for a certificate or key type other than PEM.
void apply_connection_options(const ConnectionArgs& args, client::FetchOptions& options);

/// One --resolve entry into `resolve` (keyed "host:port", the host in lower case); "-HOST:PORT"
/// removes an earlier one. False when it does not parse.
bool add_resolve_entry(std::string_view entry,
                       std::map<std::string, std::vector<std::string>>& resolve);

/// curl's --cert FILE[:PASSWORD]: the first ':' not escaped as "\:" starts the password ("\\"
/// is a backslash).
struct CertArgument {
    std::string file;
    std::optional<std::string> password;
};
CertArgument split_cert_argument(std::string_view argument);

/// What -w tells of a response's connection, in curl's terms: seconds from the transfer's
/// start (`start`), 0 for a step that did not happen in this transfer (a connection opened by
/// an earlier URL, TLS on plain HTTP); addresses empty and ports 0 over a unix socket.
struct ConnectionReport {
    double time_connect = 0;       // %{time_connect}: TCP connect done
    double time_appconnect = 0;    // %{time_appconnect}: TLS handshake done
    double time_pretransfer = 0;   // %{time_pretransfer}: the last request about to go out
    double time_starttransfer = 0; // %{time_starttransfer}: its answer's first byte
    std::string remote_ip;         // %{remote_ip}
    int remote_port = 0;           // %{remote_port}
    std::string local_ip;          // %{local_ip}
    int local_port = 0;            // %{local_port}
};
ConnectionReport connection_report(const client::Response& response,
                                   std::chrono::steady_clock::time_point start);

} // namespace pier::cli
