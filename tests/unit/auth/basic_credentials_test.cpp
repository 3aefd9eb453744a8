#include "auth/basic_credentials.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <string>
#include <string_view>

namespace pier::auth {
namespace {

using namespace std::string_view_literals;

// OpenSSL's encoder, not the decoder under test's inverse.
std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

void expect_credentials(std::string_view field, std::string_view user, std::string_view password) {
    const auto c = parse_basic_authorization(field);
    ASSERT_TRUE(c) << field;
    EXPECT_EQ(c->user, user) << field;
    EXPECT_EQ(c->password, password) << field;
}

void expect_refused(std::string_view field) {
    EXPECT_FALSE(parse_basic_authorization(field)) << field;
}

TEST(BasicCredentials, Parses) {
    // The values are Python's base64.b64encode of the decoded text.
    expect_credentials("Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==", "alice", "correct horse");
    expect_credentials("Basic YWxpY2U6cGFzcw==", "alice", "pass");
    expect_credentials("Basic YWI6Yw==", "ab", "c");
    expect_credentials("Basic YTpi", "a", "b"); // no padding needed
}

TEST(BasicCredentials, SchemeIsCaseInsensitive) {
    for (const std::string_view scheme : {"Basic"sv, "basic"sv, "BASIC"sv, "bAsIc"sv})
        expect_credentials(std::string(scheme) + " YWxpY2U6cGFzcw==", "alice", "pass");
}

TEST(BasicCredentials, Spaces) {
    expect_credentials("Basic    YWxpY2U6cGFzcw==", "alice", "pass");
    expect_credentials("Basic YWxpY2U6cGFzcw==  ", "alice", "pass");
    expect_credentials("Basic YWxpY2U6cGFzcw==\t \t", "alice", "pass");
    // Only SP separates scheme and token (RFC 9110 §11.4), and the field parser has already
    // removed leading whitespace.
    expect_refused("Basic\tYWxpY2U6cGFzcw==");
    expect_refused(" Basic YWxpY2U6cGFzcw==");
    expect_refused("Basic \tYWxpY2U6cGFzcw==");
    // No whitespace inside the token.
    expect_refused("Basic YWxpY2U6 cGFzcw==");
    expect_refused("Basic YWxpY2U6cGFzcw= =");
    expect_refused("Basic YWxpY2U6\r\ncGFzcw==");
}

TEST(BasicCredentials, OtherSchemes) {
    expect_refused("Bearer YWxpY2U6cGFzcw==");
    expect_refused("Digest username=\"alice\"");
    expect_refused("Basics YWxpY2U6cGFzcw==");
    expect_refused("Basi YWxpY2U6cGFzcw==");
    expect_refused("BasicYWxpY2U6cGFzcw==");
    expect_refused("YWxpY2U6cGFzcw==");
}

TEST(BasicCredentials, NoToken) {
    for (const std::string_view field : {""sv, "Basic"sv, "Basic "sv, "Basic    "sv, "Basic \t"sv})
        expect_refused(field);
}

TEST(BasicCredentials, BadPadding) {
    expect_refused("Basic YWxpY2U6cGFzcw");    // padding missing
    expect_refused("Basic YWxpY2U6cGFzcw=");   // half of it
    expect_refused("Basic YWxpY2U6cGFzcw==="); // too much
    expect_refused("Basic YWxpY2U6cGFzcw====");
    expect_refused("Basic YWxpY2U6cGFzcw==YTpi"); // padding in the middle
    expect_refused("Basic =YWxpY2U6cGFzcw=");
    expect_refused("Basic YW=pY2U6cGFzcw==");
    expect_refused("Basic ====");
    expect_refused("Basic YTpi=");
    // The bits left over after the last byte must be zero: "w==" ends "alice:pass", and so
    // would "x==" if they were ignored.
    expect_refused("Basic YWxpY2U6cGFzcx==");
    expect_refused("Basic YWxpY2U6cGE6c3N=");
}

TEST(BasicCredentials, CharactersOutsideTheAlphabet) {
    // base64url's '-' and '_' for '+' and '/', and others; ab:?>? encodes with both + and /.
    expect_credentials("Basic YWI6Pz4/", "ab", "?>?");
    expect_credentials("Basic YWI6+/v7", "ab", "\xfb\xfb\xfb");
    expect_refused("Basic YWI6-_v7");
    expect_refused("Basic YWI6Pz4_");
    expect_refused("Basic YWxpY2U6cGFzcw.=");
    expect_refused("Basic YWxpY2U6cGFzcw!=");
    expect_refused("Basic YWxpY2U6cGF\xc3\xa9zcw==");
    expect_refused("Basic YWxpY2U6cGFzcw==,");
    expect_refused("Basic YWxp\0Y2U6cGFzcw=="sv);
}

TEST(BasicCredentials, SplitsAtTheFirstColon) {
    expect_credentials("Basic YWxpY2U6cGE6c3M=", "alice", "pa:ss");
    expect_credentials("Basic " + base64("alice:::"), "alice", "::");
    expect_refused("Basic YWxpY2VwYXNz"); // "alicepass"
    expect_refused("Basic " + base64(""));
}

TEST(BasicCredentials, EmptyParts) {
    // Syntax allows both; whether an empty user-id can log in is for the caller to decide.
    expect_credentials("Basic OnBhc3M=", "", "pass");
    expect_credentials("Basic YWxpY2U6", "alice", "");
    expect_credentials("Basic Og==", "", "");
}

TEST(BasicCredentials, ControlCharacters) {
    expect_refused("Basic YWxpY2U6cGEJc3M="); // "alice:pa\tss"
    expect_refused("Basic YWxpAGNlOnBhc3M="); // "ali\0ce:pass"
    expect_refused("Basic YWxpY2U6cGFzc38="); // "alice:pass\x7f"
    expect_refused("Basic YWxpY2UNCjp4");     // "alice\r\n:x"
    // Every byte, alone in the password: refused exactly when it is a control.
    for (int b = 0; b < 256; ++b) {
        const std::string password(1, static_cast<char>(b));
        const auto c = parse_basic_authorization("Basic " + base64("u:" + password));
        const bool control = b < 0x20 || b == 0x7f;
        EXPECT_EQ(c.has_value(), !control) << b;
        if (c) {
            EXPECT_EQ(c->password, password) << b;
        }
    }
}

TEST(BasicCredentials, BytesAboveAsciiPassThrough) {
    expect_credentials("Basic asO2cmc6cMOkc3N3w7ZyZA==", "j\xc3\xb6rg", "p\xc3\xa4ssw\xc3\xb6rd");
    // Not UTF-8 at all: still passed on, not pier's to judge.
    expect_credentials("Basic YWxpY2U6//4=", "alice", "\xff\xfe");
}

TEST(BasicCredentials, SizeLimit) {
    // Three sizes at or under the limit and three over it, so that every amount of padding is
    // seen on both sides (4096 bytes encode with "==").
    for (std::size_t size = kMaxBasicCredentials - 2; size <= kMaxBasicCredentials + 3; ++size) {
        const std::string password(size - 2, 'p');
        const std::string field = "Basic " + base64("u:" + password);
        if (size <= kMaxBasicCredentials) {
            expect_credentials(field, "u", password);
        } else {
            expect_refused(field);
        }
    }
}

} // namespace
} // namespace pier::auth
