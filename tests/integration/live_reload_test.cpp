// Live reload over real sockets: HTML pages served with the script (their own validators, no
// ranges, other files untouched) and the hub telling connected pages to reload once a burst of
// changes is over.
#include "test_server.hpp"
#include "ws_probe.hpp"

#include <pier/live_reload.hpp>
#include <pier/router.hpp>
#include <pier/static_files.hpp>
#include <pier/websocket_endpoint.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace pier::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view kSnippet = "<script>/*reload*/</script>";
constexpr std::string_view kPage = "<html><body><h1>Page</h1></body></html>\n";

class Tree {
  public:
    Tree() {
        char tmpl[] = "/tmp/pier-live-XXXXXX";
        root_ = mkdtemp(tmpl);
    }
    ~Tree() { fs::remove_all(root_); }
    void write(const std::string& rel, std::string_view content) const {
        std::ofstream(root_ + "/" + rel, std::ios::binary) << content;
    }
    const std::string& root() const { return root_; }

  private:
    std::string root_;
};

std::string get(std::uint16_t port, std::string_view target, std::string_view extra = "") {
    Client c(port);
    c.send("GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n");
    return c.read_response();
}

struct LiveReloadPages : ::testing::Test {
    Tree tree;
    LiveReloadPages() {
        tree.write("index.html", kPage);
        tree.write("style.css", "body { color: red }\n");
        tree.write("notes.txt", "0123456789");
        fs::create_directories(tree.root() + "/docs");
        tree.write("docs/readme.txt", "read me");
    }
    StaticFilesOptions options(bool snippet) const {
        StaticFilesOptions o;
        o.root = tree.root();
        if (snippet) o.html_snippet = std::string(kSnippet);
        return o;
    }
};

TEST_F(LiveReloadPages, AnHtmlPageGetsTheSnippetAndAValidatorOfItsOwn) {
    TestServer plain(static_files(options(false)));
    TestServer server(static_files(options(true)));
    const std::string without = get(plain.port(), "/index.html");
    const std::string with = get(server.port(), "/index.html");
    EXPECT_EQ(body_of(without), kPage);
    EXPECT_EQ(status_line(with), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(with),
              "<html><body><h1>Page</h1>" + std::string(kSnippet) + "</body></html>\n");
    EXPECT_EQ(header_value(with, "Content-Length"), std::to_string(kPage.size() + kSnippet.size()));
    EXPECT_EQ(header_value(with, "Content-Type"), "text/html; charset=utf-8");
    const std::string file_tag = header_value(without, "ETag");
    const std::string page_tag = header_value(with, "ETag");
    ASSERT_FALSE(file_tag.empty());
    EXPECT_NE(page_tag, file_tag);
    EXPECT_EQ(page_tag, file_tag.substr(0, file_tag.size() - 1) + "-s\"");
    EXPECT_EQ(header_value(with, "Last-Modified"), header_value(without, "Last-Modified"));

    // A validator held for the file (a cache from before live reload) is not the page's.
    const std::string stale =
        get(server.port(), "/index.html", "If-None-Match: " + file_tag + "\r\n");
    EXPECT_EQ(status_line(stale), "HTTP/1.1 200 OK");
    EXPECT_NE(body_of(stale).find(kSnippet), std::string::npos);
    const std::string fresh =
        get(server.port(), "/index.html", "If-None-Match: " + page_tag + "\r\n");
    EXPECT_EQ(status_line(fresh), "HTTP/1.1 304 Not Modified");
    EXPECT_EQ(header_value(fresh, "ETag"), page_tag);
    EXPECT_EQ(body_of(fresh), "");
    // If-None-Match wins over the date (RFC 9110 §13.1.3), which the page shares with the file.
    const std::string dated = get(server.port(), "/index.html",
                                  "If-None-Match: " + file_tag + "\r\nIf-Modified-Since: " +
                                      header_value(with, "Last-Modified") + "\r\n");
    EXPECT_EQ(status_line(dated), "HTTP/1.1 200 OK");
}

