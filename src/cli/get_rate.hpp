// --limit-rate: curl's rate syntax, and the token bucket that holds `pier get`'s reading to it.
// Private to the CLI; no I/O here, so it is unit-tested with a clock of its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pier::cli {

/// Bytes per second from curl's syntax: digits and at most one unit, B (bytes), K, M or G
/// (powers of 1024), either case: "100k" == 102400. nullopt for anything else (a sign, a
/// fraction, another unit) or a rate too large for 64 bits. "0" means no limit, as in curl.
std::optional<std::uint64_t> parse_rate(std::string_view text);

/// Holds the average rate of what is read to `bytes_per_second`. Tokens (bytes) accrue at the
/// rate up to a tenth of a second's worth, so no burst is larger than that; each read spends
/// them and, when it overdraws, the caller waits for the debt to be repaid.
class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    RateLimiter(std::uint64_t bytes_per_second, Clock::time_point start);
    /// The most to read at once: the bucket's size, so one read never waits more than about a
    /// tenth of a second (a second at rates under ten bytes a second).
    std::size_t chunk() const noexcept { return chunk_; }
    /// `bytes` arrived at `now`: how long to wait before reading more.
    std::chrono::nanoseconds spend(std::size_t bytes, Clock::time_point now);

  private:
    double rate_;   // bytes per second
    double tokens_; // may go negative: a debt
    double capacity_;
    std::size_t chunk_;
    Clock::time_point last_;
};

} // namespace pier::cli
