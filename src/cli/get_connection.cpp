#include "cli/get_connection.hpp"

#include "cli/get_errors.hpp"
#include "http/char_class.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <charconv>

namespace pier::cli {

namespace {

using pier::detail::lowercase;

bool is_ip_address(std::string_view text) {
    if (text.size() > 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    const std::string s(text);
    unsigned char buffer[16];
    return inet_pton(AF_INET, s.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, s.c_str(), buffer) == 1;
}

// "HOST:PORT" at the front of `text` (HOST may be "[v6]"): the map key, and what follows it.
std::optional<std::string> take_host_port(std::string_view& text) {
    std::size_t host_end = 0;
    if (!text.empty() && text.front() == '[') {
        host_end = text.find(']');
        if (host_end == std::string_view::npos) return std::nullopt;
        ++host_end;
    } else {
        host_end = text.find(':');
        if (host_end == std::string_view::npos) return std::nullopt;
    }
    const std::string_view host = text.substr(0, host_end);
    if (host_end >= text.size() || text[host_end] != ':') return std::nullopt;
    text.remove_prefix(host_end + 1);
    const std::size_t port_end = std::min(text.find(':'), text.size());
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + port_end, port);
    if (ec != std::errc() || end != text.data() + port_end || port > 65535) return std::nullopt;
    text.remove_prefix(port_end);
    return lowercase(host) + ":" + std::to_string(port);
}

bool is_pem(const std::string& type) {
    return type.empty() || lowercase(type) == "pem";
}

} // namespace

void add_connection_options(CLI::App& get, ConnectionArgs& args) {
    get.add_option("--resolve", args.resolve,
                   "Connect to ADDR for HOST:PORT instead of looking HOST up; Host, SNI and the "
                   "certificate check still use HOST ('HOST:PORT:ADDR[,ADDR...]', IPv6 in "
                   "brackets; '-HOST:PORT' drops an entry)")
        ->allow_extra_args(false);
    get.add_option("--unix-socket", args.unix_socket,
                   "Connect to this Unix domain socket instead of over TCP (Host from the URL)");
    get.add_option("-E,--cert", args.cert,
                   "Client certificate (PEM) for HTTPS, 'FILE[:PASSWORD]' ('\\:' for a colon in "
                   "FILE); its key too unless --key");
    get.add_option("--cert-type", args.cert_type, "Type of --cert: PEM (the only one read)");
    get.add_option("--key", args.key, "Private key (PEM) of --cert");
    get.add_option("--key-type", args.key_type, "Type of --key: PEM (the only one read)");
    get.add_option("--pass", args.pass, "Password of the private key");
    get.add_flag("-0,--http1.0", args.http10,
                 "Speak HTTP/1.0: no chunked upload, no Expect, a connection per request");
}

bool add_resolve_entry(std::string_view entry,
                       std::map<std::string, std::vector<std::string>>& resolve) {
    if (!entry.empty() && entry.front() == '-') {
        // As curl, a removal that names nothing it could have added is no error.
        entry.remove_prefix(1);
        if (const std::optional<std::string> key = take_host_port(entry)) resolve.erase(*key);
        return true;
    }
    // "+": curl's entry that expires like a looked-up one; one command line outlives neither.
    if (!entry.empty() && entry.front() == '+') entry.remove_prefix(1);
    const std::optional<std::string> key = take_host_port(entry);
    if (!key || entry.size() < 2 || entry.front() != ':') return false;
    entry.remove_prefix(1);
    std::vector<std::string> addresses;
    for (;;) {
        const std::size_t comma = entry.find(',');
        const std::string_view address = entry.substr(0, comma);
        if (!address.empty() && !is_ip_address(address)) return false;
        if (!address.empty()) addresses.emplace_back(address); // "a,,b" and "a," as curl takes them
        if (comma == std::string_view::npos) break;
        entry.remove_prefix(comma + 1);
    }
    if (addresses.empty()) return false;
    resolve[*key] = std::move(addresses);
    return true;
}

CertArgument split_cert_argument(std::string_view argument) {
    CertArgument out;
    for (std::size_t i = 0; i < argument.size(); ++i) {
        const char c = argument[i];
        if (c == '\\' && i + 1 < argument.size() &&
            (argument[i + 1] == ':' || argument[i + 1] == '\\')) {
            out.file += argument[++i];
        } else if (c == ':') {
            out.password = std::string(argument.substr(i + 1));
            break;
        } else {
            out.file += c;
        }
    }
    return out;
}

void apply_connection_options(const ConnectionArgs& args, client::FetchOptions& options) {
    for (const std::string& entry : args.resolve)
        if (!add_resolve_entry(entry, options.resolve))
            throw Failure{49, "--resolve wants HOST:PORT:ADDR[,ADDR...] with IP addresses, not '" +
                                  entry + "'"};
    options.unix_socket = args.unix_socket;
    options.http10 = args.http10;
    if (!is_pem(args.cert_type))
        throw Failure{58, "--cert-type " + args.cert_type + ": only PEM certificates are read"};
    if (!is_pem(args.key_type))
        throw Failure{58, "--key-type " + args.key_type + ": only PEM keys are read"};
    if (!args.cert.empty()) {
        CertArgument cert = split_cert_argument(args.cert);
        options.tls.cert_file = std::move(cert.file);
        if (cert.password) options.tls.key_password = std::move(*cert.password);
        options.tls.key_file = args.key; // as curl: a key without a certificate is unused
    }
    if (args.pass) options.tls.key_password = *args.pass;
}

ConnectionReport connection_report(const client::Response& response,
                                   std::chrono::steady_clock::time_point start) {
    // Steps before `start` belong to an earlier URL's transfer, as do those never taken.
    auto since_start = [start](std::chrono::steady_clock::time_point t) {
        return t < start ? 0.0 : std::chrono::duration<double>(t - start).count();
    };
    const client::ConnectionInfo& c = response.connection_info();
    ConnectionReport r;
    r.time_connect = since_start(c.connected);
    r.time_appconnect = since_start(c.tls_done);
    r.time_pretransfer = since_start(response.request_sent());
    r.time_starttransfer = since_start(response.first_byte());
    r.remote_ip = c.remote_ip;
    r.remote_port = c.remote_port;
    r.local_ip = c.local_ip;
    r.local_port = c.local_port;
    return r;
}

} // namespace pier::cli
