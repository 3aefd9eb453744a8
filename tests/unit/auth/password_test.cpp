#include "auth/password.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace pier::auth {
namespace {

using namespace std::string_view_literals;

// Hashes made by the tools people use to write htpasswd files, pasted as they came out:
//   htpasswd  Apache 2.4 (apache2-utils, Debian 12): -B -C 4, -5, -2, -m, -s, -d
//   openssl   OpenSSL 3.0 `openssl passwd`: its own apr1 and SHA-crypt, not libxcrypt's
//   libxcrypt Debian 12's libxcrypt 4.4.33 via crypt_gensalt + crypt (what mkpasswd and
//             Python's crypt module call), for the schemes neither tool writes
struct Fixture {
    std::string_view hash;
    std::string_view password;
    HashKind kind;
};

constexpr std::string_view kPassword = "correct horse";

const Fixture kFixtures[] = {
    // htpasswd -nbB -C 4
    {"$2y$04$Mf5Px7wRk0X1yBAKzRyU5eaCTfrhfXGc0QkgZmmLR7pefaNhhzRv6", kPassword, HashKind::bcrypt},
    // libxcrypt, $2b$ and $2a$ settings
    {"$2b$04$N.tyePlz5wYIRhn7JvTeq.lmCP8wx6Ye0m4FS2sU4tkcGgUbsnC4W", kPassword, HashKind::bcrypt},
    {"$2a$04$W8Pf.ofwkf6kVEopCjiZDOXY2ic6xrMN3oW91r8rh4gw9kN9.tYNu", kPassword, HashKind::bcrypt},
    // htpasswd -nb5
    {"$6$hOTLXwCfwpH19aQD$1VUYMSbQfUUSoeZs6HA8SwmNrVHqq2mM3k/XSBqVJjnpaYJBRFrHL4GvqwCqixq1gsm7ufs4"
     "oNhF8Qxm8UTso/",
     kPassword, HashKind::sha512_crypt},
    // openssl passwd -6 -salt saltsalt
    {"$6$saltsalt$hRM5XZ86KXEw9UOmjigeVqFgULtFB2sgpC9lXQDfMib3Zgw7mEiUvBJI2EplzfAqxL5Vvwp2scFtv/"
     "uamSo5z0",
     kPassword, HashKind::sha512_crypt},
    {"$6$saltsalt$TQjRhpJdqmLx0U8it3EsUajwkmOMMvw5vhUFc7mohzFFoj/QHrfYUHU1oSkwyCEoTUCDOiAOW135nel3"
     "bqtKe.",
     "p\xc3\xa4ssw\xc3\xb6rd", HashKind::sha512_crypt},
    // htpasswd -nb2; htpasswd -nb2 -r 1000; openssl passwd -5 -salt saltsalt and
    // -salt 'rounds=1000$abc'
    {"$5$BS4gHVc5g3IZfb.g$cfnSEXXhayxf9546sWNfhh3VP5K8vCyH79wSOzwdU90", kPassword,
     HashKind::sha256_crypt},
    {"$5$rounds=1000$tXDTXLikUDgX8x1a$3m8Kn2a2RcQZI3mmRbIucERtvAbWJy0u4A7kHIDnNhA", kPassword,
     HashKind::sha256_crypt},
    {"$5$saltsalt$myjXcpMpE2Ofk7fj9hqyNYSn6lmWG4Mqnjx.KIRRr4/", kPassword, HashKind::sha256_crypt},
    {"$5$rounds=1000$abc$/cRuvrIiQqQvcPwD.a/LO47x90cA9f8oqYBouKihds1", kPassword,
     HashKind::sha256_crypt},
    // libxcrypt: yescrypt at the default cost (mkpasswd's) and, to keep the tests quick, the
    // lowest cost for yescrypt, gost-yescrypt and scrypt ($7$ with N = 2^11, r = 1)
    {"$y$j9T$5.G0viRNdUeA6AbB9eUSL1$EoLqwDZwIdPxWgGZGYJe7Y.r.YZ7AuMdAx.7q3GyVMC", kPassword,
     HashKind::yescrypt},
    {"$y$j75$zKs6RAj157aMfyEmiw0zY1$upT1PW.roo2dKH7xpJMuSC2aIv.doufA5cjMIVvnymA", kPassword,
     HashKind::yescrypt},
    {"$gy$j75$8n.e3U0tp5jLOuR56BrQg/$Vqu/wPzvDICGHLfnYouezI.wL9Qypvfq7HctEvEzIp5", kPassword,
     HashKind::yescrypt},
    {"$7$9/..../....gFp3vgYe5JCkURiuxqIKi0$lobwxTP.64eaUh9WyVBzHnBEnPnGIaDS8m3AFz9TqF3", kPassword,
     HashKind::yescrypt},
    // htpasswd -nbm, with a password of non-ASCII bytes and colons
    {"$apr1$3WYrlDVV$jPbCFxSe7y8tD8NRFz4mj0", kPassword, HashKind::apr1},
    {"$apr1$F8W.fOu0$o/Ofm7DWPfGfDt/bcYiM7/", "p\xc3\xa4ssw\xc3\xb6rd:with:colons", HashKind::apr1},
    // openssl passwd -apr1: a short salt, an empty one, one with every kind of digit
    {"$apr1$xyz$Ca6/9WC27B2EAPaaVyQAn.", "pass", HashKind::apr1},
    {"$apr1$$Kk3FVxmBymAi8nmLHdg0s/", kPassword, HashKind::apr1},
    {"$apr1$ab.d/fgh$F9SHBAJVCG0x2.S7H8aPz.", "p\xc3\xa4ssw\xc3\xb6rd", HashKind::apr1},
    // htpasswd -nbs
    {"{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=", kPassword, HashKind::sha1},
    // htpasswd -nbd
    {"izdk1Ds3YtDH6", kPassword, HashKind::des},
};

TEST(Password, FixturesHaveTheirKind) {
    for (const Fixture& f : kFixtures) EXPECT_EQ(hash_kind(f.hash), f.kind) << f.hash;
}

TEST(Password, RightPasswordMatches) {
    for (const Fixture& f : kFixtures) EXPECT_TRUE(verify_password(f.hash, f.password)) << f.hash;
}

TEST(Password, WrongPasswordDoesNotMatch) {
    for (const Fixture& f : kFixtures) {
        const std::string password(f.password);
        // DES stops at 8 bytes: a longer password is checked by DesReadsEightBytes.
        if (f.kind != HashKind::des) {
            EXPECT_FALSE(verify_password(f.hash, password + "!")) << f.hash;
        }
        EXPECT_FALSE(verify_password(f.hash, "Correct horse")) << f.hash;
        EXPECT_FALSE(verify_password(f.hash, "")) << f.hash;
        // One byte changed in the middle, not only at the end.
        std::string flipped = password;
        flipped[flipped.size() / 2] ^= 0x20;
        EXPECT_FALSE(verify_password(f.hash, flipped)) << f.hash;
    }
}

// Every proper prefix of a hash — what a copy and paste cut short leaves — is refused before
// any hashing, and never matches.
TEST(Password, TruncatedHashNeverMatches) {
    for (const Fixture& f : kFixtures) {
        for (std::size_t n = 0; n < f.hash.size(); ++n) {
            const std::string_view cut = f.hash.substr(0, n);
            EXPECT_EQ(hash_kind(cut), HashKind::unsupported) << cut;
            EXPECT_FALSE(verify_password(cut, f.password)) << cut;
        }
    }
}

// Each is shaped like a hash of its kind, so it reaches libxcrypt, which refuses the setting
// ("*0"). Each would match if the broken part were repaired (see kFixtures).
TEST(Password, SettingLibxcryptRefusesNeverMatches) {
    const std::string_view refused[] = {
        // bcrypt costs run from 04 to 31.
        "$2y$99$Mf5Px7wRk0X1yBAKzRyU5eaCTfrhfXGc0QkgZmmLR7pefaNhhzRv6",
        "$2y$03$Mf5Px7wRk0X1yBAKzRyU5eaCTfrhfXGc0QkgZmmLR7pefaNhhzRv6",
        // '*' is not allowed in a salt.
        "$6$hOTLXw*fwpH19aQD$1VUYMSbQfUUSoeZs6HA8SwmNrVHqq2mM3k/"
        "XSBqVJjnpaYJBRFrHL4GvqwCqixq1gsm7ufs4"
        "oNhF8Qxm8UTso/",
        // Rounds beyond 999,999,999, and rounds=0, are refused rather than clamped.
        "$6$rounds=999999999999$hOTLXwCfwpH19aQD$1VUYMSbQfUUSoeZs6HA8SwmNrVHqq2mM3k/"
        "XSBqVJjnpaYJBRFr"
        "HL4GvqwCqixq1gsm7ufs4oNhF8Qxm8UTso/",
        "$5$rounds=0$tXDTXLikUDgX8x1a$3m8Kn2a2RcQZI3mmRbIucERtvAbWJy0u4A7kHIDnNhA",
        // yescrypt parameters that do not decode, or are missing.
        "$y$j.T$.C7YvDg5igC0b67mO/O3J0$3/bxOKIWkMw0p4DZKLs.pkF/WPDczZy/YRDu9FKo076",
        "$7$zU..../....gFp3vgYe5JCkURiuxqIKi0$fUALvpRJH8FQA0o2HTU1YRJ9c8RwuEKCLzCVQbQ7Nf0",
    };
    for (const std::string_view hash : refused) {
        EXPECT_NE(hash_kind(hash), HashKind::unsupported) << hash;
        EXPECT_FALSE(verify_password(hash, kPassword)) << hash;
    }
}

TEST(Password, BcryptDigestWithUnusedBitsSetNeverMatches) {
    // The last digit of a bcrypt digest carries 2 unused bits; libxcrypt computes ...Rv6 for
    // this setting, and the comparison is of text, so the other spelling does not match.
    const std::string_view hash = "$2y$04$Mf5Px7wRk0X1yBAKzRyU5eaCTfrhfXGc0QkgZmmLR7pefaNhhzRv7";
    EXPECT_EQ(hash_kind(hash), HashKind::bcrypt);
    EXPECT_FALSE(verify_password(hash, kPassword));
}

TEST(Password, EmptyPassword) {
    // htpasswd -nbm alice '' and htpasswd -nbs alice ''
    EXPECT_TRUE(verify_password("$apr1$x2XuLbvz$kqjlcTSIcfPGLYW0T8B0f/", ""));
    EXPECT_FALSE(verify_password("$apr1$x2XuLbvz$kqjlcTSIcfPGLYW0T8B0f/", " "));
    EXPECT_TRUE(verify_password("{SHA}2jmj7l5rSw0yVb/vlWAYkK/YBwk=", ""));
    EXPECT_FALSE(verify_password("{SHA}2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "\x01"));
    // openssl passwd -apr1 -salt ab.d/fgh ''
    EXPECT_TRUE(verify_password("$apr1$ab.d/fgh$f.eJSPYXHN416Ene233Eb/", ""));
}

TEST(Password, NulInPasswordNeverMatches) {
    // crypt_r would stop at the NUL and match "correct horse".
    const std::string with_nul("correct horse\0suffix", 20);
    for (const Fixture& f : kFixtures) {
        if (f.password != kPassword) continue;
        EXPECT_FALSE(verify_password(f.hash, with_nul)) << f.hash;
    }
    EXPECT_FALSE(verify_password("$apr1$xyz$Ca6/9WC27B2EAPaaVyQAn.", "pass\0"sv));
}

TEST(Password, LongPasswords) {
    const std::string hundred = [] {
        std::string s;
        for (int i = 0; i < 10; ++i) s += "0123456789";
        return s;
    }();
    // htpasswd -nbm alice <hundred>: apr1 takes every byte.
    EXPECT_TRUE(verify_password("$apr1$0uSCSEE.$QExHrkoyn2GL01LUHaPXL.", hundred));
    EXPECT_FALSE(verify_password("$apr1$0uSCSEE.$QExHrkoyn2GL01LUHaPXL.", hundred.substr(0, 99)));
    // openssl passwd -apr1 -salt abcdefgh <256 times x>: OpenSSL's limit, and htpasswd's.
    EXPECT_TRUE(verify_password("$apr1$abcdefgh$eLVoX6kfOJLEBWboqmhWc.", std::string(256, 'x')));
    EXPECT_FALSE(verify_password("$apr1$abcdefgh$eLVoX6kfOJLEBWboqmhWc.", std::string(257, 'x')));

    // bcrypt reads only the first 72 bytes: that is bcrypt, not pier. htpasswd -nbB -C 4 alice
    // <hundred>, then the same with its first 72 bytes only.
    const std::string_view bcrypt_hundred =
        "$2y$04$dWKBOWF3ixsAjDhpTlByy.VxrzWH.54VpFuJa2z8cUXAklE3awMIa";
    const std::string_view bcrypt_72 =
        "$2y$04$G/VACYDeF3WPFZf6STyTIOqat/c835BWyhAfNQ8E7atCSuq4YSBTu";
    EXPECT_TRUE(verify_password(bcrypt_hundred, hundred));
    EXPECT_TRUE(verify_password(bcrypt_hundred, hundred.substr(0, 72) + "anything after 72"));
    EXPECT_FALSE(verify_password(bcrypt_hundred, hundred.substr(0, 71)));
    EXPECT_TRUE(verify_password(bcrypt_72, hundred));

    // libxcrypt takes at most 511 bytes (CRYPT_MAX_PASSPHRASE_SIZE - 1); beyond, nothing
    // matches. Python's crypt.crypt("y" * 511, "$6$saltsalt"); for 512 bytes it gives "*0".
    const std::string_view sha512_511 = "$6$saltsalt$QHurfBIP.ouVxIiFSyNyrCUiWRKrEF9qyXJKVcN1zv6Wm/"
                                        "qF0oCqrkl2sZJO2IDbDjK.0fieGMHlXo0F"
                                        "qqVWS1";
    EXPECT_TRUE(verify_password(sha512_511, std::string(511, 'y')));
    EXPECT_FALSE(verify_password(sha512_511, std::string(512, 'y')));
}

TEST(Password, DesReadsEightBytes) {
    // htpasswd -d warns "Password truncated to 8 characters": the rest is not checked.
    EXPECT_TRUE(verify_password("izdk1Ds3YtDH6", "correct "));
    EXPECT_TRUE(verify_password("izdk1Ds3YtDH6", "correct anything"));
    EXPECT_FALSE(verify_password("izdk1Ds3YtDH6", "correct"));
}

TEST(Password, UnsupportedNeverMatches) {
    struct C {
        std::string_view hash;
        std::string_view password; // what the hash is of, or the text itself
    };
    const C cases[] = {
        // Plaintext, as htpasswd -p writes it: never on Unix.
        {"correct horse", "correct horse"},
        {"", ""},
        // Schemes libxcrypt checks but no htpasswd tool writes: MD5-crypt (openssl passwd -1),
        // BSDi DES, NTHASH, SunMD5, SHA1-crypt.
        {"$1$xyz$E2BtqrT11oQN8kmxYoxsp1", "pass"},
        {"_J9..maNEFL37WyZNekc", "correct horse"},
        {"$3$$cfc43211ba8dc470832267827cac1407", "correct horse"},
        {"$md5,rounds=96803$NY8zPAaH$$Vwsaom001Pi9vBXrBWU4Y/", "correct horse"},
        {"$sha1$233940$icsaYwwHvGbjZimx5yne$ytYI7o0vh7QBBdhSR8hUyD83GRhO", "correct horse"},
        // bcrypt's $2x$ marks hashes made by a buggy implementation.
        {"$2x$04$Mf5Px7wRk0X1yBAKzRyU5eaCTfrhfXGc0QkgZmmLR7pefaNhhzRv6", kPassword},
        // LDAP's salted {SSHA}.
        {"{SSHA}L55TUjtiq8FBorTWAZ0jy6g129A=", kPassword},
        // Failure strings of crypt(3) as stored values.
        {"*0", ""},
        {"*", ""},
        {"!", ""},
    };
    for (const C& c : cases) {
        EXPECT_EQ(hash_kind(c.hash), HashKind::unsupported) << c.hash;
        EXPECT_FALSE(verify_password(c.hash, c.password)) << c.hash;
    }
}

TEST(Password, DamagedShapesAreUnsupported) {
    const std::string_view damaged[] = {
        // A stray blank or line ending around a good hash.
        "$apr1$xyz$Ca6/9WC27B2EAPaaVyQAn. ",
        " $apr1$xyz$Ca6/9WC27B2EAPaaVyQAn.",
        "{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=\r",
        "izdk1Ds3YtDH6\n",
        // One character too many.
        "$2y$04$Mf5Px7wRk0X1yBAKzRyU5eaCTfrhfXGc0QkgZmmLR7pefaNhhzRv6x",
        "$apr1$xyz$Ca6/9WC27B2EAPaaVyQAn.x",
        "izdk1Ds3YtDH6x",
        "$5$saltsalt$myjXcpMpE2Ofk7fj9hqyNYSn6lmWG4Mqnjx.KIRRr4/x",
        // A bcrypt cost that is not two digits.
        "$2y$4$$Mf5Px7wRk0X1yBAKzRyU5eaCTfrhfXGc0QkgZmmLR7pefaNhhzRv6",
        // Salts too long: apr1 takes 8, SHA-crypt 16.
        "$apr1$abcdefghi$Ca6/9WC27B2EAPaaVyQAn.",
        "$5$saltsaltsaltsalts$myjXcpMpE2Ofk7fj9hqyNYSn6lmWG4Mqnjx.KIRRr4/",
        // rounds= without a number.
        "$5$rounds=$saltsalt$myjXcpMpE2Ofk7fj9hqyNYSn6lmWG4Mqnjx.KIRRr4/",
        // A SHA-256 digest under the SHA-512 prefix.
        "$6$saltsalt$myjXcpMpE2Ofk7fj9hqyNYSn6lmWG4Mqnjx.KIRRr4/",
        // yescrypt without its parameters.
        "$y$$.C7YvDg5igC0b67mO/O3J0$3/bxOKIWkMw0p4DZKLs.pkF/WPDczZy/YRDu9FKo076",
        // Characters outside the alphabets.
        "izdk1Ds3YtDH+",
        "{SHA}L55TUjtiq8FBorTWAZ0jy6g129A.",
        "{SHA}L55TUjtiq8FBorTWAZ0jy6g129AA",
        "$2y$04$Mf5Px7wRk0X1yBAKzRyU5eaCTfrhfXGc0QkgZmmLR7pefaNhhzR+6",
    };
    for (const std::string_view hash : damaged) {
        EXPECT_EQ(hash_kind(hash), HashKind::unsupported) << hash;
        EXPECT_FALSE(verify_password(hash, kPassword)) << hash;
    }
}

TEST(Password, KindNames) {
    EXPECT_EQ(to_string(HashKind::bcrypt), "bcrypt");
    EXPECT_EQ(to_string(HashKind::sha512_crypt), "SHA-512-crypt");
    EXPECT_EQ(to_string(HashKind::sha256_crypt), "SHA-256-crypt");
    EXPECT_EQ(to_string(HashKind::yescrypt), "yescrypt");
    EXPECT_EQ(to_string(HashKind::apr1), "apr1");
    EXPECT_EQ(to_string(HashKind::sha1), "{SHA}");
    EXPECT_EQ(to_string(HashKind::des), "DES-crypt");
    EXPECT_EQ(to_string(HashKind::unsupported), "unsupported");
}

TEST(ConstantTimeEquals, ComparesBytes) {
    EXPECT_TRUE(constant_time_equals("", ""));
    EXPECT_TRUE(constant_time_equals("secret", "secret"));
    EXPECT_TRUE(constant_time_equals("a\0b"sv, "a\0b"sv));
    EXPECT_FALSE(constant_time_equals("secret", "secreT"));
    EXPECT_FALSE(constant_time_equals("secret", "Secret"));
    EXPECT_FALSE(constant_time_equals("secret", "secret "));
    EXPECT_FALSE(constant_time_equals("secret", ""));
    EXPECT_FALSE(constant_time_equals("a\0b"sv, "a\0c"sv));
    // A prefix is not equal, whichever side it is on.
    EXPECT_FALSE(constant_time_equals("sec", "secret"));
    EXPECT_FALSE(constant_time_equals("secret", "sec"));
}

} // namespace
} // namespace pier::auth
