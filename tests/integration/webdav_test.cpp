// WebDAV class 1 over real sockets (`pier serve --webdav`): OPTIONS, PROPFIND, PROPPATCH,
// MKCOL, COPY and MOVE — what each does, and what each refuses: hidden names, read-only
// paths, a Destination on another server, Depth: infinity, another site's page.
#include "test_server.hpp"
#include "webdav/dead_properties.hpp"
#include "webdav/xml_request.hpp"

#include <pier/router.hpp>
#include <pier/static_files.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/xattr.h>

namespace pier::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const webdav::PropertyName kColor{"urn:x-test:", "color"};

std::string propfind_of(const std::string& props) {
    return "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\" xmlns:t=\"urn:x-test:\">" + props +
           "</D:propfind>";
}

std::string proppatch_of(const std::string& instructions) {
    return "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\" xmlns:t=\"urn:x-test:\">" +
           instructions + "</D:propertyupdate>";
}

const std::string kSetColor = "<D:set><D:prop><t:color>blue</t:color></D:prop></D:set>";

struct Webdav : ::testing::Test {
    std::string root;
    std::string outside;
    std::unique_ptr<TestServer> server;

    void SetUp() override {
        char tmpl[] = "/tmp/pier-webdav-XXXXXX";
        root = mkdtemp(tmpl);
        outside = root + "-outside";
        fs::create_directories(root + "/dir/sub");
        fs::create_directories(root + "/.hidden");
        fs::create_directories(root + "/cgi-bin");
        fs::create_directories(outside);
        std::ofstream(root + "/a.txt") << "aaa\n";
        std::ofstream(root + "/dir/b c.txt") << "b\n";
        std::ofstream(root + "/dir/sub/f.txt") << "f\n";
        std::ofstream(root + "/dir/.env") << "SECRET=1\n";
        std::ofstream(root + "/dir/.pier-upload-abc123") << "half an upload";
        std::ofstream(outside + "/o.txt") << "outside\n";
        fs::create_directory_symlink(outside, root + "/dir/out");
        start();
    }
    void TearDown() override {
        server.reset();
        fs::remove_all(root);
        fs::remove_all(outside);
    }
    void start() {
        StaticFilesOptions o;
        o.root = root;
        o.upload = true;
        o.allow_delete = true;
        o.webdav = true;
        o.read_only = {"/cgi-bin"};
        Router r;
        r.mount("/", static_files(o), {.stream_body = true});
        ServerConfig config = TestServer::quiet_config();
        config.extension_methods = {"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE"};
        server = std::make_unique<TestServer>(std::move(r), std::move(config));
    }
    // Whether this file system keeps user extended attributes (dead properties need them).
    bool has_xattrs() const {
        const std::string probe = root + "/a.txt";
        if (setxattr(probe.c_str(), "user.pier-test", "1", 1, 0) != 0) return false;
        removexattr(probe.c_str(), "user.pier-test");
        return true;
    }
    std::string send(const std::string& method, const std::string& path,
                     const std::string& fields = {}, const std::string& body = {}) {
        std::string head = method + " " + path + " HTTP/1.1\r\nHost: t\r\n" + fields;
        if (!body.empty()) head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        Client c(server->port());
        c.send(head + "\r\n" + body);
        return c.read_response(method == "HEAD" ? Method::head : Method::get);
    }
    // The Destination field for `path` on this server (as the client reaches it: Host t).
    static std::string to(const std::string& path) {
        return std::string("Destination: ") + (tls_mode() ? "https" : "http") + "://t" + path +
               "\r\n";
    }
    std::string propfind(const std::string& path, const std::string& depth,
                         const std::string& body = {}) {
        return send("PROPFIND", path, depth.empty() ? "" : "Depth: " + depth + "\r\n", body);
    }
};

