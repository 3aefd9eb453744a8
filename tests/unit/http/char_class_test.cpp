#include "http/char_class.hpp"

#include <gtest/gtest.h>

namespace pier::detail {
namespace {

TEST(CharClass, TokenCharactersAreExactlyRfc9110Tchar) {
    const std::string_view tchar_symbols = "!#$%&'*+-.^_`|~";
    for (int c = 0; c < 256; ++c) {
        const char ch = static_cast<char>(c);
        const bool expected = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                              (c >= 'A' && c <= 'Z') ||
                              (c != 0 && tchar_symbols.find(ch) != std::string_view::npos);
        EXPECT_EQ(is_tchar(ch), expected) << "byte " << c;
    }
}

TEST(CharClass, FieldValueCharactersExcludeControlsButAllowObsText) {
    EXPECT_TRUE(is_field_vchar(' '));
    EXPECT_TRUE(is_field_vchar('\t'));
    EXPECT_TRUE(is_field_vchar('~'));
    EXPECT_TRUE(is_field_vchar('\x80'));
    EXPECT_TRUE(is_field_vchar('\xff'));
    EXPECT_FALSE(is_field_vchar('\0'));
    EXPECT_FALSE(is_field_vchar('\r'));
    EXPECT_FALSE(is_field_vchar('\n'));
    EXPECT_FALSE(is_field_vchar('\x7f'));
    EXPECT_FALSE(is_field_vchar('\x1f'));
}

TEST(CharClass, CaseInsensitiveCompareAndTrim) {
    EXPECT_TRUE(iequals("Content-Length", "content-LENGTH"));
    EXPECT_FALSE(iequals("Content-Length", "Content-Lengt"));
    EXPECT_FALSE(iequals("a", "\x41\x01"));
    EXPECT_EQ(trim_ows(" \t gzip \t"), "gzip");
    EXPECT_EQ(trim_ows(" \t "), "");
    EXPECT_EQ(hex_value('f'), 15);
    EXPECT_EQ(hex_value('A'), 10);
    EXPECT_EQ(hex_value('7'), 7);
    EXPECT_TRUE(is_token("GET"));
    EXPECT_FALSE(is_token(""));
    EXPECT_FALSE(is_token("GE T"));
}

} // namespace
} // namespace pier::detail
