// The static file handler over real sockets: mapping, confinement, listing, conditionals.
#include "test_server.hpp"

#include <pier/date.hpp>
#include <pier/router.hpp>
#include <pier/static_files.hpp>
#include <pier/uri.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>

namespace pier::test {
namespace {

namespace fs = std::filesystem;

class Site {
  public:
    Site() {
        char tmpl[] = "/tmp/pier-site-XXXXXX";
        root_ = mkdtemp(tmpl);
        outside_ = root_ + "-outside";
        fs::create_directories(root_ + "/sub");
        fs::create_directories(root_ + "/empty");
        fs::create_directories(root_ + "/.git");
        fs::create_directories(outside_);
        write("hello.txt", "hello\n");
        write("sub/index.html", "<h1>sub</h1>\n");
        write(".env", "SECRET=1\n");
        write(".git/config", "[core]\n");
        write("<img src=x onerror=alert(1)>.txt", "x");
        write("a b&c.txt", "y");
        big_ = std::string(200 * 1024, 'b');
        write("big.bin", big_);
        std::ofstream(outside_ + "/secret.txt") << "outside\n";
        fs::create_symlink(outside_ + "/secret.txt", root_ + "/escape.txt");
        fs::create_symlink(root_ + "/hello.txt", root_ + "/inside-link.txt");
    }
    ~Site() {
        fs::remove_all(root_);
        fs::remove_all(outside_);
    }
    void write(const std::string& rel, const std::string& content) {
        std::ofstream(root_ + "/" + rel, std::ios::binary) << content;
    }
    const std::string& root() const { return root_; }
    const std::string& big() const { return big_; }

