// What `pier get`'s command line asked for, as CLI11 fills it in. Private to the CLI.
#pragma once

#include "cli/get_body.hpp"
#include "cli/get_connection.hpp"
#include "cli/get_transfer.hpp"

#include <string>
#include <vector>

namespace pier::cli {

struct GetArgs {
    std::vector<std::string> urls;
    std::string method;
    std::vector<std::string> headers;
    BodyArgs body; // -d, -F, -T and their kin (get_body.cpp)
    std::vector<std::string> outputs;
    int remote_names = 0; // -O given this many times: that many URLs after the -o ones
    bool location = false;
    bool head = false;
    bool include = false;
    bool verbose = false;
    bool silent = false;
    bool show_error = false;
    bool fail = false;
    bool compressed = false;
    bool path_as_is = false;
    bool insecure = false;
    std::string cacert;
    double max_time = 0;
    double connect_timeout = 0;
    std::string user;
    std::string proxy;
    bool proxy_set = false;
    std::string dump_header;
    std::string write_out;
    int max_redirs = 50;
    std::string user_agent;
    int retry = 0;
    bool retry_connrefused = false;
    std::vector<std::string> cookies; // -b: "name=value; ..." as is, or a cookie file
    std::string cookie_jar;           // -c
    bool junk_session_cookies = false;
    ConnectionArgs connection; // --resolve, --unix-socket, --cert, --http1.0...
    TransferFlags transfer;    // -r, -C, -J, --limit-rate... (get_transfer.hpp)
    bool parallel = false;     // -Z: the URLs at once, on the event loop (get_parallel.cpp)
    int parallel_max = 50;
};

} // namespace pier::cli