// The page is not the file: byte offsets into it are not offered.
TEST_F(LiveReloadPages, RangesOnAPageAreIgnored) {
    TestServer server(static_files(options(true)));
    const std::string r = get(server.port(), "/index.html", "Range: bytes=0-4\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(header_value(r, "Content-Range"), "");
    EXPECT_EQ(header_value(r, "Accept-Ranges"), "");
    EXPECT_EQ(body_of(r).size(), kPage.size() + kSnippet.size());
    EXPECT_NE(body_of(r).find(kSnippet), std::string::npos);
}

TEST_F(LiveReloadPages, OtherFilesAreUntouched) {
    TestServer plain(static_files(options(false)));
    TestServer server(static_files(options(true)));
    for (const char* path : {"/style.css", "/notes.txt"}) {
        const std::string a = get(plain.port(), path);
        const std::string b = get(server.port(), path);
        EXPECT_EQ(body_of(b), body_of(a)) << path;
        EXPECT_EQ(header_value(b, "ETag"), header_value(a, "ETag")) << path;
        EXPECT_EQ(header_value(b, "Accept-Ranges"), "bytes") << path;
    }
    const std::string part = get(server.port(), "/notes.txt", "Range: bytes=2-4\r\n");
    EXPECT_EQ(status_line(part), "HTTP/1.1 206 Partial Content");
    EXPECT_EQ(body_of(part), "234");
    EXPECT_EQ(header_value(part, "Content-Range"), "bytes 2-4/10");
}

// Past the in-memory threshold a file is served from its descriptor: the page is read whole.
TEST_F(LiveReloadPages, ALargePageIsReadWhole) {
    std::string large = "<html><body>";
    while (large.size() < 300 * 1024) large += "<p>line of the page</p>\n";
    large += "</body></html>";
    tree.write("large.html", large);
    TestServer server(static_files(options(true)));
    const std::string r = get(server.port(), "/large.html");
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_TRUE(body_of(r) ==
                large.substr(0, large.size() - 14) + std::string(kSnippet) + "</body></html>");
}

TEST_F(LiveReloadPages, AListingGetsTheSnippet) {
    TestServer plain(static_files(options(false)));
    TestServer server(static_files(options(true)));
    const std::string listing = get(server.port(), "/docs/");
    EXPECT_EQ(status_line(listing), "HTTP/1.1 200 OK");
    const std::string body = body_of(listing);
    const std::size_t at = body.find(kSnippet);
    ASSERT_NE(at, std::string::npos);
    EXPECT_LT(at, body.rfind("</body>"));
    EXPECT_NE(body.find("readme.txt"), std::string::npos);
    EXPECT_EQ(body_of(get(plain.port(), "/docs/")).find(kSnippet), std::string::npos);
    // Scripts asking for JSON get data, not a script.
    const std::string json = get(server.port(), "/docs/", "Accept: application/json\r\n");
    EXPECT_EQ(body_of(json).find(kSnippet), std::string::npos);
}

// A precompressed sibling of a page cannot take the script (the bytes are compressed): the page
// goes out uncompressed with it, so live reload works whatever the browser accepts.
TEST_F(LiveReloadPages, APrecompressedSiblingIsNotSentInsteadOfThePage) {
    tree.write("index.html.gz", "GZ-BYTES");
    tree.write("style.css.gz", "CSS-GZ");
    TestServer server(static_files(options(true)));
    const std::string r = get(server.port(), "/index.html", "Accept-Encoding: gzip\r\n");
    EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
    EXPECT_EQ(header_value(r, "Content-Encoding"), "");
    EXPECT_EQ(body_of(r).find("GZ-BYTES"), std::string::npos);
    EXPECT_NE(body_of(r).find(kSnippet), std::string::npos);
    // Other files keep their precompressed siblings.
    const std::string css = get(server.port(), "/style.css", "Accept-Encoding: gzip\r\n");
    EXPECT_EQ(header_value(css, "Content-Encoding"), "gzip");
    EXPECT_EQ(body_of(css), "CSS-GZ");
}

// The hub: pages connected to the endpoint, told "reload" once per burst of changes.
struct LiveReloadHub : ::testing::Test {
    Tree tree;
    std::unique_ptr<LiveReload> reload;
    std::unique_ptr<TestServer> server;
    LiveReloadHub() {
        tree.write("index.html", kPage);
        fs::create_directories(tree.root() + "/sub/deeper");
        fs::create_directories(tree.root() + "/.git/objects");
        reload = std::make_unique<LiveReload>(tree.root());
        Router router;
        router.websocket(LiveReload::kPath, reload->handlers());
        server = std::make_unique<TestServer>(std::move(router));
    }
    ~LiveReloadHub() override {
        server.reset(); // the connections first: they hold the hub's handlers
        reload.reset();
    }
    std::unique_ptr<WsProbe> page() {
        auto p = std::make_unique<WsProbe>(server->port(), std::string(LiveReload::kPath));
        EXPECT_TRUE(p->wait_open()) << "the page's socket did not open";
        return p;
    }
    // After the debounce (150 ms) and some: what is still to come has come.
    static void settle() { std::this_thread::sleep_for(700ms); }
};

TEST_F(LiveReloadHub, ABurstOfWritesIsOneReload) {
    auto a = page();
    auto b = page();
    for (int i = 0; i < 20; ++i) {
        tree.write("index.html", "<p>version " + std::to_string(i) + "</p>");
        std::this_thread::sleep_for(2500us);
    }
    ASSERT_TRUE(a->wait_messages(1, 3s));
    ASSERT_TRUE(b->wait_messages(1, 3s));
    settle();
    ASSERT_EQ(a->message_count(), 1u);
    EXPECT_EQ(b->message_count(), 1u);
    EXPECT_TRUE(a->messages()[0].text);
    EXPECT_EQ(a->messages()[0].data, "reload");
    EXPECT_EQ(reload->reloads(), 1u);
    EXPECT_FALSE(a->close_code()); // the page stays connected for the next change
}

TEST_F(LiveReloadHub, NewDirectoriesAreWatchedToo) {
    EXPECT_EQ(reload->watched_directories(), 3u); // the root, sub, sub/deeper; not .git
    auto p = page();
    fs::create_directories(tree.root() + "/fresh");
    ASSERT_TRUE(p->wait_messages(1, 3s)); // the new directory is a change of its own
    settle();
    EXPECT_EQ(reload->watched_directories(), 4u);
    tree.write("fresh/page.html", kPage);
    ASSERT_TRUE(p->wait_messages(2, 3s)) << "a file in a new directory went unseen";
    tree.write("sub/deeper/deep.html", kPage);
    ASSERT_TRUE(p->wait_messages(3, 3s)) << "a file deep in the tree went unseen";
    settle();
    EXPECT_EQ(p->message_count(), 3u);
}

// A renamed directory keeps its watch; what is made in it afterwards is watched under its new
// name (the old name no longer exists to watch).
TEST_F(LiveReloadHub, ARenamedDirectoryIsWatchedUnderItsNewName) {
    auto p = page();
    fs::rename(tree.root() + "/sub", tree.root() + "/moved");
    ASSERT_TRUE(p->wait_messages(1, 3s));
    settle();
    fs::create_directories(tree.root() + "/moved/deeper/new");
    ASSERT_TRUE(p->wait_messages(2, 3s));
    settle();
    EXPECT_EQ(reload->watched_directories(), 4u); // the root, moved, moved/deeper, …/new
    tree.write("moved/deeper/new/page.html", kPage);
    ASSERT_TRUE(p->wait_messages(3, 3s)) << "a file made under the new name went unseen";
}

TEST_F(LiveReloadHub, HiddenFilesAndTreesAreNotChanges) {
    auto p = page();
    tree.write(".index.html.swp", "swap");
    tree.write("sub/.#index.html", "lock");
    tree.write(".git/objects/ab", "object");
    fs::create_directories(tree.root() + "/.cache");
    tree.write(".cache/x.html", kPage);
    settle();
    EXPECT_EQ(p->message_count(), 0u);
    EXPECT_EQ(reload->reloads(), 0u);
    EXPECT_EQ(reload->watched_directories(), 3u);
    // The watch still works: a visible change after them is seen.
    tree.write("index.html", "<p>changed</p>");
    EXPECT_TRUE(p->wait_messages(1, 3s));
}

TEST_F(LiveReloadHub, RemovedDirectoriesAreNotCounted) {
    fs::remove_all(tree.root() + "/sub");
    for (int i = 0; i < 60 && reload->watched_directories() != 1u; ++i)
        std::this_thread::sleep_for(50ms);
    EXPECT_EQ(reload->watched_directories(), 1u);
}

// Pages come and go: each one still there hears of the next change, one that came after a
// reload as well as one that stayed.
TEST_F(LiveReloadHub, EveryPageStillThereIsTold) {
    auto gone = page();
    auto stays = page();
    gone->drop();
    std::this_thread::sleep_for(200ms);
    tree.write("index.html", "<p>after</p>");
    ASSERT_TRUE(stays->wait_messages(1, 3s));
    auto late = page();
    tree.write("index.html", "<p>later</p>");
    EXPECT_TRUE(stays->wait_messages(2, 3s));
    EXPECT_TRUE(late->wait_messages(1, 3s));
    EXPECT_EQ(reload->reloads(), 2u);
}

TEST(LiveReloadRoot, ARootThatIsNoDirectoryThrows) {
    EXPECT_THROW(LiveReload("/nonexistent/pier-live-reload"), std::runtime_error);
    const Tree tree;
    tree.write("file.html", kPage);
    EXPECT_THROW(LiveReload(tree.root() + "/file.html"), std::runtime_error);
}

} // namespace
} // namespace pier::test
