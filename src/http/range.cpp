#include "http/char_class.hpp"

#include <pier/field_lists.hpp>
#include <pier/range.hpp>

#include <cstdint>

namespace pier {
namespace {

// 1*DIGIT into `out`; false on anything else. Any number of digits is valid (RFC 9110 §14.1.2
// bounds none): leading zeros count for nothing, and a value past 2^64 saturates, which no
// file reaches — a last-pos that large means "to the end", a first-pos that large is past it.
bool parse_number(std::string_view s, std::uint64_t& out) noexcept {
    if (s.empty()) return false;
    out = 0;
    for (char c : s) {
        if (!detail::is_digit(c)) return false;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        out = out > (UINT64_MAX - digit) / 10 ? UINT64_MAX : out * 10 + digit;
    }
    return true;
}

} // namespace

RangeRequest parse_byte_ranges(std::string_view value, std::uint64_t size) {
    RangeRequest result;
    value = detail::trim_ows(value);
    const std::size_t eq = value.find('=');
    if (eq == std::string_view::npos ||
        !detail::iequals(detail::trim_ows(value.substr(0, eq)), "bytes"))
        return result; // another unit, or no unit: ignored (RFC 9110 §14.2)
    std::size_t count = 0;
    bool any_valid = false;
    for (std::string_view spec : list_elements(value.substr(eq + 1))) {
        if (++count > kMaxRanges) {
            result.ranges.clear();
            result.status = RangeStatus::ignore;
            return result;
        }
        const std::size_t dash = spec.find('-');
        if (dash == std::string_view::npos) return {};
        const std::string_view first_text = spec.substr(0, dash);
        const std::string_view last_text = spec.substr(dash + 1);
        ByteRange r;
        if (first_text.empty()) { // suffix-range: the last N bytes
            std::uint64_t n = 0;
            if (!parse_number(last_text, n)) return {};
            any_valid = true;
            if (n == 0 || size == 0) continue; // valid but selects nothing
            r.first = n >= size ? 0 : size - n;
            r.last = size - 1;
        } else {
            std::uint64_t first = 0;
            if (!parse_number(first_text, first)) return {};
            std::uint64_t last = UINT64_MAX;
            if (!last_text.empty() && !parse_number(last_text, last)) return {};
            if (last < first) return {}; // invalid int-range: the whole field is ignored
            any_valid = true;
            if (first >= size) continue; // starts past the end: unsatisfiable
            r.first = first;
            r.last = last >= size ? size - 1 : last;
        }
        result.ranges.push_back(r);
    }
    if (!any_valid) return {};
    result.status = result.ranges.empty() ? RangeStatus::unsatisfiable : RangeStatus::satisfiable;
    return result;
}

} // namespace pier
