#include "cli/get_rate.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pier::cli {

std::optional<std::uint64_t> parse_rate(std::string_view text) {
    std::uint64_t number = 0;
    const char* const end = text.data() + text.size();
    const auto [unit, ec] = std::from_chars(text.data(), end, number);
    if (ec != std::errc() || unit == text.data()) return std::nullopt;
    int shift = 0;
    if (unit != end) {
        if (unit + 1 != end) return std::nullopt;
        switch (std::tolower(static_cast<unsigned char>(*unit))) {
        case 'b':
            shift = 0;
            break;
        case 'k':
            shift = 10;
            break;
        case 'm':
            shift = 20;
            break;
        case 'g':
            shift = 30;
            break;
        default:
            return std::nullopt;
        }
    }
    if (number > (UINT64_MAX >> shift)) return std::nullopt;
    return number << shift;
}

RateLimiter::RateLimiter(std::uint64_t bytes_per_second, Clock::time_point start)
    : rate_(static_cast<double>(bytes_per_second)), tokens_(0),
      capacity_(std::max(1.0, rate_ / 10)),
      chunk_(static_cast<std::size_t>(std::min(capacity_, 256.0 * 1024))), last_(start) {}

std::chrono::nanoseconds RateLimiter::spend(std::size_t bytes, Clock::time_point now) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(capacity_, tokens_ + std::max(0.0, elapsed) * rate_);
    tokens_ -= static_cast<double>(bytes);
    if (tokens_ >= 0) return std::chrono::nanoseconds(0);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(-tokens_ / rate_ * 1e9));
}

} // namespace pier::cli