  private:
    std::string root_, outside_, big_;
};

std::string get(std::uint16_t port, std::string_view target, std::string_view extra = "",
                Method m = Method::get) {
    Client c(port);
    const std::string method = m == Method::head ? "HEAD" : "GET";
    c.send(method + " " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) +
           "\r\n");
    return c.read_response(m);
}

struct StaticFiles : ::testing::Test {
    Site site;
    StaticFilesOptions options() {
        StaticFilesOptions o;
        o.root = site.root();
        return o;
    }
};

TEST_F(StaticFiles, FilesWithTypeValidatorsAndCaching) {
    TestServer server(static_files(options()));
    const std::string r = get(server.port(), "/hello.txt");
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(r), "hello\n");
    EXPECT_EQ(header_value(r, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(header_value(r, "Cache-Control"), "no-cache");
    EXPECT_FALSE(header_value(r, "ETag").empty());
    EXPECT_TRUE(parse_http_date(header_value(r, "Last-Modified")));
    const std::string head = get(server.port(), "/hello.txt", "", Method::head);
    EXPECT_EQ(header_value(head, "ETag"), header_value(r, "ETag"));
    EXPECT_EQ(header_value(head, "Content-Length"), "6");
    EXPECT_EQ(body_of(head), "");
    const std::string big = get(server.port(), "/big.bin"); // over the sendfile threshold
    EXPECT_EQ(header_value(big, "Content-Type"), "application/octet-stream");
    EXPECT_TRUE(body_of(big) == site.big());
}

TEST_F(StaticFiles, DirectoriesRedirectServeIndexOrList) {
    TestServer server(static_files(options()));
    const std::string redirect = get(server.port(), "/sub?x=1");
    EXPECT_EQ(status_line(redirect), "HTTP/1.1 301 Moved Permanently");
    EXPECT_EQ(header_value(redirect, "Location"), "/sub/?x=1");
    EXPECT_EQ(body_of(get(server.port(), "/sub/")), "<h1>sub</h1>\n");
    // Python's gh-87389: "//sub" must not redirect to the scheme-relative "//sub/".
    EXPECT_EQ(header_value(get(server.port(), "//sub"), "Location"), "/sub/");
    // A raw UTF-8 target is accepted, and its redirect carries it escaped (the Location is the
    // resolved path encoded again: see SlashRedirectNeverNamesAnotherHost).
    fs::create_directories(site.root() + "/caf\xc3\xa9 %");
    EXPECT_EQ(header_value(get(server.port(), "/caf\xc3\xa9%20%25"), "Location"),
              "/caf%C3%A9%20%25/");
    const std::string listing = get(server.port(), "/");
    EXPECT_EQ(status_line(listing), "HTTP/1.1 200 OK");
    EXPECT_EQ(header_value(listing, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(listing.find("<img src=x"), std::string::npos); // shown, never run
    EXPECT_NE(listing.find("&lt;img src=x onerror=alert(1)&gt;.txt"), std::string::npos);
    EXPECT_NE(listing.find("href=\"./%3Cimg%20src=x%20onerror=alert(1)%3E.txt\""),
              std::string::npos);
    EXPECT_NE(listing.find("href=\"./a%20b&amp;c.txt\""), std::string::npos);
    EXPECT_EQ(listing.find(".env"), std::string::npos);
    EXPECT_EQ(listing.find(".git"), std::string::npos);
    EXPECT_LT(listing.find(">empty/<"), listing.find(">hello.txt<")); // directories first
    // The listed awkward name is fetchable through its link.
    EXPECT_EQ(body_of(get(server.port(), "/%3Cimg%20src=x%20onerror=alert(1)%3E.txt")), "x");
    EXPECT_EQ(body_of(get(server.port(), "/a%20b&c.txt")), "y");
}

// A browser reads a Location starting with "//" or "/\" as another host: WHATWG URL treats
// '\' as '/' in http(s) URLs, so "/\evil.example/../" is "http://evil.example/" — an open
// redirect. The slash redirect must name a path on this host whichever way a client reads it:
// one '/' then neither '/' nor '\', no raw '\' anywhere, and no leading "//" once decoded.
void expect_stays_on_this_host(std::string_view target, const std::string& location) {
    ASSERT_FALSE(location.empty()) << target;
    EXPECT_EQ(location.front(), '/') << target << " -> " << location;
    if (location.size() > 1) {
        EXPECT_NE(location[1], '/') << target << " -> " << location;
        EXPECT_NE(location[1], '\\') << target << " -> " << location;
    }
    EXPECT_EQ(location.find('\\'), std::string::npos) << target << " -> " << location;
    const auto decoded = percent_decode(location);
    ASSERT_TRUE(decoded) << target << " -> " << location;
    EXPECT_FALSE(decoded->starts_with("//")) << target << " -> " << location;
}

TEST_F(StaticFiles, SlashRedirectNeverNamesAnotherHost) {
    fs::create_directories(site.root() + "/dir");
    fs::create_directories(site.root() + "/evil.com");
    fs::create_directories(site.root() + "/\\evil.com"); // a name that starts with '\'
    TestServer server(static_files(options()));
    const struct {
        std::string_view target, location;
    } cases[] = {
        // A raw '\' after the first '/' (the reported case): the dot-segments make it a
        // directory, and the Location used to repeat it as it came.
        {"/\\example.com/%2e%2e/dir", "/dir/"},
        {"/\\evil.com/..", "/"},
        {"/\\evil.com/%2e%2e", "/"},
        {"/\\\\evil.com/..", "/"},
        {"//\\evil.com/..", "/"},        // "//" collapsed first, leaving "/\"
        {"http://t/\\evil.com/..", "/"}, // absolute-form has the same path
        // "//" and what decodes or resolves to it.
        {"//evil.com", "/evil.com/"},
        {"///evil.com", "/evil.com/"},
        {"/%2F%2Fevil.com", "/evil.com/"},
        {"/%2f/evil.com", "/evil.com/"},
        {"/%2F%5Cevil.com/..", "/"},
        {"/a/..//evil.com", "/evil.com/"},
        {"/%2e%2e//evil.com", "/evil.com/"},
        {"/.//evil.com/..", "/"},
        // An escaped '\'.
        {"/%5Cevil.com/..", "/"},
        {"/%5c/../evil.com", "/evil.com/"},
        // A directory whose name starts with '\' is still redirected to, escaped.
        {"/%5Cevil.com", "/%5Cevil.com/"},
        {"/\\evil.com", "/%5Cevil.com/"},
        // The query is kept, a '\' in it escaped too.
        {"/dir?\\evil.com", "/dir/?%5Cevil.com"},
    };
    for (const auto& c : cases) {
        const std::string r = get(server.port(), c.target);
        EXPECT_EQ(status_line(r), "HTTP/1.1 301 Moved Permanently") << c.target;
        const std::string location = header_value(r, "Location");
        EXPECT_EQ(location, c.location) << c.target;
        expect_stays_on_this_host(c.target, location);
        // And the redirect leads somewhere: the directory itself, not another redirect.
        EXPECT_EQ(status_line(get(server.port(), location)), "HTTP/1.1 200 OK") << location;
    }
}

TEST_F(StaticFiles, ListingAsJsonForScripts) {
    TestServer server(static_files(options()));
    const std::string r = get(server.port(), "/?sort=name", "Accept: application/json\r\n");
    EXPECT_EQ(header_value(r, "Content-Type"), "application/json");
    EXPECT_EQ(header_value(r, "Vary"), "Accept");
    const std::string body = body_of(r);
    EXPECT_EQ(body.rfind("{\"path\":\"/\",\"entries\":[{\"name\":\"empty\",\"href\":\"./empty/\","
                         "\"type\":\"directory\"",
                         0),
              0u)
        << body;
    EXPECT_NE(body.find("{\"name\":\"hello.txt\",\"href\":\"./hello.txt\",\"type\":\"file\","
                        "\"size\":6,\"modified\":\""),
              std::string::npos)
        << body;
    EXPECT_EQ(body.find(".env"), std::string::npos);
    EXPECT_NE(body.find("{\"name\":\"a b&c.txt\",\"href\":\"./a%20b&c.txt\""), std::string::npos)
        << body;
    // A browser's Accept gets the page.
    const std::string page =
        get(server.port(), "/", "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n");
    EXPECT_EQ(header_value(page, "Content-Type"), "text/html; charset=utf-8");
    // Media types are case-insensitive (RFC 9110 §8.3.1).
    EXPECT_EQ(header_value(get(server.port(), "/", "Accept: Application/JSON\r\n"), "Content-Type"),
              "application/json");
}

TEST_F(StaticFiles, ListingSortsThroughTheQuery) {
    TestServer server(static_files(options()));
    const std::string by_size = get(server.port(), "/?sort=size&order=desc");
    EXPECT_LT(by_size.find(">big.bin<"), by_size.find(">hello.txt<"));
    const std::string by_name = get(server.port(), "/?sort=name");
    EXPECT_LT(by_name.find(">big.bin<"), by_name.find(">hello.txt<"));
    const std::string reversed = get(server.port(), "/?sort=name&order=desc");
    EXPECT_GT(reversed.find(">big.bin<"), reversed.find(">hello.txt<"));
}

TEST_F(StaticFiles, TraversalNeverLeavesTheRoot) {
    TestServer server(static_files(options()));
    for (std::string_view target :
         {"/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
          "/%2e%2e%2f%2e%2e%2fetc/passwd", "/sub/..%2f..%2f..%2fetc%2fpasswd",
          "/..%5c..%5cetc%5cpasswd", "/%252e%252e/etc/passwd", "/escape.txt",
          "/sub/../../etc/passwd"}) {
        const std::string r = get(server.port(), target);
        EXPECT_EQ(r.find("root:"), std::string::npos) << target;
        EXPECT_EQ(r.find("outside"), std::string::npos) << target;
        EXPECT_NE(status_line(r), "HTTP/1.1 200 OK") << target;
    }
    EXPECT_EQ(status_line(get(server.port(), "/hello.txt%00.html")), "HTTP/1.1 400 Bad Request");
    EXPECT_EQ(status_line(get(server.port(), "/hello.txt/")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(body_of(get(server.port(), "/inside-link.txt")), "hello\n"); // links inside are fine
}

TEST_F(StaticFiles, HiddenFilesAndSymlinksAreOptIn) {
    {
        TestServer server(static_files(options()));
        EXPECT_EQ(status_line(get(server.port(), "/.env")), "HTTP/1.1 404 Not Found");
        EXPECT_EQ(status_line(get(server.port(), "/.git/config")), "HTTP/1.1 404 Not Found");
        EXPECT_EQ(status_line(get(server.port(), "/%2eenv")), "HTTP/1.1 404 Not Found");
    }
    StaticFilesOptions o = options();
    o.show_hidden = true;
    o.follow_symlinks = true;
    TestServer server(static_files(o));
    EXPECT_EQ(body_of(get(server.port(), "/.env")), "SECRET=1\n");
    EXPECT_EQ(body_of(get(server.port(), "/escape.txt")), "outside\n");
    EXPECT_NE(get(server.port(), "/").find(".git/"), std::string::npos);
}

// A link inside the root that leads to a hidden name reveals it no more than the name does,
// with --follow-symlinks too; --hidden serves it. Listings leave out the links a request would
// be refused for (with their target's size and date), and keep the ones it would be served.
TEST_F(StaticFiles, LinksToHiddenNamesAreHiddenToo) {
    fs::create_directories(site.root() + "/a");
    fs::create_symlink("../.git/config", site.root() + "/a/cfglink");
    fs::create_directory_symlink(".git", site.root() + "/gitlink");
    for (const bool follow : {false, true}) {
        StaticFilesOptions o = options();
        o.follow_symlinks = follow;
        TestServer server(static_files(o));
        for (const char* target : {"/a/cfglink", "/gitlink/config", "/gitlink/"})
            EXPECT_EQ(status_line(get(server.port(), target)), "HTTP/1.1 404 Not Found")
                << target << " follow=" << follow;
        const std::string listing = body_of(get(server.port(), "/"));
        EXPECT_EQ(listing.find("gitlink"), std::string::npos) << follow;
        EXPECT_NE(listing.find("inside-link.txt"), std::string::npos) << follow;
        EXPECT_EQ(listing.find("escape.txt") != std::string::npos, follow);
        EXPECT_EQ(body_of(get(server.port(), "/a/")).find("cfglink"), std::string::npos);
    }
    StaticFilesOptions o = options();
    o.show_hidden = true;
    TestServer server(static_files(o));
    EXPECT_EQ(body_of(get(server.port(), "/a/cfglink")), "[core]\n");
    EXPECT_EQ(body_of(get(server.port(), "/gitlink/config")), "[core]\n");
}

TEST_F(StaticFiles, ConditionalRequestsInRfc9110Order) {
    TestServer server(static_files(options()));
    const std::string first = get(server.port(), "/hello.txt");
    const std::string etag = header_value(first, "ETag");
    const auto modified = *parse_http_date(header_value(first, "Last-Modified"));
    const std::string imf = format_http_date(modified);
    auto status = [&](const std::string& fields) {
        return status_line(get(server.port(), "/hello.txt", fields));
    };
    EXPECT_EQ(status("If-None-Match: " + etag + "\r\n"), "HTTP/1.1 304 Not Modified");
    EXPECT_EQ(status("If-None-Match: \"other\", W/" + etag + "\r\n"), "HTTP/1.1 304 Not Modified");
    EXPECT_EQ(status("If-None-Match: \"other\"\r\n"), "HTTP/1.1 200 OK");
    EXPECT_EQ(status("If-Modified-Since: " + imf + "\r\n"), "HTTP/1.1 304 Not Modified");
    // The same instant in the two obsolete formats.
    const std::string rfc850 = "Wednesday, " + imf.substr(5, 2) + "-" + imf.substr(8, 3) + "-" +
                               imf.substr(14, 2) + " " + imf.substr(17, 8) + " GMT";
    EXPECT_EQ(status("If-Modified-Since: " + rfc850 + "\r\n"), "HTTP/1.1 304 Not Modified")
        << rfc850;
    // If-None-Match wins over If-Modified-Since.
    EXPECT_EQ(status("If-None-Match: \"other\"\r\nIf-Modified-Since: " + imf + "\r\n"),
              "HTTP/1.1 200 OK");
    EXPECT_EQ(
        status("If-Modified-Since: " + format_http_date(modified - std::chrono::hours(1)) + "\r\n"),
        "HTTP/1.1 200 OK");
    // Invalid and future dates are ignored.
    EXPECT_EQ(status("If-Modified-Since: yesterday\r\n"), "HTTP/1.1 200 OK");
    EXPECT_EQ(status("If-Modified-Since: Fri, 31 Dec 9999 23:59:59 GMT\r\n"), "HTTP/1.1 200 OK");
    EXPECT_EQ(status("If-Match: \"other\"\r\n"), "HTTP/1.1 412 Precondition Failed");
    EXPECT_EQ(status("If-Match: " + etag + "\r\n"), "HTTP/1.1 200 OK");
    EXPECT_EQ(status("If-Match: *\r\n"), "HTTP/1.1 200 OK");
    EXPECT_EQ(status("If-Match: garbled\r\n"), "HTTP/1.1 412 Precondition Failed");
    EXPECT_EQ(status("If-None-Match: garbled\r\n"), "HTTP/1.1 200 OK"); // matches nothing
    EXPECT_EQ(status("If-Unmodified-Since: " + format_http_date(modified - std::chrono::hours(1)) +
                     "\r\n"),
              "HTTP/1.1 412 Precondition Failed");
    const std::string not_modified =
        get(server.port(), "/hello.txt", "If-None-Match: " + etag + "\r\n");
    EXPECT_EQ(header_value(not_modified, "ETag"), etag);
    EXPECT_EQ(body_of(not_modified), "");
}

TEST_F(StaticFiles, RangesSingleSuffixOpenEndedAndUnsatisfiable) {
    TestServer server(static_files(options()));
    struct C {
        std::string range;
        std::string status;
        std::string content_range;
        std::string body;
    };
    const C cases[] = {
        {"bytes=0-4", "HTTP/1.1 206 Partial Content", "bytes 0-4/6", "hello"},
        {"bytes=-2", "HTTP/1.1 206 Partial Content", "bytes 4-5/6", "o\n"},
        {"bytes=3-", "HTTP/1.1 206 Partial Content", "bytes 3-5/6", "lo\n"},
        {"bytes=2-1000", "HTTP/1.1 206 Partial Content", "bytes 2-5/6", "llo\n"},
        {"bytes=6-", "HTTP/1.1 416 Range Not Satisfiable", "bytes */6", ""},
        {"bytes=5-1", "HTTP/1.1 200 OK", "", "hello\n"}, // bogus: ignored
        {"pages=1-2", "HTTP/1.1 200 OK", "", "hello\n"},
    };
    for (const auto& c : cases) {
        const std::string r = get(server.port(), "/hello.txt", "Range: " + c.range + "\r\n");
        EXPECT_EQ(status_line(r), c.status) << c.range;
        EXPECT_EQ(header_value(r, "Content-Range"), c.content_range) << c.range;
        if (!c.body.empty()) {
            EXPECT_EQ(body_of(r), c.body) << c.range;
        }
    }
    EXPECT_EQ(header_value(get(server.port(), "/hello.txt"), "Accept-Ranges"), "bytes");
    // A large file's range goes out with sendfile.
    const std::string big = get(server.port(), "/big.bin", "Range: bytes=1000-101999\r\n");
    EXPECT_EQ(header_value(big, "Content-Length"), "101000");
    EXPECT_TRUE(body_of(big) == site.big().substr(1000, 101000));
    // HEAD ignores Range.
    EXPECT_EQ(status_line(get(server.port(), "/hello.txt", "Range: bytes=0-1\r\n", Method::head)),
              "HTTP/1.1 200 OK");
}

TEST_F(StaticFiles, SeveralRangesMakeAMultipartBody) {
    TestServer server(static_files(options()));
    const std::string r = get(server.port(), "/hello.txt", "Range: bytes=0-0,-1\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 206 Partial Content");
    const std::string type = header_value(r, "Content-Type");
    ASSERT_EQ(type.rfind("multipart/byteranges; boundary=", 0), 0u) << type;
    const std::string boundary = type.substr(type.find('=') + 1);
    const std::string expected =
        "\r\n--" + boundary +
        "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes "
        "0-0/6\r\n\r\nh\r\n--" +
        boundary +
        "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes "
        "5-5/6\r\n\r\n\n\r\n--" +
        boundary + "--\r\n";
    EXPECT_EQ(body_of(r), expected);
}

TEST_F(StaticFiles, SeveralRangesPastTheConfiguredBoundGetTheWholeFile) {
    StaticFilesOptions o = options();
    o.max_multirange_bytes = 1000;
    TestServer server(static_files(o));
    const std::string under = get(server.port(), "/big.bin", "Range: bytes=0-99,200-299\r\n");
    EXPECT_EQ(status_line(under), "HTTP/1.1 206 Partial Content");
    const std::string over = get(server.port(), "/big.bin", "Range: bytes=0-599,1000-1599\r\n");
    EXPECT_EQ(status_line(over), "HTTP/1.1 200 OK");
    EXPECT_TRUE(body_of(over) == site.big());
}

TEST_F(StaticFiles, IfRangeHonoursTheRangeOnlyForTheSameRepresentation) {
    TestServer server(static_files(options()));
    const std::string first = get(server.port(), "/hello.txt");
    const std::string etag = header_value(first, "ETag");
    const std::string date = header_value(first, "Last-Modified");
    auto status = [&](const std::string& if_range) {
        return status_line(
            get(server.port(), "/hello.txt", "Range: bytes=0-1\r\nIf-Range: " + if_range + "\r\n"));
    };
    EXPECT_EQ(status(etag), "HTTP/1.1 206 Partial Content");
    EXPECT_EQ(status(date), "HTTP/1.1 206 Partial Content");
    EXPECT_EQ(status("\"stale\""), "HTTP/1.1 200 OK");
    EXPECT_EQ(status("W/" + etag), "HTTP/1.1 200 OK"); // weak tags never validate a range
    EXPECT_EQ(status("Sun, 06 Nov 1994 08:49:37 GMT"), "HTTP/1.1 200 OK");
}

TEST_F(StaticFiles, PrecompressedSiblingsWhenAccepted) {
    site.write("app.js", "plain();");
    site.write("app.js.gz", "GZ-BYTES");
    site.write("app.js.br", "BR-BYTES");
    TestServer server(static_files(options()));
    const std::string plain = get(server.port(), "/app.js");
    EXPECT_EQ(body_of(plain), "plain();");
    EXPECT_EQ(header_value(plain, "Content-Encoding"), "");
    EXPECT_EQ(header_value(plain, "Vary"), "Accept-Encoding");
    const std::string gz = get(server.port(), "/app.js", "Accept-Encoding: gzip\r\n");
    EXPECT_EQ(body_of(gz), "GZ-BYTES");
    EXPECT_EQ(header_value(gz, "Content-Encoding"), "gzip");
    EXPECT_EQ(header_value(gz, "Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_NE(header_value(gz, "ETag"), header_value(plain, "ETag"));
    const std::string br = get(server.port(), "/app.js", "Accept-Encoding: gzip, deflate, br\r\n");
    EXPECT_EQ(body_of(br), "BR-BYTES");
    EXPECT_EQ(header_value(br, "Content-Encoding"), "br");
    EXPECT_NE(header_value(br, "ETag"), header_value(gz, "ETag"));
    const std::string prefer_gzip =
        get(server.port(), "/app.js", "Accept-Encoding: br;q=0.5, gzip\r\n");
    EXPECT_EQ(body_of(prefer_gzip), "GZ-BYTES");
    const std::string refused =
        get(server.port(), "/app.js", "Accept-Encoding: br;q=0, gzip;q=0\r\n");
    EXPECT_EQ(body_of(refused), "plain();");
    EXPECT_EQ(header_value(get(server.port(), "/hello.txt"), "Vary"), ""); // no variants there
}

TEST_F(StaticFiles, MethodsAndListingSwitch) {
    StaticFilesOptions o = options();
    o.listing = false;
    o.cors = true;
    o.extra_headers = {{"X-Frame-Options", "DENY"}};
    TestServer server(static_files(o));
    const std::string r = get(server.port(), "/");
    EXPECT_EQ(status_line(r), "HTTP/1.1 403 Forbidden");
    const std::string file = get(server.port(), "/hello.txt");
    EXPECT_EQ(header_value(file, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(header_value(file, "X-Frame-Options"), "DENY");
    Client c(server.port());
    c.send("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    const std::string post = c.read_response();
    EXPECT_EQ(status_line(post), "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(header_value(post, "Allow"), "GET, HEAD, OPTIONS");
}

// The file cache (src/handlers/file_cache.hpp) must never serve what is no longer there: an
// edit in place that keeps the size, a new file renamed over the old one (as editors save), a
// deletion, a directory replacing a file, and a large file replaced by a small one.
TEST_F(StaticFiles, EditsShowAtOnceThroughTheFileCache) {
    TestServer server(static_files(options()));
    EXPECT_EQ(body_of(get(server.port(), "/hello.txt")), "hello\n");
    EXPECT_EQ(body_of(get(server.port(), "/hello.txt")), "hello\n"); // now cached
    site.write("hello.txt", "HELLO\n");                              // same size, same second
    EXPECT_EQ(body_of(get(server.port(), "/hello.txt")), "HELLO\n");

    site.write("hello.tmp", "renamed over\n");
    fs::rename(site.root() + "/hello.tmp", site.root() + "/hello.txt");
    const std::string renamed = get(server.port(), "/hello.txt");
    EXPECT_EQ(body_of(renamed), "renamed over\n");
    EXPECT_EQ(header_value(renamed, "Content-Length"), "13");

    fs::remove(site.root() + "/hello.txt");
    EXPECT_EQ(status_line(get(server.port(), "/hello.txt")), "HTTP/1.1 404 Not Found");
    fs::create_directories(site.root() + "/hello.txt");
    EXPECT_EQ(status_line(get(server.port(), "/hello.txt")), "HTTP/1.1 301 Moved Permanently");

    EXPECT_TRUE(body_of(get(server.port(), "/big.bin")) == site.big());
    site.write("big.bin", "small now");
    EXPECT_EQ(body_of(get(server.port(), "/big.bin")), "small now");
    // An index file is looked up through the cache too.
    EXPECT_EQ(body_of(get(server.port(), "/sub/")), "<h1>sub</h1>\n");
    site.write("sub/index.html", "<h1>new</h1>\n");
    EXPECT_EQ(body_of(get(server.port(), "/sub/")), "<h1>new</h1>\n");
}

// A request read as its connection is accepted (deferred accept) must not overtake a change
// notice either. The loop is kept busy by handlers that block it on purpose, so that the
// listener's event is in a batch gathered before the edit, and the edited file's request is
// accepted (and read) while that batch is handled.
TEST_F(StaticFiles, AnEditBeforeTheConnectionIsSeenByItsFirstRequest) {
    Router router;
    router.get("/pause", [](const Request&, Response& res) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300)); // blocks the loop
        res.set_body("paused");
    });
    router.mount("/", static_files(options()));
    ServerConfig config = TestServer::quiet_config();
    config.threads = 1;
    TestServer server(std::move(router), config);
    EXPECT_EQ(body_of(get(server.port(), "/hello.txt")), "hello\n"); // cached

    Client first(server.port());
    first.send("GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n"); // accepted and registered
    EXPECT_EQ(body_of(first.read_response()), "<h1>sub</h1>\n");
    first.send("GET /pause HTTP/1.1\r\nHost: t\r\n\r\n"); // the loop sleeps…
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    first.send("GET /pause HTTP/1.1\r\nHost: t\r\n\r\n"); // …wakes to this first, then
    Client other(server.port());                          // to the listener's event
    other.send("GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(350)); // into the second pause
    site.write("hello.txt", "HELLO\n");
    Client late(server.port()); // accepted with `other`, in the batch from before the edit
    late.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(body_of(first.read_response()), "paused");
    EXPECT_EQ(body_of(first.read_response()), "paused");
    EXPECT_EQ(body_of(other.read_response()), "<h1>sub</h1>\n");
    EXPECT_EQ(body_of(late.read_response()), "HELLO\n");
}

// The same on one kept-alive connection, request after request: the change notice and the
// request can come in one batch of events, and the notice must be applied first.
TEST_F(StaticFiles, EditsShowAtOnceOnAKeptAliveConnection) {
    TestServer server(static_files(options()));
    Client c(server.port());
    for (int i = 0; i < 50; ++i) {
        const std::string content = "version " + std::to_string(i) + "\n";
        site.write("hello.txt", content);
        c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
        ASSERT_EQ(body_of(c.read_response()), content) << i;
    }
}

// What the watcher cannot see — a symlink higher up the path repointed, in a directory no entry
// lives in — is caught by the re-resolution the cache makes at least every second
// (FileCache::kRecheckMs).
TEST_F(StaticFiles, ARepointedDirectoryLinkShowsWithinTheRecheckTime) {
    fs::create_directories(site.root() + "/a");
    fs::create_directories(site.root() + "/b");
    site.write("a/f.txt", "from a");
    site.write("b/f.txt", "from b");
    fs::create_directory_symlink(site.root() + "/a", site.root() + "/link");
    TestServer server(static_files(options()));
    EXPECT_EQ(body_of(get(server.port(), "/link/f.txt")), "from a");
    fs::remove(site.root() + "/link");
    fs::create_directory_symlink(site.root() + "/b", site.root() + "/link");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_EQ(body_of(get(server.port(), "/link/f.txt")), "from b");
}

// Large files keep a descriptor open in the cache, but at most FileCache::kMaxOpenFiles (128)
// per thread: serving 200 of them must not hold 200 descriptors.
// sendfile(2) cannot say MSG_NOSIGNAL: to a client that has gone it raises SIGPIPE, which
// ends a process that has not ignored it (this test binary has not). Clients that hang up
// mid-download must cost the server nothing but their connection.
TEST_F(StaticFiles, ClientsHangingUpMidDownloadDoNotKillTheServer) {
    site.write("large.bin", std::string(std::size_t{8} << 20, 'L'));
    TestServer server(static_files(options()));
    for (int i = 0; i < 30; ++i) {
        Client c(server.port());
        c.send("GET /large.bin HTTP/1.1\r\nHost: t\r\n\r\n");
        char some[1000];
        ASSERT_GT(c.receive(some, sizeof some), 0);
        const linger reset{1, 0}; // close with a reset: the server's next write fails at once
        ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    EXPECT_EQ(body_of(get(server.port(), "/hello.txt")), "hello\n");
}

// A client that half-closes after its requests still gets every answer: a listing, which is
// built on the pool, and requests pipelined behind a long file. Both were lost once: the
// connection closed when nothing was pending at that instant.
TEST_F(StaticFiles, AHalfClosedClientGetsEveryAnswer) {
    const std::string large(std::size_t{4} << 20, 'L');
    site.write("large.bin", large);
    TestServer server(static_files(options()));
    for (int i = 0; i < 10; ++i) {
        Client listing(server.port());
        listing.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        listing.shutdown_write();
        const std::string page = listing.read_to_close();
        EXPECT_EQ(status_line(page), "HTTP/1.1 200 OK") << i;
        EXPECT_NE(page.find("hello.txt"), std::string::npos) << i;

        Client pipelined(server.port());
        pipelined.send("GET /large.bin HTTP/1.1\r\nHost: t\r\n\r\n"
                       "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
        pipelined.shutdown_write();
        EXPECT_EQ(body_of(pipelined.read_response()).size(), large.size()) << i;
        EXPECT_EQ(body_of(pipelined.read_response()), "hello\n") << i;
        EXPECT_TRUE(pipelined.closed_by_server()) << i;
    }
}

TEST_F(StaticFiles, TheCacheHoldsABoundedNumberOfDescriptors) {
    const auto open_fds = [] {
        return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{});
    };
    const std::string content(StaticFilesOptions{}.sendfile_threshold, 'L');
    for (int i = 0; i < 200; ++i) site.write("large" + std::to_string(i) + ".bin", content);
    TestServer server(static_files(options()));
    EXPECT_EQ(body_of(get(server.port(), "/hello.txt")), "hello\n"); // the watcher is made
    const auto before = open_fds();
    for (int i = 0; i < 200; ++i)
        ASSERT_EQ(body_of(get(server.port(), "/large" + std::to_string(i) + ".bin")).size(),
                  content.size());
    // The server may not have closed the last connection's socket yet when the client has its
    // answer: wait (bounded) for it, so only the cache's descriptors are counted.
    auto held = open_fds() - before;
    for (int i = 0; i < 100 && held > 128; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        held = open_fds() - before;
    }
    EXPECT_GE(held, 100); // large files are kept open...
    EXPECT_LE(held, 128); // ...up to the bound
}

// Many requests on one connection for cached small files: the bytes come from the cache, the
// validators must still match what a fresh resolution gives.
TEST_F(StaticFiles, CachedAnswersCarryTheSameValidators) {
    TestServer server(static_files(options()));
    const std::string first = get(server.port(), "/hello.txt");
    for (int i = 0; i < 20; ++i) {
        const std::string again = get(server.port(), "/hello.txt");
        ASSERT_EQ(header_value(again, "ETag"), header_value(first, "ETag"));
        ASSERT_EQ(header_value(again, "Last-Modified"), header_value(first, "Last-Modified"));
        ASSERT_EQ(body_of(again), "hello\n");
    }
    const std::string etag = header_value(first, "ETag");
    EXPECT_EQ(status_line(get(server.port(), "/hello.txt", "If-None-Match: " + etag + "\r\n")),
              "HTTP/1.1 304 Not Modified");
    EXPECT_EQ(body_of(get(server.port(), "/hello.txt", "Range: bytes=1-3\r\n")), "ell");
}

// JSON must be UTF-8 (RFC 8259), file names need not be: invalid bytes become U+FFFD, valid
// multi-byte names pass through, and the href still reaches the file.
TEST_F(StaticFiles, JsonListingIsValidUtf8ForAnyName) {
    site.write("\xe9t\xc3\xa9.txt", "latin1"); // a Latin-1 byte, then a UTF-8 "é"
    site.write("\xed\xa0\x80.txt", "surrogate");
    TestServer server(static_files(options()));
    const std::string body =
        body_of(get(server.port(), "/?sort=name", "Accept: application/json\r\n"));
    EXPECT_NE(body.find("{\"name\":\"\\ufffdt\xc3\xa9.txt\",\"href\":\"./%E9t%C3%A9.txt\""),
              std::string::npos)
        << body;
    EXPECT_NE(body.find("\"name\":\"\\ufffd\\ufffd\\ufffd.txt\""), std::string::npos) << body;
    EXPECT_EQ(body_of(get(server.port(), "/%E9t%C3%A9.txt")), "latin1");
}

// The HTML page says charset=utf-8, so it must be UTF-8 as well: the same replacement, in the
// text and the title, while the link keeps the file's own bytes, percent-encoded.
TEST_F(StaticFiles, HtmlListingIsValidUtf8ForAnyName) {
    fs::create_directories(site.root() + "/d\xff");
    site.write("d\xff/\xe9t\xc3\xa9.txt", "latin1");
    TestServer server(static_files(options()));
    const std::string body = body_of(get(server.port(), "/d%FF/"));
    EXPECT_NE(body.find("<a href=\"./%E9t%C3%A9.txt\">\xef\xbf\xbdt\xc3\xa9.txt</a>"),
              std::string::npos)
        << body;
    EXPECT_NE(body.find("<title>Directory listing for /d\xef\xbf\xbd/</title>"), std::string::npos)
        << body;
    EXPECT_EQ(body.find('\xff'), std::string::npos);
    EXPECT_EQ(body.find('\xe9'), std::string::npos);
}

} // namespace
} // namespace pier::test
