// The meta-variables one by one (RFC 3875 §4.1), the HTTP_* rules, and what a script never
// gets: httpoxy's HTTP_PROXY, credentials, underscore names, the server's own environment.
#include "cgi/environment.hpp"
#include "net/event_loop.hpp"
#include "server/request_builder.hpp"
#include "server/semantics.hpp"

#include <pier/loop.hpp>
#include <pier/parser.hpp>
#include <pier/server.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

namespace pier::cgi {
namespace {

std::map<std::string, std::string> as_map(const std::vector<std::string>& env) {
    std::map<std::string, std::string> out;
    for (const std::string& entry : env) {
        const std::size_t eq = entry.find('=');
        EXPECT_NE(eq, std::string::npos) << entry;
        EXPECT_TRUE(out.emplace(entry.substr(0, eq), entry.substr(eq + 1)).second)
            << "set twice: " << entry;
    }
    return out;
}

std::map<std::string, std::string> env_for(std::string_view raw, bool secure,
                                           EnvironmentOptions options = {}) {
    Limits limits;
    RequestParser parser(limits);
    RequestHead head;
    EXPECT_EQ(parser.parse(raw, head), ParseStatus::complete);
    ServerConfig config;
    const server::Verdict verdict = server::check_request(head, config);
    Fields trailers;
    net::EventLoop event_loop;
    Loop loop(event_loop);
    const std::string remote = "127.0.0.1";
    const Request request =
        RequestBuilder::make(head, verdict, {}, trailers, remote, 40000, 8443, secure, loop);
    ScriptTarget target{"/cgi-bin/env.py", "/srv/site/cgi-bin/env.py", "/more/path", "/srv/site"};
    options.server_software = "pier/test";
    return as_map(environment(request, target, 5, options));
}

TEST(CgiEnvironment, EveryMetaVariable) {
    const auto env = env_for("POST /cgi-bin/env.py/more/path?a=1&b=%20 HTTP/1.1\r\n"
                             "Host: example.test:8443\r\nContent-Type: text/plain\r\n"
                             "Content-Length: 5\r\nUser-Agent: t/1\r\n\r\n",
                             true);
    const std::map<std::string, std::string> expected = {
        {"GATEWAY_INTERFACE", "CGI/1.1"},
        {"SERVER_SOFTWARE", "pier/test"},
        {"SERVER_NAME", "example.test"},
        {"SERVER_PORT", "8443"},
        {"SERVER_PROTOCOL", "HTTP/1.1"},
        {"REQUEST_METHOD", "POST"},
        {"REQUEST_URI", "/cgi-bin/env.py/more/path?a=1&b=%20"},
        {"REQUEST_SCHEME", "https"},
        {"HTTPS", "on"},
        {"SCRIPT_NAME", "/cgi-bin/env.py"},
        {"SCRIPT_FILENAME", "/srv/site/cgi-bin/env.py"},
        {"DOCUMENT_ROOT", "/srv/site"},
        {"PATH_INFO", "/more/path"},
        {"PATH_TRANSLATED", "/srv/site/more/path"},
        {"QUERY_STRING", "a=1&b=%20"},
        {"REMOTE_ADDR", "127.0.0.1"},
        {"REMOTE_PORT", "40000"},
        {"CONTENT_TYPE", "text/plain"},
        {"CONTENT_LENGTH", "5"},
        {"HTTP_HOST", "example.test:8443"},
        {"HTTP_USER_AGENT", "t/1"},
    };
    for (const auto& [name, value] : expected) {
        const auto it = env.find(name);
        ASSERT_NE(it, env.end()) << name << " missing";
        EXPECT_EQ(it->second, value) << name;
    }
    EXPECT_FALSE(env.contains("HTTP_CONTENT_TYPE"));
    EXPECT_FALSE(env.contains("HTTP_CONTENT_LENGTH"));
}

TEST(CgiEnvironment, FieldsRepeatedDangerousOrPrivate) {
    setenv("PIER_TEST_SECRET", "s3cret", 1);
    setenv("PIER_TEST_WANTED", "yes", 1);
    EnvironmentOptions options;
    options.inherit = {"PIER_TEST_WANTED"};
    const auto env = env_for("GET /cgi-bin/env.py HTTP/1.0\r\nHost: [::1]:80\r\n"
                             "Accept: a/b\r\nAccept: c/d\r\nCookie: x=1\r\nCookie: y=2\r\n"
                             "Proxy: http://evil.example/\r\nAuthorization: Basic dTpw\r\n"
                             "Proxy-Authorization: Basic dTpw\r\nX_Forwarded_For: 6.6.6.6\r\n"
                             "X-Forwarded-For: 1.2.3.4\r\n\r\n",
                             false, options);
    EXPECT_EQ(env.at("HTTP_ACCEPT"), "a/b, c/d");
    EXPECT_EQ(env.at("HTTP_COOKIE"), "x=1; y=2");
    EXPECT_EQ(env.at("HTTP_X_FORWARDED_FOR"), "1.2.3.4") << "the underscore name posed as it";
    EXPECT_EQ(env.at("SERVER_NAME"), "[::1]");
    EXPECT_EQ(env.at("SERVER_PROTOCOL"), "HTTP/1.0");
    EXPECT_EQ(env.at("REQUEST_SCHEME"), "http");
    EXPECT_EQ(env.at("PIER_TEST_WANTED"), "yes");
    EXPECT_TRUE(env.contains("PATH"));
    for (const char* never : {"HTTP_PROXY", "HTTP_AUTHORIZATION", "HTTP_PROXY_AUTHORIZATION",
                              "HTTPS", "PIER_TEST_SECRET", "AUTH_TYPE", "REMOTE_USER"})
        EXPECT_FALSE(env.contains(never)) << never;
    options.pass_authorization = true;
    const auto with =
        env_for("GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic dTpw\r\n\r\n", false, options);
    EXPECT_EQ(with.at("HTTP_AUTHORIZATION"), "Basic dTpw");
}

} // namespace
} // namespace pier::cgi
