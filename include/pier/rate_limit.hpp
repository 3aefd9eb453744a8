// Rate limiting per client: a token bucket for each address, in a table of fixed size.
//
//     router.filter(pier::rate_limit({.per_second = 10, .burst = 20}));
//
// A client may send `burst` requests at once, then `per_second` on average; beyond that it is
// answered 429 with Retry-After (the whole seconds until its next token), before its body is
// read. The client is the connection's peer address — never a header a client can set — and
// an IPv6 client is its /64, the block one subscriber gets (counting single IPv6 addresses
// would let one host take 2^64 budgets).
//
// Memory is bounded: the table has `max_clients` entries whatever the traffic. A new client
// takes the place of one the table can forget at no cost (its bucket has filled up again, so
// a fresh one is the same) or else of the one seen longest ago. A flood of fresh addresses
// therefore costs the limiter nothing but makes it forget old clients, which then start over
// with a full bucket: it limits rates, it is not a block list.
#pragma once

#include <pier/router.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace pier {

struct RateLimitOptions {
    /// Tokens a client gains per second (its sustained request rate).
    double per_second = 10;
    /// Tokens a bucket holds; 0: per_second, at least 1.
    double burst = 0;
    /// Clients remembered at once (about 40 bytes each).
    std::size_t max_clients = 65536;
};

/// The table behind rate_limit(), usable on its own (BasicAuth limits failed attempts with
/// one). Thread-safe: every event loop of a server shares it.
class TokenBuckets {
  public:
    using Clock = std::chrono::steady_clock;

    explicit TokenBuckets(RateLimitOptions options);
    ~TokenBuckets();
    TokenBuckets(const TokenBuckets&) = delete;
    TokenBuckets& operator=(const TokenBuckets&) = delete;

    /// Takes a token of `client` (an address as text, or any key): 0 when there was one,
    /// otherwise the whole seconds until there is (at least 1), and nothing is taken.
    std::uint32_t take(std::string_view client, Clock::time_point now);
    /// The same without taking: 0 when a token is there.
    std::uint32_t wait(std::string_view client, Clock::time_point now);
    /// Clients the table remembers now, and at most.
    std::size_t size() const;
    std::size_t capacity() const noexcept;

  private:
    struct Table;
    std::unique_ptr<Table> table_;
};

/// The filter: 429 + Retry-After for a client over its rate.
Filter rate_limit(RateLimitOptions options);

} // namespace pier