TEST_F(Webdav, OptionsSaysClassOneAndWhatIsAllowed) {
    const std::string r = send("OPTIONS", "/dir/");
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(header_value(r, "DAV"), "1");
    EXPECT_EQ(header_value(r, "MS-Author-Via"), "DAV");
    const std::string allow = header_value(r, "Allow");
    for (const char* m : {"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "PUT", "DELETE"})
        EXPECT_NE(allow.find(m), std::string::npos) << m;
}

TEST_F(Webdav, PropfindOfAFileGivesTheValidatorsGetSends) {
    const std::string r = propfind("/a.txt", "0");
    EXPECT_EQ(status_line(r), "HTTP/1.1 207 Multi-Status");
    EXPECT_EQ(header_value(r, "Content-Type"), "application/xml; charset=utf-8");
    const std::string body = body_of(r);
    EXPECT_TRUE(webdav::is_wellformed_xml(body)) << body;
    EXPECT_NE(body.find("<D:href>/a.txt</D:href>"), std::string::npos) << body;
    EXPECT_NE(body.find("<D:getcontentlength>4</D:getcontentlength>"), std::string::npos);
    EXPECT_NE(body.find("<D:resourcetype/>"), std::string::npos);
    const std::string etag = header_value(send("HEAD", "/a.txt"), "ETag");
    ASSERT_FALSE(etag.empty());
    std::string escaped; // the tag's quotes are escaped as character data
    for (char c : etag) escaped += c == '"' ? std::string("&quot;") : std::string(1, c);
    EXPECT_TRUE(body.find("<D:getetag>" + etag + "</D:getetag>") != std::string::npos ||
                body.find("<D:getetag>" + escaped + "</D:getetag>") != std::string::npos)
        << body;
}

TEST_F(Webdav, PropfindDepthOneListsWhatTheListingWould) {
    const std::string r = propfind("/dir/", "1");
    EXPECT_EQ(status_line(r), "HTTP/1.1 207 Multi-Status");
    const std::string body = body_of(r);
    EXPECT_TRUE(webdav::is_wellformed_xml(body)) << body;
    EXPECT_NE(body.find("<D:href>/dir/</D:href>"), std::string::npos) << body;
    EXPECT_NE(body.find("<D:href>/dir/b%20c.txt</D:href>"), std::string::npos) << body;
    EXPECT_NE(body.find("<D:href>/dir/sub/</D:href>"), std::string::npos) << body;
    EXPECT_NE(body.find("<D:collection"), std::string::npos);
    // Hidden names, an upload's temporary, a link out of the root: never listed.
    EXPECT_EQ(body.find(".env"), std::string::npos) << body;
    EXPECT_EQ(body.find("pier-upload"), std::string::npos) << body;
    EXPECT_EQ(body.find("/dir/out"), std::string::npos) << body;
    // Depth 0: the collection alone.
    EXPECT_EQ(body_of(propfind("/dir/", "0")).find("/dir/sub/"), std::string::npos);
}

TEST_F(Webdav, PropfindOfInfiniteDepthIsRefused) {
    for (const std::string depth : {"", "infinity"}) {
        const std::string r = propfind("/dir/", depth);
        EXPECT_EQ(status_line(r), "HTTP/1.1 403 Forbidden") << depth;
        EXPECT_NE(body_of(r).find("<D:error xmlns:D=\"DAV:\"><D:propfind-finite-depth/></D:error>"),
                  std::string::npos)
            << body_of(r);
    }
    EXPECT_EQ(status_line(propfind("/dir/", "2")), "HTTP/1.1 400 Bad Request");
}

TEST_F(Webdav, PropfindOfNamedPropertiesAndOfNames) {
    std::string body = body_of(propfind("/dir/", "0",
                                        propfind_of("<D:prop><D:getcontentlength/><D:displayname/>"
                                                    "<t:color/></D:prop>")));
    // A collection has no length; nobody set a color.
    EXPECT_NE(body.find("<D:displayname>dir</D:displayname>"), std::string::npos) << body;
    EXPECT_NE(body.find("HTTP/1.1 404 Not Found"), std::string::npos) << body;
    EXPECT_NE(body.find("<D:getcontentlength/>"), std::string::npos) << body;
    body = body_of(propfind("/a.txt", "0", propfind_of("<D:propname/>")));
    EXPECT_NE(body.find("<D:getcontentlength/>"), std::string::npos) << body;
    EXPECT_EQ(body.find("<D:getcontentlength>"), std::string::npos) << body;
}

TEST_F(Webdav, PropfindRefusals) {
    EXPECT_EQ(status_line(propfind("/.hidden/", "0")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(propfind("/dir/.env", "0")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(propfind("/dir/out/", "0")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(propfind("/nope", "0")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(propfind("/a.txt/", "0")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(propfind("/a.txt", "0", "<D:propfind xmlns:D=\"DAV:\">")),
              "HTTP/1.1 400 Bad Request");
    // The XML body is bounded: at the limit it is read (and found not to be XML); a length
    // past it is refused before the body is sent.
    const std::string at_limit(std::size_t{1} << 20, 'x');
    EXPECT_EQ(status_line(propfind("/a.txt", "0", at_limit)), "HTTP/1.1 400 Bad Request");
    {
        Client c(server->port());
        c.send("PROPFIND /a.txt HTTP/1.1\r\nHost: t\r\nDepth: 0\r\nContent-Length: " +
               std::to_string(at_limit.size() + 1) + "\r\n\r\n");
        EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 413 Content Too Large");
    }
    // Chunked, the limit is counted as it comes.
    Client c(server->port());
    std::string chunked = "PROPFIND /a.txt HTTP/1.1\r\nHost: t\r\nDepth: 0\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) chunked += "80000\r\n" + std::string(0x80000, ' ') + "\r\n";
    c.send(chunked + "0\r\n\r\n");
    EXPECT_EQ(status_line(c.read_response()), "HTTP/1.1 413 Content Too Large");
}

TEST_F(Webdav, ProppatchSetsAndRemovesDeadProperties) {
    if (!has_xattrs()) GTEST_SKIP() << "no user extended attributes here";
    std::string r = send("PROPPATCH", "/a.txt", {}, proppatch_of(kSetColor));
    EXPECT_EQ(status_line(r), "HTTP/1.1 207 Multi-Status");
    EXPECT_NE(body_of(r).find("HTTP/1.1 200 OK"), std::string::npos) << body_of(r);
    auto stored = webdav::get_dead_property(root + "/a.txt", kColor);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->value_xml, "blue");
    const std::string body =
        body_of(propfind("/a.txt", "0", propfind_of("<D:prop><t:color/></D:prop>")));
    EXPECT_NE(body.find(">blue</"), std::string::npos) << body;
    // allprop has it too.
    EXPECT_NE(body_of(propfind("/a.txt", "0")).find(">blue</"), std::string::npos);

    r = send("PROPPATCH", "/a.txt", {},
             proppatch_of("<D:remove><D:prop><t:color/></D:prop></D:remove>"));
    EXPECT_EQ(status_line(r), "HTTP/1.1 207 Multi-Status");
    EXPECT_FALSE(webdav::get_dead_property(root + "/a.txt", kColor));
}

TEST_F(Webdav, ProppatchIsAllOrNothing) {
    if (!has_xattrs()) GTEST_SKIP() << "no user extended attributes here";
    const std::string r =
        send("PROPPATCH", "/a.txt", {},
             proppatch_of(kSetColor + "<D:set><D:prop><D:getetag>x</D:getetag></D:prop></D:set>"));
    EXPECT_EQ(status_line(r), "HTTP/1.1 207 Multi-Status");
    const std::string body = body_of(r);
    EXPECT_NE(body.find("HTTP/1.1 403 Forbidden"), std::string::npos) << body;
    EXPECT_NE(body.find("cannot-modify-protected-property"), std::string::npos) << body;
    EXPECT_NE(body.find("HTTP/1.1 424 Failed Dependency"), std::string::npos) << body;
    EXPECT_FALSE(webdav::get_dead_property(root + "/a.txt", kColor)); // nothing applied
}

TEST_F(Webdav, ProppatchRefusals) {
    EXPECT_EQ(status_line(send("PROPPATCH", "/nope", {}, proppatch_of(kSetColor))),
              "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(send("PROPPATCH", "/.hidden/", {}, proppatch_of(kSetColor))),
              "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(send("PROPPATCH", "/cgi-bin/", {}, proppatch_of(kSetColor))),
              "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(send("PROPPATCH", "/a.txt", {}, "<nope/>")), "HTTP/1.1 400 Bad Request");
    EXPECT_EQ(status_line(
                  send("PROPPATCH", "/a.txt", "If-Match: \"other\"\r\n", proppatch_of(kSetColor))),
              "HTTP/1.1 412 Precondition Failed");
}

TEST_F(Webdav, MkcolMakesACollectionOnce) {
    std::string r = send("MKCOL", "/new/");
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
    EXPECT_EQ(header_value(r, "Location"), "/new/");
    EXPECT_TRUE(fs::is_directory(root + "/new"));
    EXPECT_EQ(status_line(send("MKCOL", "/new/")), "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(status_line(send("MKCOL", "/a.txt")), "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(status_line(send("MKCOL", "/no/such/")), "HTTP/1.1 409 Conflict");
    EXPECT_EQ(status_line(send("MKCOL", "/a.txt/x/")), "HTTP/1.1 409 Conflict");
    r = send("MKCOL", "/withbody/", "Content-Type: text/xml\r\n", "<x/>");
    EXPECT_EQ(status_line(r), "HTTP/1.1 415 Unsupported Media Type");
    EXPECT_FALSE(fs::exists(root + "/withbody"));
    EXPECT_EQ(status_line(send("MKCOL", "/.git/")), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(send("MKCOL", "/cgi-bin/x/")), "HTTP/1.1 403 Forbidden");
    EXPECT_FALSE(fs::exists(root + "/.git"));
    EXPECT_FALSE(fs::exists(root + "/cgi-bin/x"));
}

TEST_F(Webdav, CopyOfAFileWithItsDeadProperties) {
    const bool xattrs = has_xattrs();
    if (xattrs) {
        ASSERT_FALSE(webdav::set_dead_property(root + "/a.txt", {kColor, "red", ""}));
    }
    std::string r = send("COPY", "/a.txt", to("/copy.txt"));
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
    EXPECT_EQ(header_value(r, "Location"), "/copy.txt");
    EXPECT_EQ(read_file(root + "/copy.txt"), "aaa\n");
    EXPECT_EQ(read_file(root + "/a.txt"), "aaa\n");
    if (xattrs) {
        auto copied = webdav::get_dead_property(root + "/copy.txt", kColor);
        ASSERT_TRUE(copied);
        EXPECT_EQ(copied->value_xml, "red");
    }
    // Overwrite: F keeps what is there; T (the default) replaces it.
    std::ofstream(root + "/copy.txt") << "changed";
    EXPECT_EQ(status_line(send("COPY", "/a.txt", to("/copy.txt") + "Overwrite: F\r\n")),
              "HTTP/1.1 412 Precondition Failed");
    EXPECT_EQ(read_file(root + "/copy.txt"), "changed");
    EXPECT_EQ(status_line(send("COPY", "/a.txt", to("/copy.txt") + "Overwrite: T\r\n")),
              "HTTP/1.1 204 No Content");
    EXPECT_EQ(read_file(root + "/copy.txt"), "aaa\n");
    // An encoded Destination names the decoded file.
    EXPECT_EQ(status_line(send("COPY", "/a.txt", to("/dir/x%20y.txt"))), "HTTP/1.1 201 Created");
    EXPECT_EQ(read_file(root + "/dir/x y.txt"), "aaa\n");
    // As an absolute path too.
    EXPECT_EQ(status_line(send("COPY", "/a.txt", "Destination: /p.txt\r\n")),
              "HTTP/1.1 201 Created");
}

TEST_F(Webdav, CopyOfACollectionAtEachDepth) {
    std::string r = send("COPY", "/dir/", to("/deep/"));
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
    EXPECT_EQ(read_file(root + "/deep/sub/f.txt"), "f\n");
    EXPECT_EQ(read_file(root + "/deep/b c.txt"), "b\n");
    EXPECT_TRUE(fs::is_symlink(root + "/deep/out")); // a link stays a link
    EXPECT_FALSE(fs::exists(root + "/deep/.pier-upload-abc123"));
    r = send("COPY", "/dir/", to("/shallow/") + "Depth: 0\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
    EXPECT_TRUE(fs::is_directory(root + "/shallow"));
    EXPECT_TRUE(fs::is_empty(root + "/shallow"));
    EXPECT_EQ(status_line(send("COPY", "/dir/", to("/one/") + "Depth: 1\r\n")),
              "HTTP/1.1 400 Bad Request");
    // Over an existing collection: it is replaced, not merged.
    std::ofstream(root + "/shallow/stale.txt") << "x";
    EXPECT_EQ(status_line(send("COPY", "/dir/", to("/shallow/"))), "HTTP/1.1 204 No Content");
    EXPECT_FALSE(fs::exists(root + "/shallow/stale.txt"));
    EXPECT_TRUE(fs::exists(root + "/shallow/sub/f.txt"));
}

TEST_F(Webdav, CopyAndMoveRefusals) {
    for (const std::string method : {"COPY", "MOVE"}) {
        SCOPED_TRACE(method);
        EXPECT_EQ(status_line(send(method, "/a.txt", to("/a.txt"))), "HTTP/1.1 403 Forbidden");
        EXPECT_EQ(status_line(send(method, "/dir/", to("/dir/sub/inside/"))),
                  "HTTP/1.1 403 Forbidden");
        EXPECT_EQ(status_line(send(method, "/a.txt", to("/no/such/a.txt"))),
                  "HTTP/1.1 409 Conflict");
        EXPECT_EQ(status_line(send(method, "/nope", to("/x"))), "HTTP/1.1 404 Not Found");
        EXPECT_EQ(status_line(send(method, "/a.txt")), "HTTP/1.1 400 Bad Request");
        EXPECT_EQ(status_line(send(method, "/a.txt", "Destination: http://other.example/x\r\n")),
                  "HTTP/1.1 502 Bad Gateway");
        EXPECT_EQ(status_line(send(method, "/a.txt", to("/.hidden/a.txt"))),
                  "HTTP/1.1 403 Forbidden");
        EXPECT_EQ(status_line(send(method, "/a.txt", to("/cgi-bin/a.txt"))),
                  "HTTP/1.1 403 Forbidden");
        EXPECT_EQ(status_line(send(method, "/a.txt", to("/dir/out/a.txt"))),
                  "HTTP/1.1 403 Forbidden");
        EXPECT_EQ(status_line(send(method, "/.hidden/", to("/visible/"))),
                  "HTTP/1.1 403 Forbidden");
        EXPECT_EQ(status_line(send(method, "/a.txt", to("/z.txt") + "Overwrite: maybe\r\n")),
                  "HTTP/1.1 400 Bad Request");
        EXPECT_EQ(status_line(send(method, "/a.txt", to("/z.txt") + "If-Match: \"old\"\r\n")),
                  "HTTP/1.1 412 Precondition Failed");
        EXPECT_EQ(
            status_line(send(method, "/a.txt", to("/z.txt") + "Origin: http://evil.example\r\n")),
            "HTTP/1.1 403 Forbidden");
    }
    EXPECT_EQ(status_line(send("MOVE", "/cgi-bin/", to("/elsewhere/"))), "HTTP/1.1 403 Forbidden");
    EXPECT_FALSE(fs::exists(root + "/dir/sub/inside"));
    EXPECT_FALSE(fs::exists(root + "/z.txt"));
    EXPECT_FALSE(fs::exists(root + "/visible"));
    EXPECT_FALSE(fs::exists(root + "/cgi-bin/a.txt"));
    EXPECT_FALSE(fs::exists(outside + "/a.txt"));
    EXPECT_TRUE(fs::exists(root + "/a.txt"));
    EXPECT_TRUE(fs::exists(root + "/cgi-bin"));
}

TEST_F(Webdav, MoveRenamesAndCarriesDeadProperties) {
    const bool xattrs = has_xattrs();
    if (xattrs) {
        ASSERT_FALSE(webdav::set_dead_property(root + "/a.txt", {kColor, "green", ""}));
    }
    std::string r = send("MOVE", "/a.txt", to("/dir/moved.txt"));
    EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
    EXPECT_FALSE(fs::exists(root + "/a.txt"));
    EXPECT_EQ(read_file(root + "/dir/moved.txt"), "aaa\n");
    if (xattrs) {
        EXPECT_TRUE(webdav::get_dead_property(root + "/dir/moved.txt", kColor));
    }
    // Onto an existing file: F refuses, T replaces.
    std::ofstream(root + "/other.txt") << "other";
    EXPECT_EQ(status_line(send("MOVE", "/other.txt", to("/dir/moved.txt") + "Overwrite: F\r\n")),
              "HTTP/1.1 412 Precondition Failed");
    EXPECT_EQ(status_line(send("MOVE", "/other.txt", to("/dir/moved.txt"))),
              "HTTP/1.1 204 No Content");
    EXPECT_EQ(read_file(root + "/dir/moved.txt"), "other");
    // A collection goes whole, over an existing one.
    fs::create_directories(root + "/target/old");
    r = send("MOVE", "/dir/", to("/target/"));
    EXPECT_EQ(status_line(r), "HTTP/1.1 204 No Content");
    EXPECT_FALSE(fs::exists(root + "/dir"));
    EXPECT_FALSE(fs::exists(root + "/target/old"));
    EXPECT_EQ(read_file(root + "/target/sub/f.txt"), "f\n");
    EXPECT_EQ(read_file(root + "/target/.env"), "SECRET=1\n"); // what it holds, all of it
}

TEST_F(Webdav, AnotherSitesPageCannotChangeAnything) {
    const std::string cross = "Sec-Fetch-Site: cross-site\r\n";
    EXPECT_EQ(status_line(send("MKCOL", "/evil/", cross)), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(send("PROPPATCH", "/a.txt", cross, proppatch_of(kSetColor))),
              "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(send("MOVE", "/a.txt", cross + to("/b.txt"))), "HTTP/1.1 403 Forbidden");
    EXPECT_FALSE(fs::exists(root + "/evil"));
    EXPECT_TRUE(fs::exists(root + "/a.txt"));
    // Reading is not changing: PROPFIND is answered.
    EXPECT_EQ(status_line(send("PROPFIND", "/a.txt", cross + "Depth: 0\r\n")),
              "HTTP/1.1 207 Multi-Status");
}

} // namespace
} // namespace pier::test
