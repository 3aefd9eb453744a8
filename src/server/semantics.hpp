// The request checks of RFC 9110 that come before any handler: Host, Expect, the forms of
// request-target each method may use, and which methods the server itself refuses.
#pragma once

#include <pier/parser.hpp>
#include <pier/server.hpp>

#include <string_view>

namespace pier::server {

struct Verdict {
    int status = 0; // 0: go on
    std::string_view message;
    std::string_view host; // the request's host (absolute-form authority, else Host)
    std::string_view path; // the target's path, leading "//" collapsed
    std::string_view query;
    bool expect_continue = false;
};

Verdict check_request(const RequestHead& head, const ServerConfig& config);

/// The host of a Host value without its port: "example.test", "[::1]" (routing, CGI's
/// SERVER_NAME).
std::string_view host_without_port(std::string_view host) noexcept;

} // namespace pier::server
