#include <pier/uri.hpp>

#include <gtest/gtest.h>

#include <iterator>
#include <vector>

namespace pier {
namespace {

using namespace std::string_view_literals;

static_assert(std::forward_iterator<QueryParams::iterator>);

TEST(Authority, HostsAndPorts) {
    struct C {
        std::string_view in;
        std::string_view host;
        bool ipv6;
        std::optional<std::uint16_t> port;
    };
    const C cases[] = {
        {"example.com", "example.com", false, std::nullopt},
        {"example.com:8080", "example.com", false, 8080},
        {"example.com:", "example.com", false, std::nullopt},
        {"127.0.0.1:80", "127.0.0.1", false, 80},
        {"[::1]", "::1", true, std::nullopt},
        {"[::1]:8000", "::1", true, 8000},
        {"[2001:db8::7]:0", "2001:db8::7", true, 0},
        {"h:65535", "h", false, 65535},
        {"h:080", "h", false, 80},
        {"ex%41mple", "ex%41mple", false, std::nullopt},
        {"a!$&'()*+,;=b", "a!$&'()*+,;=b", false, std::nullopt},
        {"", "", false, std::nullopt},
    };
    for (const auto& c : cases) {
        const auto a = parse_authority(c.in);
        ASSERT_TRUE(a) << c.in << ": " << to_string(a.error());
        EXPECT_EQ(a->host, c.host) << c.in;
        EXPECT_EQ(a->is_ipv6, c.ipv6) << c.in;
        EXPECT_EQ(a->port, c.port) << c.in;
    }
}

TEST(Authority, SpecificErrors) {
    struct C {
        std::string_view in;
        UriError error;
        bool allow_userinfo = false;
    };
    const C cases[] = {
        {"h:65536", UriError::bad_port},
        {"h:+80", UriError::bad_port},
        {"h:0x50", UriError::bad_port},
        {"h: 80", UriError::bad_port},
        {"h:123456", UriError::bad_port},
        {"h:8a", UriError::bad_port},
        {"[::1", UriError::bad_ipv6},
        {"[::g]", UriError::bad_ipv6},
        {"[fe80::1%25eth0]", UriError::bad_ipv6},
        {"[v1.x]", UriError::bad_ipv6},
        {"[]", UriError::bad_ipv6},
        {"[::1]x", UriError::bad_host},
        {"a b", UriError::invalid_character},
        {"a\x01", UriError::invalid_character},
        {"a/b", UriError::bad_host},
        {"a<b", UriError::bad_host},
        {"a%4", UriError::bad_percent_encoding},
        {"a%zz", UriError::bad_percent_encoding},
        {"user@h", UriError::userinfo_not_allowed},
        {"us er@h", UriError::invalid_character, true},
    };
    for (const auto& c : cases) {
        const auto a = parse_authority(c.in, c.allow_userinfo);
        ASSERT_FALSE(a) << c.in;
        EXPECT_EQ(a.error(), c.error) << c.in << ": " << to_string(a.error());
    }
    const auto with_user = parse_authority("user:pw@h:1", true);
    ASSERT_TRUE(with_user);
    EXPECT_EQ(with_user->userinfo, "user:pw");
    EXPECT_EQ(with_user->host, "h");
}

TEST(RequestTarget, TheFourForms) {
    auto origin = parse_request_target("/a/b?x=1&y");
    ASSERT_TRUE(origin);
    EXPECT_EQ(origin->form, TargetForm::origin);
    EXPECT_EQ(origin->path, "/a/b");
    EXPECT_EQ(origin->query, "x=1&y");
    EXPECT_TRUE(origin->has_query);

    auto absolute = parse_request_target("http://h.example:8080/p?q");
    ASSERT_TRUE(absolute);
    EXPECT_EQ(absolute->form, TargetForm::absolute);
    EXPECT_EQ(absolute->scheme, "http");
    EXPECT_EQ(absolute->authority.host, "h.example");
    EXPECT_EQ(absolute->authority.port, 8080);
    EXPECT_EQ(absolute->path, "/p");
    EXPECT_EQ(absolute->query, "q");

    auto bare = parse_request_target("http://h");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->path, "/");
    auto bare_query = parse_request_target("https://h?x");
    ASSERT_TRUE(bare_query);
    EXPECT_EQ(bare_query->path, "/");
    EXPECT_EQ(bare_query->query, "x");

