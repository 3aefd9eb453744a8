// The pieces of fetch that need no server: Basic credentials and the no_proxy rules.
#include <pier/fetch.hpp>

#include <gtest/gtest.h>

namespace pier::client {
namespace {

// RFC 7617 §2's example, and each base64 padding case (0, 1 and 2 '=').
TEST(BasicCredentials, Base64OfUserColonPassword) {
    EXPECT_EQ(basic_credentials("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    EXPECT_EQ(basic_credentials("a", "b"), "Basic YTpi");
    EXPECT_EQ(basic_credentials("ab", ""), "Basic YWI6");
    EXPECT_EQ(basic_credentials("abcd", ""), "Basic YWJjZDo=");
    EXPECT_EQ(basic_credentials("", ""), "Basic Og==");
}

TEST(ProxySettings, NoProxyListsDomainsAndStar) {
    ProxySettings p;
    p.http = "http://proxy:3128";
    p.no_proxy = " example.com,\t.Internal.Test , ,localhost";
    EXPECT_EQ(p.proxy_for(false, "example.com"), "");
    EXPECT_EQ(p.proxy_for(false, "www.EXAMPLE.com"), "");
    EXPECT_EQ(p.proxy_for(false, "a.internal.test"), "");
    EXPECT_EQ(p.proxy_for(false, "localhost"), "");
    EXPECT_EQ(p.proxy_for(false, "notexample.com"), "http://proxy:3128");
    EXPECT_EQ(p.proxy_for(false, "example.org"), "http://proxy:3128");
    EXPECT_EQ(p.proxy_for(true, "example.org"), ""); // no https proxy set
    p.no_proxy = "*";
    EXPECT_EQ(p.proxy_for(false, "anything"), "");
}

} // namespace
} // namespace pier::client
