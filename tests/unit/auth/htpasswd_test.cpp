#include "auth/htpasswd.hpp"
#include "auth/password.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace pier::auth {
namespace {

using namespace std::string_view_literals;

// From htpasswd -nb{B,5,2,m,s,d} alice 'correct horse' (see password_test.cpp).
constexpr std::string_view kBcrypt = "$2y$04$Mf5Px7wRk0X1yBAKzRyU5eaCTfrhfXGc0QkgZmmLR7pefaNhhzRv6";
constexpr std::string_view kSha512 =
    "$6$hOTLXwCfwpH19aQD$1VUYMSbQfUUSoeZs6HA8SwmNrVHqq2mM3k/XSBqVJjnpaYJBRFrHL4GvqwCqixq1gsm7ufs4oN"
    "hF8Qxm8UTso/";
constexpr std::string_view kSha256 =
    "$5$BS4gHVc5g3IZfb.g$cfnSEXXhayxf9546sWNfhh3VP5K8vCyH79wSOzwdU90";
constexpr std::string_view kYescrypt =
    "$y$j8T$.C7YvDg5igC0b67mO/O3J0$3/bxOKIWkMw0p4DZKLs.pkF/WPDczZy/YRDu9FKo076";
constexpr std::string_view kApr1 = "$apr1$3WYrlDVV$jPbCFxSe7y8tD8NRFz4mj0";
constexpr std::string_view kSha1 = "{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=";
constexpr std::string_view kDes = "izdk1Ds3YtDH6";

std::string line(std::string_view user, std::string_view hash) {
    return std::string(user) + ":" + std::string(hash) + "\n";
}

// The error for `text`, which must have one and no entries with it.
std::string error_of(std::string_view text, const HtpasswdLimits& limits = {}) {
    const Htpasswd h = parse_htpasswd(text, limits);
    EXPECT_TRUE(h.entries.empty()) << text;
    EXPECT_FALSE(h.error.empty()) << text;
    return h.error;
}

TEST(Htpasswd, ReadsEveryKind) {
    const std::string text = line("alice", kBcrypt) + line("bob", kSha512) +
                             line("carol", kSha256) + line("dave", kYescrypt) +
                             line("erin", kApr1) + line("frank", kSha1) + line("grace", kDes);
    const Htpasswd h = parse_htpasswd(text);
    ASSERT_EQ(h.error, "");
    ASSERT_EQ(h.entries.size(), 7u);
    const HashKind kinds[] = {HashKind::bcrypt,   HashKind::sha512_crypt, HashKind::sha256_crypt,
                              HashKind::yescrypt, HashKind::apr1,         HashKind::sha1,
                              HashKind::des};
    for (std::size_t i = 0; i < 7; ++i) {
        EXPECT_EQ(hash_kind(h.entries[i].hash), kinds[i]) << i;
        EXPECT_EQ(h.entries[i].line, i + 1);
    }
    EXPECT_EQ(h.entries[0].user, "alice");
    EXPECT_EQ(h.entries[0].hash, kBcrypt);
    EXPECT_EQ(h.entries[6].user, "grace");
    EXPECT_EQ(h.entries[6].hash, kDes);
}

TEST(Htpasswd, SkipsCommentsAndBlankLinesCountingThem) {
    const std::string text = "# written by htpasswd\n"
                             "\n"
                             "   \t\n" +
                             line("alice", kApr1) + "#bob:" + std::string(kApr1) + "\n" +
                             line("carol", kSha1);
    const Htpasswd h = parse_htpasswd(text);
    ASSERT_EQ(h.error, "");
    ASSERT_EQ(h.entries.size(), 2u);
    EXPECT_EQ(h.entries[0].user, "alice");
    EXPECT_EQ(h.entries[0].line, 4u);
    EXPECT_EQ(h.entries[1].user, "carol");
    EXPECT_EQ(h.entries[1].line, 6u);
}

TEST(Htpasswd, LineEndings) {
    const std::string bare = "alice:" + std::string(kApr1) + "\r\nbob:" + std::string(kSha1);
    for (const std::string& text : {bare, bare + "\n", bare + "\r\n"}) {
        const Htpasswd h = parse_htpasswd(text);
        ASSERT_EQ(h.error, "") << text;
        ASSERT_EQ(h.entries.size(), 2u);
        EXPECT_EQ(h.entries[0].hash, kApr1); // no CR left on it
        EXPECT_EQ(h.entries[1].hash, kSha1);
        EXPECT_EQ(h.entries[1].line, 2u);
    }
}

TEST(Htpasswd, EmptyFiles) {
    for (const std::string_view text : {""sv, "\n"sv, "\r\n"sv, "# nobody yet\n"sv}) {
        const Htpasswd h = parse_htpasswd(text);
        EXPECT_EQ(h.error, "") << text;
        EXPECT_TRUE(h.entries.empty()) << text;
    }
}

TEST(Htpasswd, TextAfterASecondColonIsAComment) {
    const Htpasswd h = parse_htpasswd("alice:" + std::string(kApr1) + ":Alice Liddell, room 12\n");
    ASSERT_EQ(h.error, "");
    ASSERT_EQ(h.entries.size(), 1u);
    EXPECT_EQ(h.entries[0].hash, kApr1);
}

TEST(Htpasswd, UserNamesAreBytes) {
    // Case matters, and UTF-8 and spaces are kept as they are.
    const std::string text = line("bob", kApr1) + line("Bob", kApr1) + line("j\xc3\xb6rg", kApr1) +
                             line("mary ann", kApr1);
    const Htpasswd h = parse_htpasswd(text);
    ASSERT_EQ(h.error, "");
    ASSERT_EQ(h.entries.size(), 4u);
    EXPECT_EQ(h.entries[2].user, "j\xc3\xb6rg");
    EXPECT_EQ(h.entries[3].user, "mary ann");
}

TEST(Htpasswd, NoColon) {
    EXPECT_EQ(error_of(line("alice", kApr1) + "# ok\nbob\n"), "line 3: no ':' between user name "
                                                              "and hash");
}

TEST(Htpasswd, EmptyUser) {
    EXPECT_EQ(error_of(line("alice", kApr1) + line("", kApr1)), "line 2: empty user name");
}

TEST(Htpasswd, ControlCharacterInUser) {
    for (const std::string_view user : {"bo\tb"sv, "bob\x7f"sv, "\x1b[31mbob"sv, "b\0b"sv}) {
        EXPECT_EQ(error_of("\n" + line(user, kApr1)),
                  "line 2: the user name contains a control character")
            << user;
    }
    // A CR that is not right before the LF belongs to the line.
    EXPECT_EQ(error_of("bob\r:" + std::string(kApr1)),
              "line 1: the user name contains a control character");
}

TEST(Htpasswd, EmptyHash) {
    EXPECT_EQ(error_of("alice:\n"), "line 1: no hash for user 'alice'");
    EXPECT_EQ(error_of("alice::a comment\n"), "line 1: no hash for user 'alice'");
    EXPECT_EQ(error_of(line("alice", kApr1) + "bob:\r\n"), "line 2: no hash for user 'bob'");
}

TEST(Htpasswd, BlankOrControlInHash) {
    const std::string expected = "line 1: the hash for user 'bob' contains a space or a control "
                                 "character";
    EXPECT_EQ(error_of("bob:" + std::string(kApr1) + " \n"), expected);
    EXPECT_EQ(error_of("bob:" + std::string(kApr1) + "\t\n"), expected);
    EXPECT_EQ(error_of("bob: " + std::string(kApr1) + "\n"), expected);
    EXPECT_EQ(error_of("bob:" + std::string(kApr1) + "\r\r\n"), expected);
}

TEST(Htpasswd, HashPierDoesNotAccept) {
    const std::string_view refused[] = {
        "plaintext",                     // htpasswd -p
        "$1$xyz$E2BtqrT11oQN8kmxYoxsp1", // openssl passwd -1
        kBcrypt.substr(0, 59),           // cut short
        "{SSHA}L55TUjtiq8FBorTWAZ0jy6g129A=",
    };
    for (const std::string_view hash : refused) {
        const std::string error = error_of(line("alice", kApr1) + line("bob", hash));
        EXPECT_EQ(error, "line 2: the hash for user 'bob' is damaged or in a format pier does not "
                         "accept (pier accepts bcrypt, SHA-256-crypt, SHA-512-crypt, yescrypt, "
                         "apr1, {SHA} and DES crypt)")
            << hash;
    }
}

TEST(Htpasswd, UserDefinedTwice) {
    const std::string text = "# users\n" + line("bob", kApr1) + line("alice", kSha1) + "\n\n" +
                             line("carol", kDes) + line("bob", kBcrypt);
    EXPECT_EQ(error_of(text), "line 7: user 'bob' is already defined on line 2");
}

TEST(Htpasswd, MessagesNeverQuoteAHashOrALine) {
    // A password typed where a line belongs must not end up in a log.
    for (const std::string_view text :
         {"hunter2\n"sv, "bob:hunter2\n"sv, ":hunter2\n"sv, "b\x01:hunter2\n"sv}) {
        const std::string error = error_of(text);
        EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
    }
}

// Padding made of comment lines, so that `text` ends up exactly `size` bytes long.
std::string padded_to(std::size_t size, const std::string& text) {
    std::string out;
    while (out.size() + text.size() < size) {
        const std::size_t room = size - text.size() - out.size();
        const std::size_t len = std::min<std::size_t>(room, 1000);
        out += "#" + std::string(len - 1, 'x');
        out.back() = '\n';
    }
    return out + text;
}

TEST(Htpasswd, SizeLimit) {
    const std::string entry = line("alice", kApr1);
    const std::string at_limit = padded_to(std::size_t{1} << 20, entry);
    ASSERT_EQ(at_limit.size(), std::size_t{1} << 20);
    const Htpasswd h = parse_htpasswd(at_limit);
    EXPECT_EQ(h.error, "");
    EXPECT_EQ(h.entries.size(), 1u);

    EXPECT_EQ(error_of(at_limit + "\n"), "the file has 1048577 bytes; pier reads at most 1048576");
    EXPECT_EQ(error_of("alice:", {.max_size = 5, .max_entries = 10}),
              "the file has 6 bytes; pier reads at most 5");
}

TEST(Htpasswd, EntryLimit) {
    const HtpasswdLimits three{.max_size = 1 << 20, .max_entries = 3};
    const std::string text =
        line("a", kDes) + "# not an entry\n" + line("b", kDes) + line("c", kDes);
    EXPECT_EQ(parse_htpasswd(text, three).entries.size(), 3u);
    EXPECT_EQ(error_of(text + line("d", kDes), three), "line 5: more than 3 users");
}

TEST(Htpasswd, DefaultEntryLimit) {
    // 100,000 entries do not fit in the default 1 MiB, so the size limit is lifted to see the
    // entry limit itself.
    std::string text;
    for (unsigned i = 0; i < 100'000; ++i) text += line("u" + std::to_string(i), kDes);
    const HtpasswdLimits big{.max_size = 4 << 20};
    const Htpasswd h = parse_htpasswd(text, big);
    EXPECT_EQ(h.error, "");
    EXPECT_EQ(h.entries.size(), 100'000u);
    EXPECT_EQ(error_of(text + line("one_more", kDes), big), "line 100001: more than 100000 users");
    EXPECT_EQ(error_of(text),
              "the file has " + std::to_string(text.size()) + " bytes; pier reads at most 1048576");
}

} // namespace
} // namespace pier::auth
