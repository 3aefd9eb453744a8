// Writes to the file server (StaticFilesOptions::upload) over real sockets: PUT, browser
// forms, DELETE, their preconditions and confinement, and what a failure leaves behind.
#include "handlers/form_upload.hpp"
#include "handlers/upload_file.hpp"
#include "test_server.hpp"

#include <pier/router.hpp>
#include <pier/static_files.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/resource.h>
#include <thread>
#include <vector>

namespace pier::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Upload temporaries under `dir`: named ones, and the unnamed (O_TMPFILE) files this process
// — the test server runs in it — holds open there.
std::vector<std::string> open_temporaries(const std::string& dir) {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        const std::string target = fs::read_symlink(e.path(), ec).string();
        if (!ec && target.starts_with(dir + "/#")) found.push_back(target);
    }
    return found;
}

// Names in `dir` that are upload temporaries.
std::vector<std::string> temporaries(const std::string& dir) {
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (handlers::is_upload_temporary(e.path().filename().string()))
            found.push_back(e.path().string());
    return found;
}

struct Uploads : ::testing::Test {
    std::string root;
    std::string outside;
    std::unique_ptr<TestServer> server;

    void SetUp() override {
        char tmpl[] = "/tmp/pier-uploads-XXXXXX";
        root = mkdtemp(tmpl);
        outside = root + "-outside";
        fs::create_directories(root + "/dir/sub");
        fs::create_directories(root + "/empty");
        fs::create_directories(root + "/cgi-bin");
        fs::create_directories(outside);
        std::ofstream(root + "/old.txt") << "old\n";
        std::ofstream(root + "/dir/sub/f.txt") << "f\n";
        fs::create_directory_symlink(outside, root + "/out");
    }
    void TearDown() override {
        server.reset();
        fs::remove_all(root);
        fs::remove_all(outside);
    }
    void start(StaticFilesOptions o = {}, ServerConfig config = TestServer::quiet_config()) {
        o.root = root;
        o.upload = true;
        if (o.read_only.empty()) o.read_only = {"/cgi-bin"};
        Router r;
        r.mount("/", static_files(o), {.stream_body = true});
        server = std::make_unique<TestServer>(std::move(r), config);
    }
    std::string request(const std::string& head, const std::string& body = {}) {
        Client c(server->port());
        c.send(head + body);
        return c.read_response();
    }
    std::string put(const std::string& path, const std::string& body,
                    const std::string& extra = {}) {
        return request("PUT " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n" + extra + "\r\n",
                       body);
    }
};

