// Basic authentication as a Router filter (auth.hpp): credentials checked once, then
// remembered; failures limited per client.
#include "auth/basic_credentials.hpp"
#include "server/error_page.hpp"

#include <pier/auth.hpp>

#include <array>
#include <cstring>
#include <mutex>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace pier {
namespace {

using Digest = std::array<unsigned char, 32>;

struct DigestHash {
    std::size_t operator()(const Digest& d) const noexcept {
        std::size_t h;
        std::memcpy(&h, d.data(), sizeof h); // an HMAC: already uniformly spread
        return h;
    }
};

// Checked credentials, remembered under HMAC(key, user NUL password): no password is held,
// and since the key is made at start, nobody can aim lookups at a chosen bucket.
class CredentialCache {
  public:
    explicit CredentialCache(std::size_t capacity) : capacity_(capacity) {
        if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1)
            throw std::runtime_error("basic_auth: no random bytes for the credential cache key");
    }
    Digest digest(std::string_view user, std::string_view password) const {
        std::string message(user);
        message += '\0';
        message += password;
        Digest d{};
        unsigned int length = 0;
        HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(), d.data(),
             &length);
        OPENSSL_cleanse(message.data(), message.size());
        return d;
    }
    bool contains(const Digest& d) const {
        std::lock_guard lock(mutex_);
        return known_.contains(d);
    }
    void insert(const Digest& d) {
        std::lock_guard lock(mutex_);
        if (known_.size() >= capacity_) known_.erase(known_.begin()); // any: all re-checkable
        known_.insert(d);
    }

  private:
    std::array<unsigned char, 32> key_{};
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_set<Digest, DigestHash> known_;
};

struct State {
    Users users;
    BasicAuthOptions options;
    std::string challenge; // the WWW-Authenticate value
    CredentialCache cache;
    TokenBuckets failures;

    State(Users u, BasicAuthOptions o)
        : users(std::move(u)), options(std::move(o)), cache(options.cache_entries),
          failures(options.failures) {}
};

// What a client may do without a password in writes_only mode: read (RFC 9110 §9.2.1's safe
// methods, and WebDAV's PROPFIND, RFC 4918 §9.1).
bool is_read(const Request& request) {
    switch (request.method()) {
    case Method::get:
    case Method::head:
    case Method::options:
        return true;
    default:
        return request.method_name() == "PROPFIND";
    }
}

bool quotable(std::string_view realm) {
    for (const unsigned char c : realm)
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') return false;
    return true;
}

void challenge(const State& s, Response& response) {
    server::fill_error(response, 401);
    response.set_header("WWW-Authenticate", s.challenge);
}

} // namespace

Filter basic_auth(Users users, BasicAuthOptions options) {
    if (users.empty()) throw std::invalid_argument("basic_auth: no users");
    if (!quotable(options.realm))
        throw std::invalid_argument("basic_auth: the realm may not hold quotes, backslashes or "
                                    "control characters");
    auto s = std::make_shared<State>(std::move(users), std::move(options));
    s->challenge = "Basic realm=\"" + s->options.realm + "\", charset=\"UTF-8\"";
    return [s](Request& request, Response& response) {
        const std::string_view authorization = request.header("Authorization");
        if (authorization.empty()) {
            if (s->options.writes_only && is_read(request)) return false;
            challenge(*s, response);
            return true;
        }
        // A client that has guessed wrong too often is not even checked.
        const auto now = TokenBuckets::Clock::now();
        if (const std::uint32_t wait = s->failures.wait(request.remote_address(), now)) {
            server::fill_error(response, 429, "Too many failed logins");
            response.set_header("Retry-After", std::to_string(wait));
            return true;
        }
        auto credentials = auth::parse_basic_authorization(authorization);
        if (!credentials) {
            s->failures.take(request.remote_address(), now);
            challenge(*s, response);
            return true;
        }
        const Digest d = s->cache.digest(credentials->user, credentials->password);
        if (!s->cache.contains(d)) {
            // A hash costs milliseconds (bcrypt) to a tenth of a second (yescrypt): computed on
            // the blocking pool, never on the loop other connections share.
            request.defer_check([s, d, c = std::move(*credentials),
                                 client = request.remote_address()](Request& req, Response& res) {
                if (!s->users.check(c.user, c.password)) {
                    s->failures.take(client, TokenBuckets::Clock::now());
                    challenge(*s, res);
                    return true;
                }
                s->cache.insert(d);
                req.set_remote_user(c.user);
                return false;
            });
            return false;
        }
        request.set_remote_user(credentials->user);
        return false;
    };
}

} // namespace pier
