// Fuzzes parse_http_date and format_http_date and checks their invariants:
// - whatever parses is an instant a four-digit year can hold, and formatting it then parsing
//   the result gives the same instant (with any `now`);
// - an IMF-fixdate that parses formats back to the same text, except for the day name (which
//   need not agree with the date) and a leap second (read as :59);
// - formatting any instant gives 29 bytes of the shape "Www, DD Mmm YYYY HH:MM:SS GMT".
#include <pier/date.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

using namespace std::chrono;

constexpr sys_seconds kEarliest = sys_days{year{0} / January / 1};
constexpr sys_seconds kLatest =
    sys_days{year{9999} / December / 31} + hours{23} + minutes{59} + seconds{59};
constexpr sys_seconds kNow = sys_days{year{2024} / June / 15} + hours{12};

void check(bool condition) {
    if (!condition) std::abort();
}

bool is_one_of(std::string_view s, std::string_view list, std::size_t width) {
    for (std::size_t i = 0; i + width <= list.size(); i += width)
        if (list.substr(i, width) == s) return true;
    return false;
}

bool digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

void check_shape(std::string_view s) {
    check(s.size() == pier::kHttpDateLength);
    check(is_one_of(s.substr(0, 3), "SunMonTueWedThuFriSat", 3));
    check(s.substr(3, 2) == ", " && digits(s.substr(5, 2)) && s[7] == ' ');
    check(is_one_of(s.substr(8, 3), "JanFebMarAprMayJunJulAugSepOctNovDec", 3));
    check(s[11] == ' ' && digits(s.substr(12, 4)) && s[16] == ' ');
    check(digits(s.substr(17, 2)) && s[19] == ':' && digits(s.substr(20, 2)) && s[22] == ':');
    check(digits(s.substr(23, 2)) && s.substr(25) == " GMT");
}

std::string_view format(sys_seconds t, std::array<char, pier::kHttpDateLength>& buffer) {
    pier::format_http_date(t, buffer);
    const std::string_view text(buffer.data(), buffer.size());
    check_shape(text);
    return text;
}

void check_parsed(std::string_view input, sys_seconds t) {
    check(t >= kEarliest && t <= kLatest);
    std::array<char, pier::kHttpDateLength> buffer;
    const std::string_view text = format(t, buffer);
    const auto again = pier::parse_http_date(text, kNow);
    check(again.has_value() && *again == t);

    std::string_view trimmed = input;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t'))
        trimmed.remove_prefix(1);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
        trimmed.remove_suffix(1);
    // 29 bytes with a comma after three letters can only be an IMF-fixdate.
    if (trimmed.size() == pier::kHttpDateLength && trimmed[3] == ',') {
        check(trimmed.substr(3, 20) == text.substr(3, 20));
        check(trimmed.substr(23, 2) == text.substr(23, 2) ||
              (trimmed.substr(23, 2) == "60" && text.substr(23, 2) == "59"));
        check(trimmed.substr(25) == text.substr(25));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    if (const auto t = pier::parse_http_date(input, kNow)) check_parsed(input, *t);
    if (const auto t = pier::parse_http_date(input))
        check_parsed(input, *t);
    else
        check(!pier::to_string(t.error()).empty());

    // The first eight bytes, if any, as an instant: the formatter must take any value, and
    // within range the text must come back as the same instant, also as `now` for RFC 850.
    if (size >= sizeof(std::int64_t)) {
        std::int64_t raw;
        std::memcpy(&raw, data, sizeof raw);
        const sys_seconds t{seconds{raw}};
        std::array<char, pier::kHttpDateLength> buffer;
        const std::string_view text = format(t, buffer);
        const auto parsed = pier::parse_http_date(text, t);
        check(parsed.has_value());
        check(*parsed == std::clamp(t, kEarliest, kLatest));
        if (const auto with_now = pier::parse_http_date(input.substr(sizeof raw), t))
            check_parsed(input.substr(sizeof raw), *with_now);
    }
    return 0;
}
