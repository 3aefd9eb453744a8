// HTTP Basic authentication (RFC 7617) as a Router filter.
//
//     pier::Users users;
//     std::string error;
//     if (!users.load_htpasswd("/etc/pier/htpasswd", error)) die(error);
//     users.add("alice", "correct horse");              // a password given in the clear
//     router.filter(pier::basic_auth(users, {.realm = "files"}));
//
// A request without valid credentials gets 401 with `WWW-Authenticate: Basic realm="…",
// charset="UTF-8"`; a valid one goes on with Request::remote_user() set (the access log and
// CGI's REMOTE_USER show it). With `writes_only`, reading (GET, HEAD, OPTIONS, PROPFIND)
// stays public and only requests that change something need a password.
//
// Password files are what `htpasswd` writes: bcrypt (-B), SHA-256/512-crypt, yescrypt (via
// libxcrypt), apr1 (-m) and {SHA} (-s). A checked password is remembered (bcrypt costs
// milliseconds: it must not be paid on every request) under an HMAC of the user and password
// with a key made at start, so the cache holds no password and its lookups reveal nothing
// about what it holds. A name that is not a user costs the same check as a wrong password, so
// timing does not tell who exists. Failed attempts are limited per client, more strictly than
// any request rate: past `failures.burst` of them the client gets 429 until its bucket refills,
// without its guesses being checked at all.
//
// A credential not yet in the cache is checked on the server's blocking pool
// (Request::defer_check): a bcrypt or yescrypt hash takes milliseconds to a tenth of a second,
// which the loop's other connections must not wait for. Cache hits are checked on the loop.
#pragma once

#include <pier/rate_limit.hpp>
#include <pier/router.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pier {

/// Who may log in, and how each password is checked.
class Users {
  public:
    /// A user whose password is given in the clear (on the command line) — or, if `password`
    /// is a hash in one of the htpasswd formats, by that hash.
    void add(std::string user, std::string password);
    /// Adds every user of an htpasswd file; false with `error` ("htpasswd:7: …") when the file
    /// cannot be read or a line cannot be used (then nothing is added).
    bool load_htpasswd(const std::string& path, std::string& error);
    /// The same from the file's text.
    bool add_htpasswd(std::string_view text, std::string& error);
    bool empty() const noexcept { return entries_.empty(); }
    std::size_t size() const noexcept { return entries_.size(); }

    /// Whether `password` is `user`'s. Costs a full check every time (basic_auth caches).
    bool check(std::string_view user, std::string_view password) const;

  private:
    struct Entry {
        std::string user;
        std::string secret; // a hash, or the password itself when `plain`
        bool plain = false;
    };
    const Entry* find(std::string_view user) const noexcept;
    std::vector<Entry> entries_;
};

struct BasicAuthOptions {
    /// Shown by browsers in their password prompt.
    std::string realm = "pier";
    /// Only requests that change something need a password.
    bool writes_only = false;
    /// Failed attempts per client: `burst` at once, then `per_second` (default: 10, then one a
    /// minute).
    RateLimitOptions failures = {.per_second = 1.0 / 60, .burst = 10, .max_clients = 16384};
    /// Checked credentials remembered.
    std::size_t cache_entries = 1024;
};

/// The filter. Throws std::invalid_argument when `users` is empty or the realm cannot be sent
/// in a quoted-string.
Filter basic_auth(Users users, BasicAuthOptions options = {});

} // namespace pier
