// The access log and the error log lines, in Python's format by default:
//     127.0.0.1 - - [25/Nov/2026 06:14:45] "GET / HTTP/1.1" 200 -
//     127.0.0.1 - - [25/Nov/2026 06:14:45] code 404, message File not found
// or the Common / Combined Log Format with byte counts.
#pragma once

#include <pier/server.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>

namespace pier::server {

struct AccessRecord {
    std::string_view host;
    std::string_view request_line; // as received; empty when there was none
    std::string_view user;         // authenticated (Request::remote_user); empty: "-"
    int status = 0;
    std::optional<std::uint64_t> body_bytes;
    std::string_view referer;
    std::string_view user_agent;
};

void log_access(std::FILE* out, AccessLogFormat format, std::chrono::sys_seconds now,
                const AccessRecord& r);

/// "code 404, message File not found" — for refused requests, as Python's log_error.
void log_error(std::FILE* out, AccessLogFormat format, std::chrono::sys_seconds now,
               std::string_view host, int status, std::string_view message);

} // namespace pier::server
