#include <pier/cookies.hpp>

#include <gtest/gtest.h>

namespace pier::client {
namespace {

using namespace std::chrono_literals;
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

TEST(SetCookie, NameValueAndAttributes) {
    auto c = parse_set_cookie(" id = 42 ; Path=/app; Secure; HttpOnly; SameSite=Lax", "Example.COM",
                              "/login", kNow);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->name, "id");
    EXPECT_EQ(c->value, "42");
    EXPECT_EQ(c->domain, "example.com");
    EXPECT_TRUE(c->host_only);
    EXPECT_EQ(c->path, "/app");
    EXPECT_TRUE(c->secure);
    EXPECT_TRUE(c->http_only);
    EXPECT_EQ(c->expires, std::nullopt);
}

TEST(SetCookie, IgnoredValues) {
    EXPECT_FALSE(parse_set_cookie("novalue", "a.test", "/", kNow));
    EXPECT_FALSE(parse_set_cookie("=v", "a.test", "/", kNow));
    // A Domain that does not cover the host (§5.3 step 6), and one for an IP's "parent".
    EXPECT_FALSE(parse_set_cookie("a=1; Domain=other.test", "a.test", "/", kNow));
    EXPECT_FALSE(parse_set_cookie("a=1; Domain=0.1", "127.0.0.1", "/", kNow));
}

TEST(SetCookie, DefaultPathIsTheRequestDirectory) {
    EXPECT_EQ(parse_set_cookie("a=1", "h", "/a/b/c", kNow)->path, "/a/b");
    EXPECT_EQ(parse_set_cookie("a=1", "h", "/a", kNow)->path, "/");
    EXPECT_EQ(parse_set_cookie("a=1; Path=relative", "h", "/x/y", kNow)->path, "/x");
}

TEST(SetCookie, MaxAgeWinsOverExpires) {
    auto c =
        parse_set_cookie("a=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=60", "h", "/", kNow);
    EXPECT_EQ(c->expires, kNow + 60s);
    c = parse_set_cookie("a=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT", "h", "/", kNow);
    EXPECT_EQ(c->expires, std::chrono::system_clock::time_point::min()); // 1994: expired
    c = parse_set_cookie("a=1; Expires=Wed, 15 Nov 2023 00:00:00 GMT", "h", "/", kNow);
    EXPECT_EQ(c->expires, std::chrono::system_clock::time_point(std::chrono::seconds(1700006400)));
    c = parse_set_cookie("a=1; Max-Age=abc", "h", "/", kNow);
    EXPECT_EQ(c->expires, std::nullopt);
}

TEST(SetCookie, LifetimesAreCappedAt400Days) {
    const auto cap = kNow + std::chrono::hours(24 * 400);
    EXPECT_EQ(parse_set_cookie("a=1; Max-Age=999999999999", "h", "/", kNow)->expires, cap);
    EXPECT_EQ(
        parse_set_cookie("a=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT", "h", "/", kNow)->expires,
        cap);
    // Far in the past (out of system_clock's range in nanoseconds): expired, no overflow.
    EXPECT_EQ(
        parse_set_cookie("a=1; Expires=Sun, 06 Nov 1617 08:49:37 GMT", "h", "/", kNow)->expires,
        std::chrono::system_clock::time_point::min());
}

TEST(CookieJar, DomainPathAndSecureMatching) {
    CookieJar jar;
    EXPECT_TRUE(jar.store("host=1", "www.example.com", "/", false, kNow));
    EXPECT_TRUE(jar.store("dom=2; Domain=.example.com", "www.example.com", "/", false, kNow));
    EXPECT_TRUE(jar.store("deep=3; Path=/docs", "www.example.com", "/", false, kNow));
    EXPECT_TRUE(jar.store("sec=4; Secure", "www.example.com", "/", true, kNow));
    EXPECT_EQ(jar.header_for("www.example.com", "/docs/a", true, kNow),
              "deep=3; host=1; dom=2; sec=4");
    EXPECT_EQ(jar.header_for("www.example.com", "/", false, kNow), "host=1; dom=2");
    EXPECT_EQ(jar.header_for("api.example.com", "/docs", false, kNow), "dom=2");
    EXPECT_EQ(jar.header_for("example.org", "/", true, kNow), "");
    EXPECT_EQ(jar.header_for("www.example.com", "/docsx", false, kNow), "host=1; dom=2");
}

TEST(CookieJar, ReplaceExpireAndRefuseSecureOverHttp) {
    CookieJar jar;
    jar.store("a=1", "h", "/", false, kNow);
    jar.store("a=2", "h", "/", false, kNow);
    EXPECT_EQ(jar.header_for("h", "/", false, kNow), "a=2");
    jar.store("a=3; Max-Age=0", "h", "/", false, kNow);
    EXPECT_EQ(jar.header_for("h", "/", false, kNow), "");
    EXPECT_TRUE(jar.cookies().empty());
    EXPECT_FALSE(jar.store("s=1; Secure", "h", "/", false, kNow));
    jar.store("t=1; Max-Age=10", "h", "/", false, kNow);
    EXPECT_EQ(jar.header_for("h", "/", false, kNow + 5s), "t=1");
    EXPECT_EQ(jar.header_for("h", "/", false, kNow + 11s), "");
}

} // namespace
} // namespace pier::client
