// The rate limiter's table: set-associative, like a CPU cache. A client's key picks one set of
// eight entries; the client is found there, or takes the place of an entry that carries no
// information (a bucket full again), or else of the entry seen longest ago. So the memory is
// fixed, a lookup touches eight entries, and a flood of new addresses evicts only within sets
// — with the set chosen by a keyed hash, a client cannot aim its addresses at one set.
#include <pier/rate_limit.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cmath>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace pier {
namespace {

constexpr std::size_t kWays = 8;
constexpr std::size_t kLocks = 64;

struct Key {
    std::uint64_t hi = 0, lo = 0;
    bool operator==(const Key&) const = default;
};

struct Entry {
    Key key;
    std::int64_t last_ns = 0; // when tokens was last brought up to date
    double tokens = 0;
    bool used = false;
};

std::uint64_t load64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::uint64_t mix(std::uint64_t x) { // splitmix64's finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// An address is its 16 bytes (IPv4 as v4-mapped IPv6); an IPv6 address outside the
// v4-mapped range counts as its /64. Any other key is hashed (with the table's seed).
Key key_of(std::string_view client, std::uint64_t seed) {
    unsigned char bytes[16] = {};
    char text[INET6_ADDRSTRLEN + 1];
    if (client.size() < sizeof text) {
        std::memcpy(text, client.data(), client.size());
        text[client.size()] = '\0';
        if (inet_pton(AF_INET, text, bytes + 12) == 1) {
            bytes[10] = bytes[11] = 0xff;
            return {load64(bytes), load64(bytes + 8)};
        }
        if (inet_pton(AF_INET6, text, bytes) == 1) {
            static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
            const bool mapped = std::memcmp(bytes, kMapped, sizeof kMapped) == 0;
            const bool loopback = load64(bytes) == 0 && bytes[15] == 1 &&
                                  std::all_of(bytes + 8, bytes + 15, [](auto b) { return b == 0; });
            if (!mapped && !loopback) std::memset(bytes + 8, 0, 8);
            return {load64(bytes), load64(bytes + 8)};
        }
    }
    // Not an address: two 64-bit FNV-1a hashes, seeded apart; 1 in the top byte keeps them
    // out of the address space's way (no IPv6 address here starts with 0x01 in this form).
    std::uint64_t a = 0xcbf29ce484222325ull ^ seed, b = 0x84222325cbf29ce4ull ^ mix(seed);
    for (const unsigned char c : client) {
        a = (a ^ c) * 0x100000001b3ull;
        b = (b ^ c) * 0x100000001b3ull;
    }
    return {(mix(a) & 0x00ffffffffffffffull) | 0x0100000000000000ull, mix(b)};
}

} // namespace

struct TokenBuckets::Table {
    double rate = 0;
    double burst = 0;
    std::uint64_t seed = 0;
    std::size_t sets = 0;
    std::vector<Entry> entries; // sets × kWays
    std::array<std::mutex, kLocks> locks;

    std::size_t set_of(const Key& k) const noexcept {
        return static_cast<std::size_t>(mix(k.hi ^ mix(k.lo ^ seed)) % sets);
    }

    // Tokens of `e` at `now_ns`, at most the burst.
    double refilled(const Entry& e, std::int64_t now_ns) const noexcept {
        const double elapsed = static_cast<double>(std::max<std::int64_t>(0, now_ns - e.last_ns));
        return std::min(burst, e.tokens + elapsed * 1e-9 * rate);
    }

    // The entry of `k` in its set, brought up to date; when absent, a new one (a full bucket)
    // if `insert`, else null.
    Entry* find(const Key& k, std::int64_t now_ns, bool insert) {
        Entry* set = &entries[set_of(k) * kWays];
        Entry* free_entry = nullptr; // unused, or as good as: its bucket is full again
        Entry* oldest = nullptr;
        for (std::size_t i = 0; i < kWays; ++i) {
            Entry& e = set[i];
            if (e.used && e.key == k) {
                e.tokens = refilled(e, now_ns);
                e.last_ns = now_ns;
                return &e;
            }
            if (!e.used || refilled(e, now_ns) >= burst) {
                if (free_entry == nullptr) free_entry = &e;
            } else if (oldest == nullptr || e.last_ns < oldest->last_ns) {
                oldest = &e;
            }
        }
        if (!insert) return nullptr;
        Entry* victim = free_entry != nullptr ? free_entry : oldest;
        *victim = Entry{k, now_ns, burst, true};
        return victim;
    }

    // Seconds until `e` has a whole token.
    std::uint32_t seconds_until_token(const Entry& e) const noexcept {
        const double s = std::ceil((1.0 - e.tokens) / rate);
        return static_cast<std::uint32_t>(std::clamp(s, 1.0, 86400.0));
    }

    std::uint32_t visit(std::string_view client, Clock::time_point now, bool take) {
        const Key k = key_of(client, seed);
        const std::int64_t now_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
        std::lock_guard lock(locks[set_of(k) % kLocks]);
        Entry* e = find(k, now_ns, take); // only taking makes a client worth remembering
        if (e == nullptr) return 0;
        if (e->tokens < 1.0) return seconds_until_token(*e);
        if (take) e->tokens -= 1.0;
        return 0;
    }
};

TokenBuckets::TokenBuckets(RateLimitOptions options) : table_(std::make_unique<Table>()) {
    Table& t = *table_;
    t.rate = options.per_second > 0 ? options.per_second : 1e-9;
    t.burst = options.burst > 0 ? options.burst : std::max(1.0, options.per_second);
    t.sets = std::max<std::size_t>(1, (options.max_clients + kWays - 1) / kWays);
    t.entries.resize(t.sets * kWays);
    std::random_device random;
    t.seed = (static_cast<std::uint64_t>(random()) << 32) ^ random();
}

TokenBuckets::~TokenBuckets() = default;

std::uint32_t TokenBuckets::take(std::string_view client, Clock::time_point now) {
    return table_->visit(client, now, true);
}

std::uint32_t TokenBuckets::wait(std::string_view client, Clock::time_point now) {
    return table_->visit(client, now, false);
}

std::size_t TokenBuckets::size() const {
    std::size_t n = 0;
    for (std::size_t s = 0; s < table_->sets; ++s) {
        std::lock_guard lock(table_->locks[s % kLocks]);
        for (std::size_t i = 0; i < kWays; ++i) n += table_->entries[s * kWays + i].used;
    }
    return n;
}

std::size_t TokenBuckets::capacity() const noexcept {
    return table_->entries.size();
}

} // namespace pier