TEST_F(Uploads, PutCreatesThenReplaces) {
    start();
    std::string r = put("/new.txt", "first");
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
    EXPECT_EQ(header_value(r, "Location"), "/new.txt");
    EXPECT_FALSE(header_value(r, "ETag").empty());
    EXPECT_EQ(read_file(root + "/new.txt"), "first");
    r = put("/new.txt", "second");
    EXPECT_EQ(status_line(r), "HTTP/1.1 204 No Content");
    EXPECT_EQ(read_file(root + "/new.txt"), "second");
    // What PUT says the ETag is, GET agrees with.
    const std::string etag = header_value(r, "ETag");
    Client c(server->port());
    c.send("GET /new.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string got = c.read_response();
    EXPECT_EQ(body_of(got), "second");
    EXPECT_EQ(header_value(got, "ETag"), etag);
    EXPECT_TRUE(temporaries(root).empty());
}

TEST_F(Uploads, PutStreamsAChunkedBodyAndAnEncodedName) {
    start();
    const std::string r = request("PUT /dir/a%20b.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
                                  "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
    EXPECT_EQ(header_value(r, "Location"), "/dir/a%20b.txt");
    EXPECT_EQ(read_file(root + "/dir/a b.txt"), "abcde");
}

TEST_F(Uploads, PutOfAnEmptyBody) {
    start();
    EXPECT_EQ(status_line(put("/empty.txt", "")), "HTTP/1.1 201 Created");
    EXPECT_TRUE(fs::exists(root + "/empty.txt"));
    EXPECT_EQ(fs::file_size(root + "/empty.txt"), 0u);
}

TEST_F(Uploads, PreconditionsAreCheckedBeforeAnythingIsWritten) {
    start();
    // Never overwrite.
    EXPECT_EQ(status_line(put("/old.txt", "x", "If-None-Match: *\r\n")),
              "HTTP/1.1 412 Precondition Failed");
    EXPECT_EQ(read_file(root + "/old.txt"), "old\n");
    EXPECT_EQ(status_line(put("/fresh.txt", "x", "If-None-Match: *\r\n")), "HTTP/1.1 201 Created");
    // Replace only this version.
    EXPECT_EQ(status_line(put("/old.txt", "x", "If-Match: \"nope\"\r\n")),
              "HTTP/1.1 412 Precondition Failed");
    EXPECT_EQ(status_line(put("/absent.txt", "x", "If-Match: *\r\n")),
              "HTTP/1.1 412 Precondition Failed");
    EXPECT_FALSE(fs::exists(root + "/absent.txt"));
    Client c(server->port());
    c.send("HEAD /old.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string etag = header_value(c.read_response(Method::head), "ETag");
    EXPECT_EQ(status_line(put("/old.txt", "new", "If-Match: " + etag + "\r\n")),
              "HTTP/1.1 204 No Content");
    EXPECT_EQ(read_file(root + "/old.txt"), "new");
    // The old ETag no longer matches.
    EXPECT_EQ(status_line(put("/old.txt", "newer", "If-Match: " + etag + "\r\n")),
              "HTTP/1.1 412 Precondition Failed");
    EXPECT_TRUE(temporaries(root).empty());
}

TEST_F(Uploads, WhereAPutCannotGo) {
    start();
    EXPECT_EQ(status_line(put("/no/such/dir/x.txt", "x")), "HTTP/1.1 409 Conflict");
    EXPECT_EQ(status_line(put("/old.txt/x", "x")), "HTTP/1.1 409 Conflict");
    EXPECT_EQ(status_line(put("/dir", "x")), "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(status_line(put("/dir/", "x")), "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(status_line(put("/.env", "x")), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/dir/.hidden/x", "x")), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/.pier-upload-abc", "x")), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/cgi-bin/run.sh", "x")), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/%63gi-bin/run.sh", "x")), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/dir/../cgi-bin/run.sh", "x")), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/out/escape.txt", "x")), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/%2e%2e/escape.txt", "x")), "HTTP/1.1 201 Created"); // = /escape.txt
    EXPECT_TRUE(fs::exists(root + "/escape.txt"));
    EXPECT_EQ(status_line(put("/x%00y", "x")), "HTTP/1.1 400 Bad Request");
    EXPECT_EQ(status_line(put("/range.txt", "x", "Content-Range: bytes 0-0/10\r\n")),
              "HTTP/1.1 400 Bad Request");
    EXPECT_TRUE(fs::is_empty(outside));
    EXPECT_FALSE(fs::exists(root + "/cgi-bin/run.sh"));
    EXPECT_TRUE(temporaries(root).empty());
}

TEST_F(Uploads, WithFollowSymlinksWritesStillStayInside) {
    StaticFilesOptions o;
    o.follow_symlinks = true;
    start(o);
    EXPECT_EQ(status_line(put("/out/escape.txt", "x")), "HTTP/1.1 403 Forbidden");
    EXPECT_TRUE(fs::is_empty(outside));
}

TEST_F(Uploads, ACrossSitePageCannotWrite) {
    start();
    EXPECT_EQ(status_line(put("/a.txt", "x", "Origin: http://evil.example\r\n")),
              "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/a.txt", "x", "Sec-Fetch-Site: cross-site\r\n")),
              "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/a.txt", "x", "Sec-Fetch-Site: same-site\r\n")),
              "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(put("/a.txt", "x", "Origin: null\r\n")), "HTTP/1.1 403 Forbidden");
    EXPECT_FALSE(fs::exists(root + "/a.txt"));
    const std::string own = "Origin: http://t\r\n";
    EXPECT_EQ(status_line(put("/a.txt", "x", "Sec-Fetch-Site: same-origin\r\n")),
              "HTTP/1.1 201 Created");
    EXPECT_EQ(status_line(put("/b.txt", "x", tls_mode() ? "Origin: https://t\r\n" : own)),
              "HTTP/1.1 201 Created");
}

