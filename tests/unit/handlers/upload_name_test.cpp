#include "handlers/upload_name.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pier::handlers {
namespace {

using namespace std::string_view_literals;

std::optional<std::string> safe(std::string_view raw) {
    return safe_upload_name(raw, false);
}

bool ends_on_char_boundary(const std::string& s) {
    // A UTF-8 string cut between characters ends with a complete sequence: its last lead byte
    // announces as many bytes as follow it.
    std::size_t lead = s.size();
    while (lead > 0 && (static_cast<unsigned char>(s[lead - 1]) & 0xc0) == 0x80) --lead;
    if (lead == 0) return s.empty();
    const auto c = static_cast<unsigned char>(s[lead - 1]);
    const std::size_t want = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    return s.size() - (lead - 1) == want;
}

TEST(SafeUploadName, KeepsOrdinaryNames) {
    for (std::string_view name :
         {"report.pdf"sv, "a b.txt"sv, "archive.tar.gz"sv, "README"sv, " leading space.txt"sv,
          "r%22q%22.txt"sv, "%2e%2e"sv, "caf\xc3\xa9.txt"sv, "\xe4\xb8\xad\xe6\x96\x87.txt"sv,
          "\xf0\x9f\x98\x80.png"sv, "a..b"sv, "x.y.z"sv})
        EXPECT_EQ(safe(name), std::string(name)) << name;
}

TEST(SafeUploadName, TakesTheBaseName) {
    EXPECT_EQ(safe("../etc/passwd"), "passwd");
    EXPECT_EQ(safe("/etc/passwd"), "passwd");
    EXPECT_EQ(safe("..\\..\\boot.ini"), "boot.ini");
    EXPECT_EQ(safe("C:\\Users\\me\\a.txt"), "a.txt");
    EXPECT_EQ(safe("\\\\server\\share\\a.txt"), "a.txt");
    EXPECT_EQ(safe("%2e%2e/x"), "x"); // percent-encoding is not decoded: it is a name
    EXPECT_EQ(safe("dir/sub\\mixed/last.txt"), "last.txt");
}

TEST(SafeUploadName, Refuses) {
    for (std::string_view bad : {
             ""sv,
             "."sv,
             ".."sv,
             "a/"sv,
             "a\\"sv,
             "/"sv,
             "../"sv,
             "a/.."sv,
             "a\\."sv,
             "a\0b.txt"sv,
             "a.txt\0.php"sv,
             "\0"sv,
             "\x01"sv,
             "a\x1f"sv,
             "a\x7f.txt"sv,
             "a\r\nb.txt"sv,
             "a\nb"sv,
             "a\tb"sv,
             "nul\0/ok.txt"sv, // a control anywhere
             "\xff.txt"sv,
             "a\xc3"sv,
             "\xc0\xaf.txt"sv,     // invalid, overlong
             "\xed\xa0\x80.txt"sv, // a surrogate
             "\xf4\x90\x80\x80"sv, // past U+10FFFF
             "a."sv,
             "a "sv,
             "a.txt."sv,
             "a.txt "sv,
             "a. ."sv,
             "..."sv,
             " "sv,
             ". ."sv,
             "x/ . "sv,
             ".env"sv,
             ".bashrc"sv,
             "dir/.htaccess"sv,
             ".."sv,
         })
        EXPECT_EQ(safe(bad), std::nullopt) << "'" << bad << "'";
}

TEST(SafeUploadName, HiddenOnlyWhenAllowed) {
    EXPECT_EQ(safe_upload_name(".env", true), ".env");
    EXPECT_EQ(safe_upload_name("x/.bashrc", true), ".bashrc");
    EXPECT_EQ(safe_upload_name("..", true), std::nullopt);
    EXPECT_EQ(safe_upload_name("...", true), std::nullopt);
    EXPECT_EQ(safe_upload_name(".env.", true), std::nullopt);
}

TEST(SafeUploadName, ShortensLongNames) {
    // 255 bytes exactly: kept; one more: shortened, the extension kept.
    const std::string at_limit = std::string(251, 'a') + ".txt";
    EXPECT_EQ(safe(at_limit), at_limit);
    const auto cut = safe(std::string(252, 'a') + ".txt");
    ASSERT_TRUE(cut);
    EXPECT_EQ(*cut, std::string(251, 'a') + ".txt");

    // 10,000 bytes of path and name.
    const auto huge = safe(std::string(5000, 'd') + "/" + std::string(5000, 'n') + ".tar.gz");
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->size(), 255u);
    EXPECT_EQ(*huge, std::string(252, 'n') + ".gz");