    auto authority = parse_request_target("example.com:443");
    ASSERT_TRUE(authority);
    EXPECT_EQ(authority->form, TargetForm::authority);
    EXPECT_EQ(authority->authority.port, 443);

    auto star = parse_request_target("*");
    ASSERT_TRUE(star);
    EXPECT_EQ(star->form, TargetForm::asterisk);
}

TEST(RequestTarget, LeniencyDocumentedInTheHeader) {
    for (std::string_view t : {"/caf\xc3\xa9"sv, "/a\"b"sv, "/a<b>"sv, "/a\\b"sv, "/a{b}|c^d`"sv,
                               "/%2e%2e/x"sv, "/?"sv, "/a?b?c"sv}) {
        EXPECT_TRUE(parse_request_target(t)) << t;
    }
}

TEST(RequestTarget, SpecificErrors) {
    struct C {
        std::string_view in;
        UriError error;
    };
    const C cases[] = {
        {"", UriError::empty},
        {"/a b", UriError::invalid_character},
        {"/a\tb", UriError::invalid_character},
        {"/a\x7f", UriError::invalid_character},
        {"/a\0b"sv, UriError::invalid_character},
        {"/a#frag", UriError::fragment_not_allowed},
        {"/a%", UriError::bad_percent_encoding},
        {"/a%4", UriError::bad_percent_encoding},
        {"/a%G0", UriError::bad_percent_encoding},
        {"/?q=%zz", UriError::bad_percent_encoding},
        {"http://user@h/", UriError::userinfo_not_allowed},
        {"http:///p", UriError::bad_host},
        {"http://h:99999/", UriError::bad_port},
        {"http://h/a b", UriError::invalid_character},
        {"example.com", UriError::missing_port},
        {"example.com:", UriError::missing_port},
        {":443", UriError::bad_host},
        {"a b:1", UriError::invalid_character},
    };
    for (const auto& c : cases) {
        const auto t = parse_request_target(c.in);
        ASSERT_FALSE(t) << c.in;
        EXPECT_EQ(t.error(), c.error) << c.in << ": " << to_string(t.error());
    }
}

TEST(Url, ClientUrls) {
    auto u = parse_url("HTTPS://user:pw@[::1]:8443/p/q?x=1#frag");
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->is_https());
    EXPECT_EQ(u->userinfo, "user:pw");
    EXPECT_EQ(u->host, "::1");
    EXPECT_TRUE(u->is_ipv6);
    EXPECT_EQ(u->effective_port(), 8443);
    EXPECT_EQ(u->path, "/p/q");
    EXPECT_EQ(u->query, "x=1");
    EXPECT_EQ(u->fragment, "frag");
    auto plain = parse_url("http://example.com");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->effective_port(), 80);
    EXPECT_EQ(plain->path, "");
    EXPECT_EQ(parse_url("https://h")->effective_port(), 443);
    struct C {
        std::string_view in;
        UriError error;
    };
    const C bad[] = {
        {"", UriError::empty},
        {"ftp://h/", UriError::bad_scheme},
        {"h/p", UriError::bad_scheme},
        {"http//h", UriError::bad_scheme},
        {"http://", UriError::bad_host},
        {"http://h:x/", UriError::bad_port},
        {"http://h/a b", UriError::invalid_character},
        {"http://h/%zz", UriError::bad_percent_encoding},
    };
    for (const auto& c : bad) {
        const auto r = parse_url(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in;
    }
}

