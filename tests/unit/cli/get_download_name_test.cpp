#include "cli/get_download_name.hpp"

#include <gtest/gtest.h>

namespace pier::cli {
namespace {

TEST(UrlFileName, IsTheLastPathSegment) {
    EXPECT_EQ(url_file_name("http://h/a/b.txt"), "b.txt");
    EXPECT_EQ(url_file_name("http://h/a/b.txt?x=/y#z/w"), "b.txt");
    EXPECT_EQ(url_file_name("h:8080/b%20c.txt"), "b%20c.txt"); // not decoded, as curl's -O
    EXPECT_EQ(url_file_name("http://h/a/"), "");
    EXPECT_EQ(url_file_name("http://h"), "");
}

TEST(HeaderFileName, TakesTheFileName) {
    EXPECT_EQ(header_file_name("attachment; filename=report.pdf"), "report.pdf");
    EXPECT_EQ(header_file_name("attachment; filename=\"a b.txt\""), "a b.txt");
    EXPECT_EQ(header_file_name("INLINE; FILENAME=\"x.txt\""), "x.txt");
}

TEST(HeaderFileName, PrefersTheExtendedName) {
    // RFC 6266 §4.3: filename* (RFC 8187) wins over filename, whichever comes first.
    EXPECT_EQ(header_file_name("attachment; filename=\"EUR rates.txt\"; "
                               "filename*=UTF-8''%e2%82%ac%20rates.txt"),
              "\xe2\x82\xac rates.txt");
    EXPECT_EQ(header_file_name("attachment; filename*=UTF-8''%e2%82%ac.txt; filename=e.txt"),
              "\xe2\x82\xac.txt");
    EXPECT_EQ(header_file_name("attachment; filename*=iso-8859-1'en'%a3%20rates.txt"),
              "\xc2\xa3 rates.txt");
}

TEST(HeaderFileName, DropsDirectories) {
    EXPECT_EQ(header_file_name("attachment; filename=\"../../etc/passwd\""), "passwd");
    EXPECT_EQ(header_file_name("attachment; filename=\"/etc/passwd\""), "passwd");
    EXPECT_EQ(header_file_name("attachment; filename=\"..\\\\..\\\\win.ini\""), "win.ini");
    EXPECT_EQ(header_file_name("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"), "passwd");
}

TEST(HeaderFileName, MakesNoHiddenFile) {
    EXPECT_EQ(header_file_name("attachment; filename=.bashrc"), "bashrc");
    EXPECT_EQ(header_file_name("attachment; filename=\"../..bashrc\""), "bashrc");
    EXPECT_EQ(header_file_name("attachment; filename=\"...\""), std::nullopt);
    EXPECT_EQ(header_file_name("attachment; filename=\"a/..\""), std::nullopt);
    EXPECT_EQ(header_file_name("attachment; filename=\"a/.\""), std::nullopt);
}

TEST(HeaderFileName, RefusesControlsAndBrokenText) {
    EXPECT_EQ(header_file_name("attachment; filename*=UTF-8''a%00b"), std::nullopt);
    EXPECT_EQ(header_file_name("attachment; filename*=UTF-8''a%1b%5b2Jb"), std::nullopt);
    EXPECT_EQ(header_file_name("attachment; filename*=UTF-8''a%0d%0ab"), std::nullopt);
    EXPECT_EQ(header_file_name("attachment; filename*=UTF-8''a%ffb"), std::nullopt);
    EXPECT_EQ(header_file_name(std::string_view("attachment; filename=\"a\0b\"", 26)),
              std::nullopt);
}

TEST(HeaderFileName, NoneWithoutAName) {
    EXPECT_EQ(header_file_name("inline"), std::nullopt);
    EXPECT_EQ(header_file_name("attachment"), std::nullopt);
    EXPECT_EQ(header_file_name("attachment; filename="), std::nullopt);
    EXPECT_EQ(header_file_name(""), std::nullopt);
    EXPECT_EQ(header_file_name("attachment; filename=a; filename=b"), std::nullopt);
}

TEST(HeaderFileName, ShortensLongNames) {
    const std::string name = std::string(300, 'a') + ".txt";
    const auto got = header_file_name("attachment; filename=" + name);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->size(), 255u);
    EXPECT_TRUE(got->ends_with(".txt"));
}

} // namespace
} // namespace pier::cli
