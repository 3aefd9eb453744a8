// CGI through the whole server with real scripts (sh, Python, Perl) in a site the test makes:
// the meta-variables, the status a script chooses, bodies both ways, what cannot run, and the
// script's end in every case — timeout, a client gone, the bound on running scripts — with
// no process left behind.
#include "test_server.hpp"

#include <pier/cgi.hpp>
#include <pier/static_files.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace pier::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Site {
  public:
    Site() {
        char pattern[] = "/tmp/pier-cgi-XXXXXX";
        root_ = mkdtemp(pattern);
        fs::create_directories(root_ / "cgi-bin" / "sub");
        std::ofstream(root_ / "index.html") << "static\n";
    }
    ~Site() { fs::remove_all(root_); }
    void script(const std::string& name, const std::string& text, bool executable = true) {
        const fs::path p = root_ / "cgi-bin" / name;
        std::ofstream(p) << text;
        fs::permissions(p, executable ? fs::perms::owner_all : fs::perms::owner_read);
    }
    std::string root() const { return root_.string(); }
    std::string path(const std::string& name) const { return (root_ / name).string(); }

  private:
    fs::path root_;
};

Router cgi_router(const Site& site, CgiOptions options = {}) {
    options.root = site.root();
    options.log = nullptr;
    options.interpreters.emplace_back(".pl", "perl");
    StaticFilesOptions files;
    files.root = site.root();
    options.fallback = static_files(files);
    Router r;
    r.mount("/", cgi_handler(std::move(options)), {.stream_body = true});
    return r;
}

// An HTTP/1.0 request: the streamed answer ends with the connection.
std::string get(std::uint16_t port, const std::string& target, const std::string& extra = {}) {
    Client c(port, 10000);
    c.send("GET " + target + " HTTP/1.0\r\nHost: example.test\r\n" + extra + "\r\n");
    return c.read_to_close();
}

// The script's pid, from the file it wrote, once it is there.
pid_t pid_in(const std::string& file) {
    for (int i = 0; i < 200; ++i) {
        std::ifstream in(file);
        pid_t pid = 0;
        if (in >> pid && pid > 0) return pid;
        std::this_thread::sleep_for(10ms);
    }
    return -1;
}

