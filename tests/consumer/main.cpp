// Built by tests/consumer/run against an installed or vendored pier; prints what it computed
// so the test can compare.
#include <pier/date.hpp>
#include <pier/method.hpp>
#include <pier/parser.hpp>
#include <pier/status.hpp>
#include <pier/version.hpp>

#include <cstdio>
#include <string_view>

int main() {
    pier::RequestParser parser;
    pier::RequestHead head;
    const std::string_view wire = "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
    if (parser.parse(wire, head) != pier::ParseStatus::complete) return 1;
    const auto date = pier::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    if (!date) return 1;
    std::printf("%s %d %.*s %d %llu %lld\n", pier::kVersion, pier::status_info(404).code,
                static_cast<int>(pier::reason_phrase(404).size()), pier::reason_phrase(404).data(),
                pier::is_idempotent(head.method) ? 1 : 0,
                static_cast<unsigned long long>(head.content_length),
                static_cast<long long>(date->time_since_epoch().count()));
    return 0;
}
