// The Range request field (RFC 9110 §14.1.2, §14.2): which bytes of a representation of a
// known size a client asks for.
//
//     auto r = pier::parse_byte_ranges("bytes=0-99,-500", file_size);
//     r.status == RangeStatus::satisfiable → r.ranges, each clamped to the file
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace pier {

struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0; // inclusive, as in Content-Range
    std::uint64_t length() const noexcept { return last - first + 1; }
};

enum class RangeStatus : std::uint8_t {
    ignore,        // not a valid bytes range-set (or too many ranges): send the whole thing
    satisfiable,   // ranges holds at least one range inside the representation: 206
    unsatisfiable, // valid, but no range overlaps the representation: 416
};

struct RangeRequest {
    RangeStatus status = RangeStatus::ignore;
    std::vector<ByteRange> ranges; // in the order asked, clamped, only the satisfiable ones
};

/// At most this many ranges are honoured; more is treated as no Range at all (RFC 9110
/// §14.1.1 lets a server ignore a set of many small or overlapping ranges, which can be used
/// to multiply the work of serving one file).
inline constexpr std::size_t kMaxRanges = 16;

RangeRequest parse_byte_ranges(std::string_view field_value, std::uint64_t size);

} // namespace pier