// Whether `pid` is gone (reaped: no zombie either) within `wait`.
bool gone(pid_t pid, std::chrono::milliseconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
        if (kill(pid, 0) != 0 && errno == ESRCH) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

const char* kEnvScript = "#!/bin/sh\n"
                         "printf 'Content-Type: text/plain\\n\\n'\n"
                         "env | sort\n";

TEST(Cgi, MetaVariablesReachTheScript) {
    Site site;
    site.script("env.sh", kEnvScript);
    TestServer server(cgi_router(site));
    const std::string r = get(server.port(), "/cgi-bin/env.sh/a/b%20c?x=1&y=%41",
                              "Proxy: http://evil/\r\nX-Thing: 1\r\nX-Thing: 2\r\n");
    ASSERT_EQ(status_line(r), "HTTP/1.1 200 OK") << r;
    const std::string env = body_of(r);
    for (const std::string& expected : std::vector<std::string>{
             "GATEWAY_INTERFACE=CGI/1.1", "SCRIPT_NAME=/cgi-bin/env.sh", "PATH_INFO=/a/b c",
             "QUERY_STRING=x=1&y=%41", "REQUEST_METHOD=GET", "SERVER_PROTOCOL=HTTP/1.0",
             "SERVER_NAME=example.test", "SERVER_PORT=" + std::to_string(server.port()),
             "REMOTE_ADDR=127.0.0.1", "HTTP_X_THING=1, 2",
             "SCRIPT_FILENAME=" + fs::canonical(site.path("cgi-bin/env.sh")).string(),
             std::string("REQUEST_SCHEME=") + (tls_mode() ? "https" : "http")})
        EXPECT_NE(env.find(expected + "\n"), std::string::npos) << expected << "\n" << env;
    EXPECT_EQ(env.find("HTTP_PROXY"), std::string::npos);
    EXPECT_EQ(env.find("HTTPS=on") != std::string::npos, tls_mode());
}

TEST(Cgi, TheScriptChoosesTheStatus) {
    Site site;
    site.script("made.sh", "#!/bin/sh\nprintf 'Status: 201 Made\\r\\nContent-Type: text/plain\\r\\n"
                           "X-From: script\\r\\nContent-Length: 999\\r\\n\\r\\nmade\\n'\n");
    site.script("away.sh", "#!/bin/sh\nprintf 'Location: https://example.com/x\\n\\n'\n");
    site.script("moved.sh", "#!/bin/sh\nprintf 'Status: 301\\nLocation: https://example.com/y\\n"
                            "Content-Type: text/html\\n\\n<a href=y>y</a>'\n");
    site.script("nope.py", "print('Status: 404 Not Here')\nprint('Content-Type: text/plain')\n"
                           "print()\nprint('no such thing')\n");
    site.script("hello.pl", "print \"Content-Type: text/plain\\n\\nperl\\n\";\n", false);
    TestServer server(cgi_router(site));
    std::string r = get(server.port(), "/cgi-bin/made.sh");
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Made");
    EXPECT_TRUE(has_header(r, "X-From: script"));
    EXPECT_FALSE(has_header(r, "Content-Length: 999")) << "the framing is the server's";
    EXPECT_EQ(body_of(r), "made\n");
    r = get(server.port(), "/cgi-bin/away.sh");
    EXPECT_EQ(status_line(r), "HTTP/1.1 302 Found");
    EXPECT_TRUE(has_header(r, "Location: https://example.com/x"));
    r = get(server.port(), "/cgi-bin/moved.sh");
    EXPECT_EQ(status_line(r), "HTTP/1.1 301 Moved Permanently");
    EXPECT_EQ(body_of(r), "<a href=y>y</a>");
    r = get(server.port(), "/cgi-bin/nope.py");
    EXPECT_EQ(status_line(r), "HTTP/1.1 404 Not Here");
    EXPECT_EQ(body_of(r), "no such thing\n");
    r = get(server.port(), "/cgi-bin/hello.pl"); // an interpreter: no execute bit needed
    EXPECT_EQ(body_of(r), "perl\n");
}

// RFC 3875 §6.2.2: a Location that is a path, without Status, is answered inside the server
// as a GET of that path — a file, or another script — and a loop of them ends.
TEST(Cgi, ALocalRedirectIsAnsweredInsideTheServer) {
    Site site;
    site.script("to-file.sh", "#!/bin/sh\nprintf 'Location: /index.html\\n\\nignored'\n");
    site.script("to-script.sh", "#!/bin/sh\nprintf 'Location: /cgi-bin/show.sh/x?q=1\\n\\n'\n");
    site.script("show.sh",
                "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n%s %s %s %s\\n' "
                "\"$REQUEST_METHOD\" \"$PATH_INFO\" \"$QUERY_STRING\" \"$HTTP_X_ASKED\"\n");
    site.script("loop.sh", "#!/bin/sh\nprintf 'Location: /cgi-bin/loop.sh\\n\\n'\n");
    // A listing, which the file server leaves for the blocking pool: run in place here.
    fs::create_directories(site.path("docs"));
    std::ofstream(site.path("docs/listed.txt")) << "x";
    site.script("to-listing.sh", "#!/bin/sh\nprintf 'Location: /docs/\\n\\n'\n");
    TestServer server(cgi_router(site));
    std::string r = get(server.port(), "/cgi-bin/to-file.sh");
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(r), "static\n");
    Client c(server.port());
    c.send("POST /cgi-bin/to-script.sh HTTP/1.0\r\nHost: t\r\nX-Asked: yes\r\n"
           "Content-Length: 3\r\n\r\nabc");
    r = c.read_to_close();
    EXPECT_EQ(body_of(r), "GET /x q=1 yes\n") << r;
    r = get(server.port(), "/cgi-bin/loop.sh");
    EXPECT_EQ(status_line(r), "HTTP/1.1 500 Internal Server Error");
    r = get(server.port(), "/cgi-bin/to-listing.sh");
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_NE(body_of(r).find("listed.txt"), std::string::npos) << r;
}