TEST_F(Uploads, DeleteNeedsToBeAllowed) {
    start();
    const std::string r = request("DELETE /old.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 405 Method Not Allowed");
    EXPECT_TRUE(fs::exists(root + "/old.txt"));
}

TEST_F(Uploads, DeleteFilesAndEmptyDirectories) {
    StaticFilesOptions o;
    o.allow_delete = true;
    start(o);
    auto del = [&](const std::string& path, const std::string& extra = {}) {
        return status_line(request("DELETE " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n"));
    };
    EXPECT_EQ(del("/old.txt", "If-Match: \"stale\"\r\n"), "HTTP/1.1 412 Precondition Failed");
    EXPECT_EQ(del("/old.txt"), "HTTP/1.1 204 No Content");
    EXPECT_FALSE(fs::exists(root + "/old.txt"));
    EXPECT_EQ(del("/old.txt"), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(del("/empty/"), "HTTP/1.1 204 No Content");
    EXPECT_EQ(del("/dir"), "HTTP/1.1 409 Conflict");
    EXPECT_TRUE(fs::exists(root + "/dir/sub/f.txt"));
    EXPECT_EQ(del("/"), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(del("/cgi-bin"), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(del("/out"), "HTTP/1.1 403 Forbidden");
    EXPECT_TRUE(fs::exists(outside));
}

TEST_F(Uploads, ADirectoryHoldingAReadOnlyPathIsNotDeleted) {
    StaticFilesOptions o;
    o.allow_delete = true;
    o.webdav = true; // where DELETE takes a directory's members too
    o.read_only = {"/dir/sub"};
    start(o);
    const std::string r = request("DELETE /dir HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 403 Forbidden");
    EXPECT_TRUE(fs::exists(root + "/dir/sub/f.txt"));
    EXPECT_EQ(status_line(request("DELETE /empty HTTP/1.1\r\nHost: t\r\n\r\n")),
              "HTTP/1.1 204 No Content");
}

TEST_F(Uploads, AClientThatLeavesMidUploadChangesNothing) {
    start();
    {
        Client c(server->port());
        c.send("PUT /old.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n");
        c.send(std::string(300000, 'x'));
        // Wait until the server has the temporary, then go.
        for (int i = 0; i < 200 && open_temporaries(root).empty(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        EXPECT_EQ(open_temporaries(root).size(), 1u);
    }
    for (int i = 0; i < 400 && !open_temporaries(root).empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_TRUE(open_temporaries(root).empty());
    EXPECT_TRUE(temporaries(root).empty());
    EXPECT_EQ(read_file(root + "/old.txt"), "old\n");
}

// Disk full, without root: a file-size limit makes write(2) fail (EFBIG) the way ENOSPC would.
TEST_F(Uploads, ADiskThatFillsUpAnswers507AndKeepsTheOldFile) {
    start();
    struct rlimit saved {};
    getrlimit(RLIMIT_FSIZE, &saved);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = saved;
    small.rlim_cur = 64 * 1024;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    const std::string r = put("/old.txt", std::string(200 * 1024, 'z'));
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, old_handler);
    EXPECT_EQ(status_line(r), "HTTP/1.1 507 Insufficient Storage");
    EXPECT_EQ(read_file(root + "/old.txt"), "old\n");
    EXPECT_TRUE(temporaries(root).empty());
}

TEST_F(Uploads, ConcurrentPutsOfOneFileLeaveOneWholeUpload) {
    start();
    constexpr int kWriters = 8;
    constexpr int kEach = 25;
    std::atomic<int> created_or_replaced{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
        writers.emplace_back([&, w] {
            for (int i = 0; i < kEach; ++i) {
                const std::string body(4096 + w * 100 + i, static_cast<char>('a' + w));
                const std::string s = status_line(put("/race.bin", body));
                if (s == "HTTP/1.1 201 Created" || s == "HTTP/1.1 204 No Content")
                    created_or_replaced.fetch_add(1);
            }
        });
    // Meanwhile a reader sees whole files only.
    for (int i = 0; i < 100; ++i) {
        const std::string content = read_file(root + "/race.bin");
        if (content.empty()) continue;
        EXPECT_EQ(content.find_first_not_of(content[0]), std::string::npos);
        const auto w = content[0] - 'a';
        EXPECT_GE(content.size(), 4096u + w * 100);
        EXPECT_LT(content.size(), 4096u + w * 100 + kEach);
    }
    for (auto& t : writers) t.join();
    EXPECT_EQ(created_or_replaced.load(), kWriters * kEach);
    EXPECT_TRUE(temporaries(root).empty());
}

TEST_F(Uploads, TheBodyLimitHoldsForUploadsAndNothingIsWritten) {
    ServerConfig config = TestServer::quiet_config();
    config.limits.max_body = 1000;
    start({}, config);
    // Known too large from its head: refused before anything is read or written.
    EXPECT_EQ(status_line(put("/old.txt", std::string(5000, 'x'))),
              "HTTP/1.1 413 Content Too Large");
    // Found too large as it arrives (chunked): the partial upload is dropped.
    const std::string chunk = "3e8\r\n" + std::string(1000, 'y') + "\r\n";
    const std::string r = request("PUT /old.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
                                  "chunked\r\n\r\n" +
                                  chunk + chunk + "0\r\n\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 413 Content Too Large");
    EXPECT_EQ(read_file(root + "/old.txt"), "old\n");
    for (int i = 0; i < 200 && !open_temporaries(root).empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_TRUE(open_temporaries(root).empty());
    EXPECT_TRUE(temporaries(root).empty());
}

// A thousand PUTs of one file at once, each on its own connection, while listings are
// read: the file is always one of the uploads, whole, and no listing shows a temporary.
TEST_F(Uploads, AThousandConcurrentPutsOfOneFile) {
    if (tls_mode()) GTEST_SKIP() << "raw sockets: plain HTTP only";
    start();
    constexpr int kUploads = 1000;
    std::vector<int> fds;
    for (int i = 0; i < kUploads; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(server->port());
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << i;
        fds.push_back(fd);
    }
    // Every upload is its number repeated: a torn file would mix two numbers.
    auto body_of_upload = [](int i) {
        const std::string n = std::to_string(i) + ",";
        std::string b;
        while (b.size() < 2000) b += n;
        return b;
    };
    for (int i = 0; i < kUploads; ++i) {
        const std::string b = body_of_upload(i);
        const std::string req = "PUT /race.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                "Content-Length: " +
                                std::to_string(b.size()) + "\r\n\r\n" + b;
        ASSERT_EQ(::send(fds[i], req.data(), req.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(req.size()));
        if (i % 100 == 0) {
            Client c(server->port());
            c.send("GET / HTTP/1.1\r\nHost: t\r\nAccept: application/json\r\n\r\n");
            EXPECT_EQ(c.read_response().find(".pier-upload"), std::string::npos);
        }
    }
    int stored = 0;
    for (const int fd : fds) {
        std::string answer;
        char buf[4096];
        ssize_t n;
        while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) answer.append(buf, static_cast<size_t>(n));
        close(fd);
        if (answer.starts_with("HTTP/1.1 201") || answer.starts_with("HTTP/1.1 204")) ++stored;
    }
    EXPECT_EQ(stored, kUploads);
    const std::string content = read_file(root + "/race.txt");
    const int first = std::stoi(content.substr(0, content.find(',')));
    EXPECT_EQ(content, body_of_upload(first));
    EXPECT_TRUE(temporaries(root).empty());
}

// What a file system without unnamed files leaves when the server is killed: a named
// temporary. The sweep removes it, and leaves alone one whose writer still holds its lock.
TEST(UploadTemporaries, OnlyThoseNobodyHoldsAreSweptAway) {
    char tmpl[] = "/tmp/pier-sweep-XXXXXX";
    const std::string root = mkdtemp(tmpl);
    fs::create_directories(root + "/a/b");
    const std::string stale = root + "/a/b/.pier-upload-stale1";
    const std::string live = root + "/a/.pier-upload-live1";
    std::ofstream(stale) << "partial";
    std::ofstream(live) << "still arriving";
    const int held = open(live.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_EQ(flock(held, LOCK_EX), 0);
    const auto old = fs::file_time_type::clock::now() - std::chrono::minutes(5);
    fs::last_write_time(stale, old);
    fs::last_write_time(live, old);
    EXPECT_EQ(handlers::remove_stale_uploads(root), 1u);
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_TRUE(fs::exists(live));
    close(held);
    EXPECT_EQ(handlers::remove_stale_uploads(root), 1u); // its writer gone now
    EXPECT_FALSE(fs::exists(live));
    fs::remove_all(root);
}

TEST(UploadTemporaries, AnUnnamedUploadLeavesNothingWhenDropped) {
    char tmpl[] = "/tmp/pier-unnamed-XXXXXX";
    const std::string root = mkdtemp(tmpl);
    {
        handlers::UploadFile f;
        ASSERT_TRUE(f.open(root, 0644));
        ASSERT_TRUE(f.write("abc"));
        EXPECT_TRUE(fs::is_empty(root)); // nothing has a name yet
    }
    EXPECT_TRUE(fs::is_empty(root));
    handlers::UploadFile g;
    ASSERT_TRUE(g.open(root, 0640));
    ASSERT_TRUE(g.write("xyz"));
    ASSERT_TRUE(g.commit(root + "/x.txt", false));
    EXPECT_EQ(read_file(root + "/x.txt"), "xyz");
    EXPECT_EQ(fs::status(root + "/x.txt").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    handlers::UploadFile h; // "create only" over an existing name: refused, kept for another
    ASSERT_TRUE(h.open(root, 0644));
    ASSERT_TRUE(h.write("second"));
    EXPECT_FALSE(h.commit(root + "/x.txt", false));
    EXPECT_EQ(errno, EEXIST);
    ASSERT_TRUE(h.commit(root + "/y.txt", false));
    EXPECT_EQ(read_file(root + "/y.txt"), "second");
    EXPECT_EQ(read_file(root + "/x.txt"), "xyz");
    fs::remove_all(root);
}

TEST_F(Uploads, TemporariesAreNeverServedOrListed) {
    StaticFilesOptions o;
    o.show_hidden = true;
    start(o);
    std::ofstream(root + "/.pier-upload-x1") << "secret partial";
    Client c(server->port());
    c.send("GET /.pier-upload-x1 HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 404 Not Found");
    c.send("GET / HTTP/1.1\r\nHost: t\r\nAccept: application/json\r\n\r\n");
    const std::string listing = c.read_response();
    EXPECT_EQ(listing.find(".pier-upload"), std::string::npos);
    EXPECT_NE(listing.find("old.txt"), std::string::npos);
}

// A browser's form: multipart/form-data posted to a directory.
std::string form_body(const std::string& boundary,
                      const std::vector<std::pair<std::string, std::string>>& files) {
    std::string body;
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n";
    for (const auto& [name, content] : files) {
        body += "--" + boundary +
                "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + name +
                "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    return body;
}

std::string post_form(Uploads& t, const std::string& path, const std::string& body,
                      const std::string& boundary, const std::string& extra = {}) {
    return t.request(
        "POST " + path +
            " HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=" + boundary +
            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n",
        body);
}

TEST_F(Uploads, AFormStoresItsFilesAndNumbersTakenNames) {
    start();
    const std::string b = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
    const std::string body = form_body(
        b, {{"old.txt", "replacement?"}, {"new.bin", std::string(100000, 'n')}, {"new.bin", "2"}});
    const std::string r = post_form(*this, "/", body, b);
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
    EXPECT_NE(body_of(r).find("\"name\":\"old (1).txt\""), std::string::npos) << body_of(r);
    EXPECT_NE(body_of(r).find("\"location\":\"/new%20(1).bin\""), std::string::npos) << body_of(r);
    EXPECT_EQ(read_file(root + "/old.txt"), "old\n");
    EXPECT_EQ(read_file(root + "/old (1).txt"), "replacement?");
    EXPECT_EQ(read_file(root + "/new.bin"), std::string(100000, 'n'));
    EXPECT_EQ(read_file(root + "/new (1).bin"), "2");
    EXPECT_TRUE(temporaries(root).empty());
}

TEST_F(Uploads, AFormFromAPageIsAnsweredWithTheListing) {
    StaticFilesOptions o;
    o.overwrite = true;
    start(o);
    const std::string b = "xyz";
    const std::string r = post_form(*this, "/dir/", form_body(b, {{"old.txt", "v2"}}), b,
                                    "Accept: text/html,*/*;q=0.8\r\nOrigin: http://t\r\n"
                                    "Sec-Fetch-Mode: navigate\r\nSec-Fetch-Site: same-origin\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 303 See Other");
    EXPECT_EQ(header_value(r, "Location"), "/dir/");
    EXPECT_EQ(read_file(root + "/dir/old.txt"), "v2");
    // Overwriting: the same name again replaces it.
    post_form(*this, "/dir/", form_body(b, {{"old.txt", "v3"}}), b);
    EXPECT_EQ(read_file(root + "/dir/old.txt"), "v3");
}

TEST_F(Uploads, FormFileNamesAreReducedToSafeBaseNames) {
    start();
    const std::string b = "bnd";
    struct Case {
        std::string sent, stored;
    };
    const Case cases[] = {{"../../escape.txt", "escape.txt"},
                          {"..\\\\..\\\\win.txt", "win.txt"},
                          {"C:\\\\Users\\\\me\\\\doc.txt", "doc.txt"},
                          {"/etc/passwd", "passwd"},
                          {"%2e%2e%2fpct.txt", "%2e%2e%2fpct.txt"}};
    for (const Case& c : cases) {
        const std::string r = post_form(*this, "/dir/sub/", form_body(b, {{c.sent, "x"}}), b);
        EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created") << c.sent;
        EXPECT_TRUE(fs::exists(root + "/dir/sub/" + c.stored)) << c.sent;
    }
    for (const std::string bad : {".env", "..", "a\x01.txt", "dot."}) {
        const std::string r = post_form(*this, "/dir/", form_body(b, {{bad, "x"}}), b);
        EXPECT_EQ(status_line(r), "HTTP/1.1 400 Bad Request") << bad;
    }
    EXPECT_FALSE(fs::exists(root + "/escape.txt"));
    EXPECT_FALSE(fs::exists(root + "/dir/.env"));
    EXPECT_TRUE(temporaries(root).empty());
}

TEST_F(Uploads, AMalformedOrTruncatedFormStoresNothing) {
    start();
    const std::string b = "bnd";
    std::string body = form_body(b, {{"one.txt", "1"}, {"two.txt", "2"}});
    body.resize(body.size() - 8); // no close delimiter
    EXPECT_EQ(status_line(post_form(*this, "/", body, b)), "HTTP/1.1 400 Bad Request");
    EXPECT_FALSE(fs::exists(root + "/one.txt"));
    // A boundary that never comes.
    const std::string endless = "--" + b +
                                "\r\nContent-Disposition: form-data; name=\"f\"; "
                                "filename=\"e.txt\"\r\n\r\n" +
                                std::string(200000, 'e');
    EXPECT_EQ(status_line(post_form(*this, "/", endless, b)), "HTTP/1.1 400 Bad Request");
    EXPECT_FALSE(fs::exists(root + "/e.txt"));
    // Not a form at all.
    EXPECT_EQ(status_line(request("POST / HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
                                  "Content-Length: 2\r\n\r\nhi")),
              "HTTP/1.1 415 Unsupported Media Type");
    // A part flood.
    std::string flood;
    for (int i = 0; i < 1100; ++i)
        flood += "--" + b + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
    flood += "--" + b + "--\r\n";
    EXPECT_EQ(status_line(post_form(*this, "/", flood, b)), "HTTP/1.1 400 Bad Request");
    EXPECT_EQ(status_line(post_form(*this, "/old.txt", form_body(b, {{"x", "1"}}), b)),
              "HTTP/1.1 405 Method Not Allowed");
    // A form with no body at all (no Content-Length either).
    EXPECT_EQ(status_line(request("POST / HTTP/1.1\r\nHost: t\r\nContent-Type: "
                                  "multipart/form-data; boundary=bnd\r\n\r\n")),
              "HTTP/1.1 400 Bad Request");
    // More files than one form may carry: nothing of it is stored.
    std::vector<std::pair<std::string, std::string>> many;
    for (std::size_t i = 0; i <= handlers::kMaxFormFiles; ++i)
        many.emplace_back("many" + std::to_string(i) + ".txt", "m");
    EXPECT_EQ(status_line(post_form(*this, "/", form_body(b, many), b)),
              "HTTP/1.1 413 Content Too Large");
    EXPECT_FALSE(fs::exists(root + "/many0.txt"));
    EXPECT_TRUE(temporaries(root).empty());
}

} // namespace
} // namespace pier::test
