// The htpasswd reader and the Basic credentials parser under libFuzzer.
// - The whole input as an htpasswd file: either an error with no entries, or entries whose
//   user names are distinct, non-empty and free of ':' and controls, whose hashes hash_kind()
//   accepts, and whose lines increase.
// - The whole input as an Authorization value: what parses has no ':' in the user-id and no
//   control on either side, fits 4 KiB, and its token is exactly base64(user ":" password) —
//   one spelling per credential.
// - Split in two at an offset the first byte chooses: a file and an Authorization value; the
//   credential's password is checked against the file's apr1 and {SHA} entries (not bcrypt
//   and the other deliberately slow hashes), {SHA} against a reference computed here.
#include "auth/basic_credentials.hpp"
#include "auth/htpasswd.hpp"
#include "auth/password.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <openssl/evp.h>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace {

using namespace pier::auth;

void check(bool condition) {
    if (!condition) std::abort();
}

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), is_control);
}

std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string sha1_reference(std::string_view password) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    check(EVP_Digest(password.data(), password.size(), digest, &size, EVP_sha1(), nullptr) == 1);
    return "{SHA}" + base64({reinterpret_cast<const char*>(digest), size});
}

void check_hash_kind(std::string_view s) {
    const HashKind kind = hash_kind(s);
    check(!to_string(kind).empty());
    // Every accepted alphabet leaves out blanks, controls and the ':' that ends a hash.
    if (kind != HashKind::unsupported)
        check(!s.empty() && s.find_first_of(" :") == std::string_view::npos && !has_control(s));
}

Htpasswd check_htpasswd(std::string_view text) {
    Htpasswd h = parse_htpasswd(text);
    if (!h.error.empty()) {
        check(h.entries.empty());
        check(h.error.starts_with("line ") || h.error.starts_with("the file has "));
        return h;
    }
    check(h.entries.size() <= HtpasswdLimits{}.max_entries);
    std::set<std::string_view> users;
    unsigned last_line = 0;
    for (const HtpasswdEntry& e : h.entries) {
        check(!e.user.empty() && e.user.find(':') == std::string::npos && !has_control(e.user));
        check(hash_kind(e.hash) != HashKind::unsupported);
        check_hash_kind(e.hash);
        check(users.insert(e.user).second);
        check(e.line > last_line);
        last_line = e.line;
        check(text.find(e.user + ":" + e.hash) != std::string_view::npos);
    }
    return h;
}

std::optional<BasicCredentials> check_basic(std::string_view field) {
    auto c = parse_basic_authorization(field);
    if (!c) return c;
    check(c->user.find(':') == std::string::npos);
    check(!has_control(c->user) && !has_control(c->password));
    const std::string pair = c->user + ":" + c->password;
    check(pair.size() <= kMaxBasicCredentials);

    std::string_view token = field.substr(5);
    token.remove_prefix(token.find_first_not_of(' '));
    token = token.substr(0, token.find_last_not_of(" \t") + 1);
    check(token == base64(pair));
    return c;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check_htpasswd(input);
    check_basic(input);
    check_hash_kind(input);
    if (size == 0) return 0;

    const std::string_view rest = input.substr(1);
    const std::size_t split = std::min<std::size_t>(data[0], rest.size());
    const Htpasswd h = check_htpasswd(rest.substr(0, split));
    const auto credentials = check_basic(rest.substr(split));
    if (!credentials) return 0;
    int checked = 0;
    for (const HtpasswdEntry& e : h.entries) {
        const HashKind kind = hash_kind(e.hash);
        if (kind == HashKind::sha1) {
            check(verify_password(e.hash, credentials->password) ==
                  (e.hash == sha1_reference(credentials->password)));
        } else if (kind == HashKind::apr1 && checked++ < 4) {
            // apr1 is 1000 rounds of MD5: a few per input keep the fuzzer fast.
            const bool match = verify_password(e.hash, credentials->password);
            check(!match || !verify_password(e.hash, credentials->password + "x"));
        }
    }
    return 0;
}