// Non-parsed-header scripts: their output is the response, byte for byte, and the connection
// ends with it; output that does not start with a status line is a 502.
TEST(Cgi, AnNphScriptsOutputGoesOutAsWritten) {
    Site site;
    site.script("nph-raw.sh",
                "#!/bin/sh\nprintf 'HTTP/1.1 299 Odd\\r\\nX-Raw: 1\\r\\n\\r\\nas is'\n");
    site.script("nph-bad.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nno status line'\n");
    TestServer server(cgi_router(site));
    Client c(server.port());
    c.send("GET /cgi-bin/nph-raw.sh HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(c.read_to_close(), "HTTP/1.1 299 Odd\r\nX-Raw: 1\r\n\r\nas is");
    EXPECT_EQ(status_line(get(server.port(), "/cgi-bin/nph-bad.sh")), "HTTP/1.1 502 Bad Gateway");
}

TEST(Cgi, HttpOneOneGetsAChunkedAnswerAndTheConnectionGoesOn) {
    Site site;
    site.script("hi.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhi\\n'\n");
    TestServer server(cgi_router(site));
    Client c(server.port());
    for (int i = 0; i < 2; ++i) {
        c.send("GET /cgi-bin/hi.sh HTTP/1.1\r\nHost: t\r\n\r\n");
        std::string r;
        while (r.find("\r\n0\r\n\r\n") == std::string::npos) {
            char buffer[4096];
            const ssize_t n = c.receive(buffer, sizeof buffer);
            ASSERT_GT(n, 0) << r;
            r.append(buffer, static_cast<std::size_t>(n));
        }
        EXPECT_TRUE(has_header(r, "Transfer-Encoding: chunked")) << r;
        EXPECT_NE(r.find("\r\n3\r\nhi\n\r\n0\r\n\r\n"), std::string::npos) << r;
    }
}

TEST(Cgi, BodiesStreamBothWays) {
    Site site;
    site.script("cat.sh", "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\n"
                          "X-Length: %s\\n\\n' \"$CONTENT_LENGTH\"\nexec cat\n");
    TestServer server(cgi_router(site));
    std::string body(5 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 7 + i / 5000);
    {
        Client c(server.port(), 20000);
        c.send("POST /cgi-bin/cat.sh HTTP/1.0\r\nHost: t\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n");
        // Sent while the answer streams back: a client that only sent would deadlock with a
        // script that answers as it reads.
        std::thread sender([&] { c.send(body); });
        const std::string r = c.read_to_close();
        sender.join();
        EXPECT_TRUE(has_header(r, "X-Length: " + std::to_string(body.size())));
        EXPECT_TRUE(body_of(r) == body) << "the echo differs, " << r.size() << " bytes";
    }
    // Chunked: spooled, so the script still gets CONTENT_LENGTH.
    Client c(server.port());
    c.send("POST /cgi-bin/cat.sh HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
           "Transfer-Encoding: chunked\r\n\r\n"
           "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
    const std::string r = c.read_to_close();
    EXPECT_TRUE(has_header(r, "X-Length: 7")) << r;
    EXPECT_NE(r.find("\r\n7\r\nabcdefg\r\n0\r\n\r\n"), std::string::npos) << r;
}

TEST(Cgi, AScriptThatNeverReadsItsStdinStillAnswers) {
    Site site;
    site.script("ignore.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nignored\\n'\n");
    TestServer server(cgi_router(site));
    Client c(server.port(), 10000);
    const std::string body(1024 * 1024, 'x');
    c.send("POST /cgi-bin/ignore.sh HTTP/1.0\r\nHost: t\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n");
    c.send(body);
    const std::string r = c.read_to_close();
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(r), "ignored\n");
}

TEST(Cgi, WhatCannotRunAndWhatAnswersBadly) {
    Site site;
    site.script("noexec.sh", "#!/bin/sh\necho hi\n", false);
    site.script("garbage.sh", "#!/bin/sh\necho 'not a header'\n");
    site.script("silent.sh", "#!/bin/sh\nexit 3\n");
    site.script("untyped.sh", "#!/bin/sh\nprintf 'X-A: 1\\n\\nbody'\n");
    site.script("crash.sh", "#!/bin/sh\nkill -SEGV $$\n");
    TestServer server(cgi_router(site));
    const std::pair<const char*, const char*> cases[] = {
        {"/cgi-bin/noexec.sh", "HTTP/1.1 403 Forbidden"},
        {"/cgi-bin/missing.sh", "HTTP/1.1 404 Not Found"},
        {"/cgi-bin/sub/", "HTTP/1.1 403 Forbidden"},
        {"/cgi-bin/sub", "HTTP/1.1 403 Forbidden"},
        {"/cgi-bin/.hidden.sh", "HTTP/1.1 404 Not Found"},
        {"/cgi-bin/garbage.sh", "HTTP/1.1 502 Bad Gateway"},
        {"/cgi-bin/silent.sh", "HTTP/1.1 502 Bad Gateway"},
        {"/cgi-bin/untyped.sh", "HTTP/1.1 502 Bad Gateway"},
        {"/cgi-bin/crash.sh", "HTTP/1.1 502 Bad Gateway"},
        {"/", "HTTP/1.1 200 OK"},
    };
    for (const auto& [target, expected] : cases)
        EXPECT_EQ(status_line(get(server.port(), target)), expected) << target;
}

// No spelling of a script's path gets its source from the file server.
TEST(Cgi, EverySpellingOfAScriptPathRunsIt) {
    Site site;
    site.script("s.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nran\\n' # SOURCE\n");
    TestServer server(cgi_router(site));
    for (const char* target : {"/cgi-bin/s.sh", "/cgi%2dbin/s.sh", "//cgi-bin/s.sh",
                               "/x/../cgi-bin/s.sh", "/cgi-bin/./s.sh", "/%63gi-bin/s%2esh"}) {
        const std::string r = get(server.port(), target);
        EXPECT_EQ(body_of(r), "ran\n") << target << "\n" << r;
    }
}

TEST(Cgi, AScriptPastTheTimeoutIsKilledAnd504) {
    Site site;
    site.script("hang.sh", "#!/bin/sh\necho $$ > \"$DOCUMENT_ROOT/hang.pid\"\nsleep 30\n");
    CgiOptions options;
    options.timeout = 300ms;
    TestServer server(cgi_router(site, options));
    const auto start = std::chrono::steady_clock::now();
    const std::string r = get(server.port(), "/cgi-bin/hang.sh");
    EXPECT_EQ(status_line(r), "HTTP/1.1 504 Gateway Timeout");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    const pid_t pid = pid_in(site.path("hang.pid"));
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(gone(pid, 5s)) << "the script (or its zombie) outlived its request";
}

TEST(Cgi, AClientThatLeavesMidAnswerTakesTheScriptWithIt) {
    Site site;
    site.script("drip.sh", "#!/bin/sh\necho $$ > \"$DOCUMENT_ROOT/drip.pid\"\n"
                           "printf 'Content-Type: text/plain\\n\\nfirst\\n'\nsleep 30\n"
                           "echo never\n");
    TestServer server(cgi_router(site));
    const auto open_descriptors = [] {
        return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator());
    };
    // The file server opens its change watch with its first file: open it first.
    EXPECT_EQ(status_line(get(server.port(), "/")), "HTTP/1.1 200 OK");
    const auto before = open_descriptors();
    {
        Client c(server.port());
        c.send("GET /cgi-bin/drip.sh HTTP/1.0\r\nHost: t\r\n\r\n");
        char buffer[4096];
        ASSERT_GT(c.receive(buffer, sizeof buffer), 0); // the head is there: now leave
    }
    const pid_t pid = pid_in(site.path("drip.pid"));
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(gone(pid, 5s)) << "the script kept running for nobody";
    EXPECT_EQ(status_line(get(server.port(), "/")), "HTTP/1.1 200 OK");
    // Its pipes, pidfd and socket are all closed again. (At most as many as before: over TLS
    // the warm-up request's connection may still have been lingering then.)
    for (int i = 0; i < 100 && open_descriptors() > before; ++i) std::this_thread::sleep_for(20ms);
    EXPECT_LE(open_descriptors(), before);
}