TEST(ResolveReference, Rfc3986Section5_4Examples) {
    constexpr std::string_view base = "http://a/b/c/d;p?q";
    const std::pair<std::string_view, std::string_view> cases[] = {
        // 5.4.1 normal examples
        {"g:h", "g:h"},
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q#s"},
        {"g#s", "http://a/b/c/g#s"},
        {"g?y#s", "http://a/b/c/g?y#s"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"g;x?y#s", "http://a/b/c/g;x?y#s"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        // 5.4.2 abnormal examples
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g#s/./x"},
        {"g#s/../x", "http://a/b/c/g#s/../x"},
        {"http:g", "http:g"},
    };
    for (const auto& [ref, expected] : cases)
        EXPECT_EQ(resolve_reference(base, ref), expected) << "reference '" << ref << "'";
}

TEST(PercentCoding, DecodeAndErrors) {
    EXPECT_EQ(*percent_decode("a%20b%2Fc%2f"), "a b/c/");
    EXPECT_EQ(*percent_decode("caf%C3%A9"), "caf\xc3\xa9");
    EXPECT_EQ(*percent_decode("a+b"), "a+b");
    EXPECT_EQ(*percent_decode("a+b", {.plus_as_space = true}), "a b");
    EXPECT_EQ(*percent_decode("%00", {.reject_nul = false}), std::string(1, '\0'));
    struct C {
        std::string_view in;
        UriError error;
    };
    const C bad[] = {
        {"%", UriError::bad_percent_encoding},    {"%4", UriError::bad_percent_encoding},
        {"a%zz", UriError::bad_percent_encoding}, {"%G0", UriError::bad_percent_encoding},
        {"%0g", UriError::bad_percent_encoding},  {"x%00y", UriError::decoded_nul}};
    for (const auto& c : bad) {
        const auto r = percent_decode(c.in);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error(), c.error) << c.in;
    }
    std::string reused = "old";
    EXPECT_FALSE(percent_decode_into("new%21", reused));
    EXPECT_EQ(reused, "new!");
}

TEST(PercentCoding, EncodeRoundTrips) {
    EXPECT_EQ(percent_encode_path("/a b/c?d#e%f"), "/a%20b/c%3Fd%23e%25f");
    EXPECT_EQ(percent_encode_component("a/b c"), "a%2Fb%20c");
    EXPECT_EQ(percent_encode_component("<img src=x onerror=alert(1)>.txt"),
              "%3Cimg%20src=x%20onerror=alert(1)%3E.txt");
    EXPECT_EQ(percent_encode_path("caf\xc3\xa9"), "caf%C3%A9");
    // Raw bytes only: what is printable ASCII, escapes included, stays.
    EXPECT_EQ(percent_encode_raw_bytes("/caf\xc3\xa9 x%2F?q=\x7f"), "/caf%C3%A9%20x%2F?q=%7F");
    for (std::string_view s : {"plain"sv, "sp ace"sv, "100%"sv, "\xff\x01"sv, "a/b?c#d"sv}) {
        EXPECT_EQ(*percent_decode(percent_encode_path(s)), s);
        EXPECT_EQ(*percent_decode(percent_encode_component(s)), s);
    }
}

TEST(RemoveDotSegments, Rfc3986AndTrickyCases) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"/a/b/c/./../../g", "/a/g"},
        {"mid/content=5/../6", "mid/6"},
        {"/a/b/../../../c", "/c"},
        {"/.", "/"},
        {"/..", "/"},
        {".", ""},
        {"..", ""},
        {"a/./b", "a/b"},
        {"/a/..", "/"},
        {"//", "//"},
        {"/a/./b/../c/", "/a/c/"},
        {"", ""},
        {"/../../etc/passwd", "/etc/passwd"},
        {"/a/.../b", "/a/.../b"},
        {"/a/..b/c", "/a/..b/c"},
    };
    for (const auto& [in, out] : cases) EXPECT_EQ(remove_dot_segments(in), out) << in;
}

TEST(CollapseLeadingSlashes, PythonGh87389) {
    EXPECT_EQ(collapse_leading_slashes("//evil.example/x"), "/evil.example/x");
    EXPECT_EQ(collapse_leading_slashes("////x"), "/x");
    EXPECT_EQ(collapse_leading_slashes("/x//y"), "/x//y");
    EXPECT_EQ(collapse_leading_slashes("/"), "/");
    EXPECT_EQ(collapse_leading_slashes("//"), "/");
    const std::string_view in = "//a";
    EXPECT_EQ(collapse_leading_slashes(in).data(), in.data() + 1); // a view, no copy
}

TEST(QueryParams, IteratesPairsWithoutDecoding) {
    std::vector<std::pair<std::string, std::string>> got;
    for (auto [k, v] : query_params("sort=size&order=desc&&flag&x=%20&=empty"))
        got.emplace_back(k, v);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"sort", "size"}, {"order", "desc"}, {"flag", ""}, {"x", "%20"}, {"", "empty"}};
    EXPECT_EQ(got, expected);
    int n = 0;
    for ([[maybe_unused]] auto p : query_params("")) ++n;
    EXPECT_EQ(n, 0);
}

} // namespace
} // namespace pier