    // Multi-byte characters are never split.
    for (std::string_view ch : {"\xc3\xa9"sv, "\xe4\xb8\xad"sv, "\xf0\x9f\x98\x80"sv}) {
        std::string name;
        while (name.size() < 1000) name += ch;
        for (std::string_view ext : {""sv, ".txt"sv, ".x"sv}) {
            const auto s = safe(name + std::string(ext));
            ASSERT_TRUE(s);
            EXPECT_LE(s->size(), 255u);
            EXPECT_GT(s->size(), 255u - ch.size() - ext.size());
            EXPECT_TRUE(s->ends_with(ext));
            EXPECT_TRUE(ends_on_char_boundary(s->substr(0, s->size() - ext.size())));
            EXPECT_TRUE(safe(*s)) << "the result is itself safe";
        }
    }

    // An extension longer than 16 bytes is not kept apart: the name is cut.
    const std::string long_ext = "." + std::string(17, 'e');
    const auto no_ext = safe(std::string(300, 'a') + long_ext);
    ASSERT_TRUE(no_ext);
    EXPECT_EQ(*no_ext, std::string(255, 'a'));
    const std::string ext16 = "." + std::string(16, 'e');
    EXPECT_EQ(safe(std::string(300, 'a') + ext16), std::string(238, 'a') + ext16);

    // A cut that would leave the name ending in dots or spaces drops them.
    const auto trimmed = safe(std::string(250, 'a') + " . . . . . . x" + long_ext);
    ASSERT_TRUE(trimmed);
    EXPECT_EQ(*trimmed, std::string(250, 'a'));
}

TEST(NumberedName, AsBrowsersDo) {
    EXPECT_EQ(numbered_name("report.pdf", 1), "report (1).pdf");
    EXPECT_EQ(numbered_name("report.pdf", 12), "report (12).pdf");
    EXPECT_EQ(numbered_name("archive.tar.gz", 1), "archive (1).tar.gz");
    EXPECT_EQ(numbered_name("a.tar.bz2", 2), "a (2).tar.bz2");
    EXPECT_EQ(numbered_name("a.tar.xz", 3), "a (3).tar.xz");
    EXPECT_EQ(numbered_name("a.TAR.ZST", 4), "a (4).TAR.ZST");
    EXPECT_EQ(numbered_name("notes.tar", 1), "notes (1).tar");
    EXPECT_EQ(numbered_name("README", 1), "README (1)");
    EXPECT_EQ(numbered_name(".bashrc", 1), ".bashrc (1)");
    EXPECT_EQ(numbered_name(".config.json", 1), ".config (1).json");
    EXPECT_EQ(numbered_name("x.y.z", 1), "x.y (1).z");
    EXPECT_EQ(numbered_name("caf\xc3\xa9.txt", 1), "caf\xc3\xa9 (1).txt");
    EXPECT_EQ(numbered_name("a." + std::string(17, 'e'), 1), "a." + std::string(17, 'e') + " (1)");
}

TEST(NumberedName, StaysWithinTheLimit) {
    const std::string name = std::string(251, 'a') + ".txt";
    EXPECT_EQ(numbered_name(name, 1), std::string(247, 'a') + " (1).txt");
    EXPECT_EQ(numbered_name(name, 4294967295u), std::string(238, 'a') + " (4294967295).txt");
    EXPECT_EQ(numbered_name(std::string(248, 'a') + ".tar.gz", 7),
              std::string(244, 'a') + " (7).tar.gz");

    std::string wide;
    while (wide.size() < 252) wide += "\xe4\xb8\xad"; // 252 bytes, 84 characters
    const std::string n = numbered_name(wide, 10);
    EXPECT_LE(n.size(), 255u);
    EXPECT_TRUE(n.ends_with(" (10)"));
    EXPECT_TRUE(ends_on_char_boundary(n.substr(0, n.size() - 5)));
    EXPECT_EQ(n.size(), 249u + 5u);
    EXPECT_TRUE(safe(n));
}

} // namespace
} // namespace pier::handlers
