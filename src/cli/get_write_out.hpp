// curl's -w (--write-out): what one transfer did, and the format that prints it. Private to the
// CLI; pure, so unit-tested.
#pragma once

#include <pier/client_response.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pier::cli {

struct TransferInfo {
    std::string url; // as given on the command line
    int urlnum = 0;  // its place among them, from 0
    std::string url_effective;
    std::string filename_effective; // empty: stdout
    std::string method;             // of the last request (a 303 makes it GET)
    std::optional<std::string> referer;
    int http_code = 0;
    int http_version = 0; // 10 or 11; 0 without a response
    std::string scheme;   // "HTTP" or "HTTPS"; empty without a request
    std::optional<std::string> content_type;
    /// The last response's fields in the order received, for %{header_json}.
    std::vector<std::pair<std::string, std::string>> headers;
    int num_redirects = 0;
    std::uint64_t size_download = 0;
    std::uint64_t size_header = 0;
    // From the start, as curl counts them (0: a step the transfer did not take, such as the
    // connect of a connection it reused): connect, TLS, the last request about to go out, its
    // answer's first byte, the end.
    double time_connect = 0;
    double time_appconnect = 0;
    double time_pretransfer = 0;
    double time_starttransfer = 0;
    double time_total = 0;
    std::string remote_ip;
    int remote_port = 0;
    std::string local_ip;
    int local_port = 0;
    int exit_code = 0;
    std::string errormsg; // empty on success
};

/// What the final response and the request it answered (`request_head`, as sent) tell: status,
/// version, fields, URL, redirects, scheme, method, Referer.
void describe_exchange(const client::Response& response, std::string_view request_head,
                       TransferInfo& info);

/// curl's -w: %{name} for each variable of TransferInfo (and response_code, speed_download,
/// exitcode, num_headers), %{header_json} (the last response's fields: lower-cased names, each
/// with the array of its values, one name a line, as curl ≥ 7.83), %{json} (every variable in one
/// object, as curl's), %% and \n \t \r. An unknown variable is left as written.
std::string format_write_out(std::string_view format, const TransferInfo& info);

/// `text` as a JSON string, quotes included; bytes >= 0x80 are passed through as curl does.
std::string json_string(std::string_view text);

} // namespace pier::cli
