// Checking a password against a stored hash, as found in an htpasswd file (`pier serve
// --auth-file`).
//
//     if (pier::auth::verify_password(entry.hash, credentials.password)) admit();
//
// Accepted, by hash_kind(), only when the whole value has the shape of that kind of hash:
//     kind           prefix           written by             computed by
//     bcrypt         $2y$ $2b$ $2a$   htpasswd -B            libxcrypt
//     SHA-512-crypt  $6$              htpasswd -5            libxcrypt
//     SHA-256-crypt  $5$              htpasswd -2            libxcrypt
//     yescrypt       $y$ $gy$ $7$     mkpasswd               libxcrypt
//     apr1           $apr1$           htpasswd -m (default)  here, over OpenSSL's MD5
//     {SHA}          {SHA}            htpasswd -s            OpenSSL's SHA-1, unsalted
//     DES crypt      none: 13 chars   htpasswd -d            libxcrypt, 8 bytes of password
// gost-yescrypt ($gy$) and scrypt ($7$) are libxcrypt's yescrypt code with other parameters,
// so they count as yescrypt.
//
// Anything else never matches: not plaintext (htpasswd files are hashed on Unix; a password
// given on the command line is the caller's to compare, with constant_time_equals), and not
// the other schemes libxcrypt knows ($1$, $3$, _, $md5…), which no htpasswd tool writes.
//
// The computed hash is compared with the stored one in constant time. A damaged hash (bad
// cost, bad salt, truncated) is a non-match, never an error the caller must handle.
// Passwords are bytes: no normalisation of UTF-8, and one with a NUL byte never matches
// (crypt(3) would silently stop there). libxcrypt refuses passwords of 512 bytes or more
// (CRYPT_MAX_PASSPHRASE_SIZE); apr1 and {SHA} take any length, as Apache does — callers bound
// it (parse_basic_authorization allows 4 KiB).
//
// bcrypt costs milliseconds by design: run it where a slow call does not stall other
// connections. To keep unknown user names from answering faster than known ones, verify
// against a fixed dummy hash when the user is not found.
#pragma once

#include <cstdint>
#include <string_view>

namespace pier::auth {

enum class HashKind : std::uint8_t {
    bcrypt,
    sha512_crypt,
    sha256_crypt,
    yescrypt,
    apr1,
    sha1,
    des,
    unsupported,
};

/// The kind of `stored` when it is a complete, well-formed hash of a kind pier checks;
/// `unsupported` otherwise, truncated or damaged hashes included. Thirteen characters of the
/// crypt alphabet are DES crypt: that format has no prefix.
HashKind hash_kind(std::string_view stored) noexcept;

/// "bcrypt", "SHA-512-crypt", "SHA-256-crypt", "yescrypt", "apr1", "{SHA}", "DES-crypt",
/// "unsupported".
std::string_view to_string(HashKind kind) noexcept;

/// Whether `password` hashes to `stored`. False for an unsupported or damaged hash.
bool verify_password(std::string_view stored, std::string_view password);

/// Byte-wise equality whose time does not depend on where `a` and `b` differ. Their lengths are
/// compared first: the length is not treated as a secret.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

} // namespace pier::auth