// A script that starts something in the background and exits: its answer ends when it
// does, even though the background child still holds the output pipe open.
TEST(Cgi, AScriptThatLeavesAChildBehindStillEnds) {
    Site site;
    site.script("daemon.sh", "#!/bin/sh\nsleep 30 &\necho $! > \"$DOCUMENT_ROOT/child.pid\"\n"
                             "printf 'Content-Type: text/plain\\n\\nbye\\n'\n");
    TestServer server(cgi_router(site));
    const auto start = std::chrono::steady_clock::now();
    const std::string r = get(server.port(), "/cgi-bin/daemon.sh");
    EXPECT_EQ(body_of(r), "bye\n");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s) << "waited for the background child";
    const pid_t child = pid_in(site.path("child.pid"));
    ASSERT_GT(child, 0);
    kill(child, SIGKILL); // not this test's concern beyond here
}

TEST(Cgi, BeyondTheBoundOnRunningScripts503) {
    Site site;
    site.script("wait.sh", "#!/bin/sh\necho $$ > \"$DOCUMENT_ROOT/wait.pid\"\nsleep 2\n"
                           "printf 'Content-Type: text/plain\\n\\ndone\\n'\n");
    CgiOptions options;
    options.max_running = 1;
    TestServer server(cgi_router(site, options));
    Client first(server.port(), 10000);
    first.send("GET /cgi-bin/wait.sh HTTP/1.0\r\nHost: t\r\n\r\n");
    ASSERT_GT(pid_in(site.path("wait.pid")), 0);
    const std::string r = get(server.port(), "/cgi-bin/wait.sh");
    EXPECT_EQ(status_line(r), "HTTP/1.1 503 Service Unavailable");
    EXPECT_TRUE(has_header(r, "Retry-After: 1"));
    EXPECT_EQ(body_of(first.read_to_close()), "done\n");
}

TEST(Cgi, StderrGoesToTheLogBounded) {
    Site site;
    site.script("noisy.sh",
                "#!/bin/sh\nhead -c 2000000 /dev/zero | tr '\\0' 'e' | fold -w 100 >&2\n"
                "printf 'Content-Type: text/plain\\n\\nquiet\\n'\n");
    std::FILE* log = std::tmpfile();
    ASSERT_NE(log, nullptr);
    CgiOptions options;
    options.max_stderr = 10000;
    Router router = cgi_router(site, options);
    // cgi_router turns logging off: build this one with the log on.
    options.root = site.root();
    options.log = log;
    Router logged;
    logged.mount("/", cgi_handler(options), {.stream_body = true});
    TestServer server(std::move(logged));
    EXPECT_EQ(body_of(get(server.port(), "/cgi-bin/noisy.sh")), "quiet\n");
    std::fflush(log);
    const long size = std::ftell(log);
    EXPECT_GT(size, 5000);
    EXPECT_LT(size, 20000) << "2 MB of stderr reached the log";
    std::fclose(log);
}

} // namespace
} // namespace pier::test
