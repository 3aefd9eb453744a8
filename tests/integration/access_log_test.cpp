// Access and error log lines, in Python's format and the Common/Combined formats.
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace pier::test {
namespace {

std::string run_and_log(AccessLogFormat format, std::string_view request) {
    std::FILE* log = std::tmpfile();
    {
        ServerConfig config = TestServer::quiet_config();
        config.access_log = format;
        config.log = log;
        TestServer server([](const Request&, Response& res) { res.set_body("12345"); }, config);
        Client c(server.port());
        c.send(request);
        c.read_response();
    } // the server has stopped: every line is written
    std::fflush(log);
    std::rewind(log);
    std::string text;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, log) != nullptr) text += buf;
    std::fclose(log);
    return text;
}

// `shape` with '#' for any digit and '@' for any letter; the whole of `text` must match.
bool has_shape(std::string_view text, std::string_view shape) {
    if (text.size() != shape.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char t = text[i];
        const char s = shape[i];
        const bool ok = s == '#'   ? (t >= '0' && t <= '9')
                        : s == '@' ? ((t >= 'a' && t <= 'z') || (t >= 'A' && t <= 'Z'))
                                   : t == s;
        if (!ok) return false;
    }
    return true;
}

TEST(AccessLog, PythonFormat) {
    const std::string log =
        run_and_log(AccessLogFormat::python, "GET /x?y HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_TRUE(
        has_shape(log, "127.0.0.1 - - [##/@@@/#### ##:##:##] \"GET /x?y HTTP/1.1\" 200 -\n"))
        << log;
}

TEST(AccessLog, RefusedRequestsLogTheErrorLineToo) {
    const std::string log = run_and_log(AccessLogFormat::python, "GET / HTTP/1.1\r\n\r\n");
    EXPECT_NE(log.find("code 400, message Missing Host header\n"), std::string::npos) << log;
    EXPECT_NE(log.find("\"GET / HTTP/1.1\" 400 -\n"), std::string::npos) << log;
}

TEST(AccessLog, CommonAndCombinedCountBytes) {
    const std::string common =
        run_and_log(AccessLogFormat::common, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    // [25/Nov/2026:06:14:45 +0000] — the zone's sign replaced for the shape check.
    std::string shape_of = common;
    const std::size_t sign = shape_of.find(' ', shape_of.find('[')) + 1;
    if (sign < shape_of.size() && shape_of[sign] == '-') shape_of[sign] = '+';
    EXPECT_TRUE(has_shape(shape_of,
                          "127.0.0.1 - - [##/@@@/####:##:##:## +####] \"GET / HTTP/1.1\" 200 5\n"))
        << common;
    const std::string combined =
        run_and_log(AccessLogFormat::combined,
                    "GET / HTTP/1.1\r\nHost: t\r\nReferer: http://r/\r\nUser-Agent: ua/1\r\n\r\n");
    EXPECT_NE(combined.find("\" 200 5 \"http://r/\" \"ua/1\"\n"), std::string::npos) << combined;
}

TEST(AccessLog, ClientBytesCannotForgeLogLines) {
    // Quotes are legal in a target; an escape sequence is not (400) but is still logged —
    // escaped, so it cannot recolour a terminal or fake a second log line.
    const std::string quoted =
        run_and_log(AccessLogFormat::combined, "GET /a\"b HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_NE(quoted.find("\"GET /a\\x22b HTTP/1.1\" 200"), std::string::npos) << quoted;
    const std::string escaped =
        run_and_log(AccessLogFormat::python, "GET /a\x1b[31m HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(escaped.find('\x1b'), std::string::npos) << escaped;
    EXPECT_NE(escaped.find("\"GET /a\\x1b[31m HTTP/1.1\" 400 -"), std::string::npos) << escaped;
}

TEST(AccessLog, HandlerErrorsLogTheirCodeToo) {
    std::FILE* log = std::tmpfile();
    {
        ServerConfig config = TestServer::quiet_config();
        config.access_log = AccessLogFormat::python;
        config.log = log;
        TestServer server([](const Request&, Response& res) { res.set_status(404); }, config);
        Client c(server.port());
        c.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
        c.read_response();
    }
    std::rewind(log);
    char buf[512];
    std::string text;
    while (std::fgets(buf, sizeof buf, log) != nullptr) text += buf;
    std::fclose(log);
    EXPECT_NE(text.find("code 404, message Not Found\n"), std::string::npos) << text;
    EXPECT_LT(text.find("code 404"), text.find("\"GET /missing HTTP/1.1\" 404 -")) << text;
}

TEST(AccessLog, OffMeansSilent) {
    EXPECT_EQ(run_and_log(AccessLogFormat::off, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"), "");
}

} // namespace
} // namespace pier::test
