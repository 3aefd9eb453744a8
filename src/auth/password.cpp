#include "auth/password.hpp"

#include <algorithm>
#include <array>
#include <crypt.h>
#include <memory>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string>

namespace pier::auth {

namespace {

constexpr std::string_view kApr1Prefix = "$apr1$";
constexpr std::string_view kSha1Prefix = "{SHA}";

// The crypt alphabet: "./0-9A-Za-z", the digits of every crypt(3) hash (bcrypt orders them
// differently, but it is the same set).
bool is_crypt64(char c) {
    return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
           (c >= 'a' && c <= 'z');
}

bool all_crypt64(std::string_view s) {
    return std::all_of(s.begin(), s.end(), is_crypt64);
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Salts are usually crypt64 too, but apr1 and the SHA-crypts take any printable byte but the
// '$' that ends them; libxcrypt rejects the ones it does not like, which is then a non-match.
bool is_salt_char(char c) {
    return c > ' ' && c < 0x7f && c != '$' && c != ':';
}

// "salt$digest", with a salt of at most `max_salt` characters and a digest of exactly
// `digest_size`.
bool is_salt_and_digest(std::string_view s, std::size_t max_salt, std::size_t digest_size) {
    const std::size_t dollar = s.find('$');
    if (dollar == std::string_view::npos || dollar > max_salt) return false;
    const std::string_view salt = s.substr(0, dollar);
    const std::string_view digest = s.substr(dollar + 1);
    return std::all_of(salt.begin(), salt.end(), is_salt_char) && digest.size() == digest_size &&
           all_crypt64(digest);
}

// $2b$NN$ then 22 characters of salt and 31 of digest.
bool is_bcrypt(std::string_view s) {
    const bool prefix = s.starts_with("$2a$") || s.starts_with("$2b$") || s.starts_with("$2y$");
    return prefix && s.size() == 60 && is_digit(s[4]) && is_digit(s[5]) && s[6] == '$' &&
           all_crypt64(s.substr(7));
}

// $5$ or $6$, "rounds=N$" optionally, a salt of up to 16 characters, a '$' and the digest:
// 43 characters for SHA-256, 86 for SHA-512.
bool is_sha_crypt(std::string_view s, std::string_view prefix, std::size_t digest_size) {
    if (!s.starts_with(prefix)) return false;
    s.remove_prefix(prefix.size());
    if (s.starts_with("rounds=")) {
        s.remove_prefix(7);
        std::size_t digits = 0;
        while (digits < s.size() && is_digit(s[digits])) ++digits;
        if (digits == 0 || digits == s.size() || s[digits] != '$') return false;
        s.remove_prefix(digits + 1);
    }
    return is_salt_and_digest(s, 16, digest_size);
}

// $y$params$salt$digest and $gy$ alike; $7$ (scrypt) has its parameters and salt in one
// field: $7$NrrrrrpppppSALT$digest. The digest is 32 bytes, 43 characters, in all three.
bool is_yescrypt(std::string_view s) {
    if (s.starts_with("$y$") || s.starts_with("$gy$")) {
        s.remove_prefix(s.find('$', 1) + 1);
        const std::size_t params = s.find('$');
        if (params == 0 || params == std::string_view::npos) return false;
        if (!all_crypt64(s.substr(0, params))) return false;
        s.remove_prefix(params + 1);
    } else if (s.starts_with("$7$")) {
        s.remove_prefix(3);
        if (s.size() < 11 + 1 + 43) return false;
    } else {
        return false;
    }
    const std::size_t dollar = s.find('$');
    if (dollar == std::string_view::npos) return false;
    return all_crypt64(s.substr(0, dollar)) && s.size() - dollar - 1 == 43 &&
           all_crypt64(s.substr(dollar + 1));
}

// Apache's own salt rule: at most 8 characters, ended by '$'.
bool is_apr1(std::string_view s) {
    return s.starts_with(kApr1Prefix) && is_salt_and_digest(s.substr(kApr1Prefix.size()), 8, 22);
}

bool is_base64(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' || c == '/';
}

// {SHA} and the base64 of 20 bytes: 27 characters and one '='.
bool is_sha1(std::string_view s) {
    if (!s.starts_with(kSha1Prefix) || s.size() != kSha1Prefix.size() + 28) return false;
    const std::string_view b64 = s.substr(kSha1Prefix.size());
    return std::all_of(b64.begin(), b64.end() - 1, is_base64) && b64.back() == '=';
}

// Two characters of salt and eleven of digest, no prefix.
bool is_des(std::string_view s) {
    return s.size() == 13 && all_crypt64(s);
}

// libxcrypt's crypt_data is 32 KiB: too big for a server thread's stack, so it lives on the
// heap, with NUL-terminated copies of the password and the setting next to it; all of it is
// wiped when done, since it held the password and the state derived from it.
struct CryptScratch {
    crypt_data data;
    char phrase[CRYPT_MAX_PASSPHRASE_SIZE];
    char setting[CRYPT_OUTPUT_SIZE];
};

struct Wipe {
    void operator()(CryptScratch* s) const {
        OPENSSL_cleanse(s, sizeof *s);
        delete s;
    }
};

bool verify_crypt(std::string_view stored, std::string_view password) {
    if (password.size() >= CRYPT_MAX_PASSPHRASE_SIZE || stored.size() >= CRYPT_OUTPUT_SIZE)
        return false;
    const std::unique_ptr<CryptScratch, Wipe> s(new CryptScratch()); // zeroed, as crypt_r wants
    std::copy(password.begin(), password.end(), s->phrase);
    std::copy(stored.begin(), stored.end(), s->setting);
    const char* computed = crypt_r(s->phrase, s->setting, &s->data);
    // libxcrypt fails with NULL or with "*0"/"*1". hash_kind() never accepts those as stored
    // values, but a failure must not become a match by any path: it is never compared.
    if (computed == nullptr || computed[0] == '*') return false;
    return constant_time_equals(computed, stored);
}

// Fetched once and kept for the process: fetching is the slow part of a digest in OpenSSL 3,
// and a fetched EVP_MD is safe to share between threads. Null without the algorithm (MD5 under
// a FIPS-only configuration): every hash of that kind is then a non-match.
const EVP_MD* md5_algorithm() {
    static const EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
    return md;
}

const EVP_MD* sha1_algorithm() {
    static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    return md;
}

using Md5Digest = std::array<unsigned char, 16>;

std::string_view view(const Md5Digest& d) {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// An MD5 context that latches any failure, so that apr1 below reads as its description.
class Md5 {
  public:
    Md5() : ctx_(EVP_MD_CTX_new()), ok_(ctx_ != nullptr && md5_algorithm() != nullptr) {}
    ~Md5() { EVP_MD_CTX_free(ctx_); }
    Md5(const Md5&) = delete;
    Md5& operator=(const Md5&) = delete;

    void start() { ok_ = ok_ && EVP_DigestInit_ex2(ctx_, md5_algorithm(), nullptr) == 1; }
    void add(std::string_view s) { ok_ = ok_ && EVP_DigestUpdate(ctx_, s.data(), s.size()) == 1; }
    Md5Digest finish() {
        Md5Digest d{};
        unsigned size = 0;
        ok_ = ok_ && EVP_DigestFinal_ex(ctx_, d.data(), &size) == 1 && size == d.size();
        return d;
    }
    bool ok() const { return ok_; }

  private:
    EVP_MD_CTX* ctx_;
    bool ok_;
};

// `count` crypt64 digits of `v`, least significant first.
void append_crypt64(std::string& out, unsigned v, int count) {
    static constexpr std::string_view kDigits =
        "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (; count > 0; --count, v >>= 6) out += kDigits[v & 0x3f];
}

// Poul-Henning Kamp's MD5-crypt with Apache's "$apr1$" in place of "$1$" (the magic string
// is hashed too, so the two give different digests). Empty on failure, which matches nothing.
std::string apr1_hash(std::string_view password, std::string_view salt) {
    Md5 h;
    h.start();
    h.add(password);
    h.add(salt);
    h.add(password);
    const Md5Digest alternate = h.finish();

    h.start();
    h.add(password);
    h.add(kApr1Prefix);
    h.add(salt);
    for (std::size_t left = password.size(); left > 0; left -= std::min<std::size_t>(left, 16))
        h.add(view(alternate).substr(0, std::min<std::size_t>(left, 16)));
    // For each bit of the length, low bit first: a NUL for a 1, the password's first byte
    // for a 0. The original meant a digest byte here but read a buffer it had just cleared;
    // every compatible implementation repeats the accident.
    for (std::size_t bits = password.size(); bits != 0; bits >>= 1)
        h.add(bits & 1 ? std::string_view("\0", 1) : password.substr(0, 1));
    Md5Digest d = h.finish();

    // The 1000 rounds that make guessing slower, mixing password, salt and digest in an order
    // fixed by the round number.
    for (int round = 0; round < 1000; ++round) {
        h.start();
        h.add(round % 2 != 0 ? password : view(d));
        if (round % 3 != 0) h.add(salt);
        if (round % 7 != 0) h.add(password);
        h.add(round % 2 != 0 ? view(d) : password);
        d = h.finish();
    }
    if (!h.ok()) return {};

    std::string out;
    out.reserve(kApr1Prefix.size() + salt.size() + 1 + 22);
    out.append(kApr1Prefix).append(salt).append(1, '$');
    // The digest's bytes are encoded in threes, interleaved: (0 6 12) (1 7 13) (2 8 14)
    // (3 9 15) (4 10 5), then 11 alone.
    for (int i = 0; i < 4; ++i)
        append_crypt64(out, unsigned(d[i]) << 16 | unsigned(d[i + 6]) << 8 | d[i + 12], 4);
    append_crypt64(out, unsigned(d[4]) << 16 | unsigned(d[10]) << 8 | d[5], 4);
    append_crypt64(out, d[11], 2);
    return out;
}

bool verify_apr1(std::string_view stored, std::string_view password) {
    const std::string_view rest = stored.substr(kApr1Prefix.size());
    const std::string_view salt = rest.substr(0, rest.find('$'));
    return constant_time_equals(apr1_hash(password, salt), stored);
}

bool verify_sha1(std::string_view stored, std::string_view password) {
    const EVP_MD* sha1 = sha1_algorithm();
    unsigned char digest[20];
    unsigned size = 0;
    if (sha1 == nullptr) return false;
    if (EVP_Digest(password.data(), password.size(), digest, &size, sha1, nullptr) != 1)
        return false;
    if (size != sizeof digest) return false;
    unsigned char b64[28 + 1]; // EVP_EncodeBlock NUL-terminates
    EVP_EncodeBlock(b64, digest, sizeof digest);
    return constant_time_equals(stored.substr(kSha1Prefix.size()),
                                {reinterpret_cast<const char*>(b64), 28});
}

} // namespace

HashKind hash_kind(std::string_view s) noexcept {
    if (is_bcrypt(s)) return HashKind::bcrypt;
    if (is_sha_crypt(s, "$6$", 86)) return HashKind::sha512_crypt;
    if (is_sha_crypt(s, "$5$", 43)) return HashKind::sha256_crypt;
    if (is_yescrypt(s)) return HashKind::yescrypt;
    if (is_apr1(s)) return HashKind::apr1;
    if (is_sha1(s)) return HashKind::sha1;
    if (is_des(s)) return HashKind::des;
    return HashKind::unsupported;
}

std::string_view to_string(HashKind kind) noexcept {
    switch (kind) {
    case HashKind::bcrypt:
        return "bcrypt";
    case HashKind::sha512_crypt:
        return "SHA-512-crypt";
    case HashKind::sha256_crypt:
        return "SHA-256-crypt";
    case HashKind::yescrypt:
        return "yescrypt";
    case HashKind::apr1:
        return "apr1";
    case HashKind::sha1:
        return "{SHA}";
    case HashKind::des:
        return "DES-crypt";
    case HashKind::unsupported:
        break;
    }
    return "unsupported";
}

bool verify_password(std::string_view stored, std::string_view password) {
    if (password.find('\0') != std::string_view::npos) return false;
    switch (hash_kind(stored)) {
    case HashKind::bcrypt:
    case HashKind::sha512_crypt:
    case HashKind::sha256_crypt:
    case HashKind::yescrypt:
    case HashKind::des:
        return verify_crypt(stored, password);
    case HashKind::apr1:
        return verify_apr1(stored, password);
    case HashKind::sha1:
        return verify_sha1(stored, password);
    case HashKind::unsupported:
        break;
    }
    return false;
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace pier::auth
