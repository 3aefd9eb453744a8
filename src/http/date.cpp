#include "http/char_class.hpp"

#include <pier/date.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <tuple>

namespace pier {
namespace {

using namespace std::chrono;

// Indexed by weekday::c_encoding() (Sunday = 0) and by month - 1.
constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDayNames = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The span a four-digit year can express.
constexpr sys_seconds kEarliest = sys_days{year{0} / January / 1};
constexpr sys_seconds kLatest =
    sys_days{year{9999} / December / 31} + hours{23} + minutes{59} + seconds{59};

void put_digits(char* out, unsigned value, int width) noexcept {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

// The date as written, before it becomes an instant.
struct CivilTime {
    int year = 0; // for RFC 850, the two digits until resolve_two_digit_year
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
};

CivilTime to_civil(sys_seconds t) noexcept {
    const sys_days day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss<seconds> time{t - day};
    return {static_cast<int>(ymd.year()),
            static_cast<int>(static_cast<unsigned>(ymd.month())),
            static_cast<int>(static_cast<unsigned>(ymd.day())),
            static_cast<int>(time.hours().count()),
            static_cast<int>(time.minutes().count()),
            static_cast<int>(time.seconds().count())};
}

// Reads a date left to right. Each step also consumes the separator in front of its field,
// so a missing or doubled separator is reported as an error of the field that follows it.
// Numbers and names are read greedily, so "19940" is a bad year, not a year and a stray '0'.
class Cursor {
  public:
    explicit Cursor(std::string_view text) noexcept : text_(text) {}

    bool at_end() const noexcept { return pos_ == text_.size(); }
    char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }

    bool skip(char c) noexcept {
        if (peek() != c || at_end()) return false;
        ++pos_;
        return true;
    }

    bool skip(std::string_view literal) noexcept {
        if (text_.substr(pos_).substr(0, literal.size()) != literal) return false;
        pos_ += literal.size();
        return true;
    }

    std::string_view letters() noexcept {
        const std::size_t start = pos_;
        while (!at_end() && detail::is_alpha(text_[pos_])) ++pos_;
        return text_.substr(start, pos_ - start);
    }

    /// Exactly `width` digits, not followed by another digit (which is read, to reject it).
    bool number(std::size_t width, int& value) noexcept {
        const std::size_t start = pos_;
        int v = 0;
        while (!at_end() && detail::is_digit(text_[pos_]) && pos_ - start <= width) {
            v = v * 10 + (text_[pos_] - '0');
            ++pos_;
        }
        value = v;
        return pos_ - start == width;
    }

    bool month(int& value) noexcept {
        const std::string_view name = letters();
        for (std::size_t i = 0; i < kMonthNames.size(); ++i) {
            if (name == kMonthNames[i]) {
                value = static_cast<int>(i) + 1;
                return true;
            }
        }
        return false;
    }

    /// time-of-day = hour ":" minute ":" second, 00:00:00 - 23:59:60 (RFC 9110 §5.6.7).
    bool time_of_day(CivilTime& t) noexcept {
        return number(2, t.hour) && t.hour <= 23 && skip(':') && number(2, t.minute) &&
               t.minute <= 59 && skip(':') && number(2, t.second) && t.second <= 60;
    }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

bool is_one_of(std::string_view name, std::span<const std::string_view> names) noexcept {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// day-name "," SP date1 SP time-of-day SP GMT, date1 = day SP month SP year (4 digits).
Result<CivilTime, DateError> parse_imf_fixdate(Cursor& in) noexcept {
    CivilTime t;
    if (!in.skip(' ') || !in.number(2, t.day)) return DateError::bad_day;
    if (!in.skip(' ') || !in.month(t.month)) return DateError::bad_month;
    if (!in.skip(' ') || !in.number(4, t.year)) return DateError::bad_year;
    if (!in.skip(' ') || !in.time_of_day(t)) return DateError::bad_time;
    if (!in.skip(" GMT")) return DateError::not_gmt;
    return t;
}

// day-name-l "," SP date2 SP time-of-day SP GMT, date2 = day "-" month "-" 2DIGIT.
Result<CivilTime, DateError> parse_rfc850_date(Cursor& in) noexcept {
    CivilTime t;
    if (!in.skip(' ') || !in.number(2, t.day)) return DateError::bad_day;
    if (!in.skip('-') || !in.month(t.month)) return DateError::bad_month;
    if (!in.skip('-') || !in.number(2, t.year)) return DateError::bad_year;
    if (!in.skip(' ') || !in.time_of_day(t)) return DateError::bad_time;
    if (!in.skip(" GMT")) return DateError::not_gmt;
    return t;
}

// day-name SP date3 SP time-of-day SP year, date3 = month SP ( 2DIGIT / ( SP DIGIT ) ).
Result<CivilTime, DateError> parse_asctime_date(Cursor& in) noexcept {
    CivilTime t;
    if (!in.skip(' ') || !in.month(t.month)) return DateError::bad_month;
    if (!in.skip(' ') || !(in.skip(' ') ? in.number(1, t.day) : in.number(2, t.day)))
        return DateError::bad_day;
    if (!in.skip(' ') || !in.time_of_day(t)) return DateError::bad_time;
    if (!in.skip(' ') || !in.number(4, t.year)) return DateError::bad_year;
    return t;
}

// RFC 9110 §5.6.7: a two-digit year that "appears to be more than 50 years in the future" is
// the most recent past year with the same last two digits. So: the latest year with those
// digits that keeps the timestamp at or before now + 50 years. Within the year now + 50 the
// rest of the timestamp decides, compared field by field so no date arithmetic can overflow.
void resolve_two_digit_year(CivilTime& t, sys_seconds now) noexcept {
    const CivilTime n = to_civil(std::clamp(now, kEarliest, kLatest));
    const int limit = n.year + 50;
    const int year = limit - ((limit - t.year) % 100 + 100) % 100;
    const bool later_in_year = std::tie(t.month, t.day, t.hour, t.minute, t.second) >
                               std::tie(n.month, n.day, n.hour, n.minute, n.second);
    t.year = year == limit && later_in_year ? year - 100 : year;
}

Result<sys_seconds, DateError> parse(std::string_view text, const sys_seconds* now) noexcept {
    text = detail::trim_ows(text);
    if (text.empty()) return DateError::empty;

    Cursor in(text);
    const std::string_view day_name = in.letters();
    Result<CivilTime, DateError> fields = DateError::unknown_format;
    bool two_digit_year = false;
    if (in.skip(',')) {
        // IMF-fixdate or RFC 850: the separator after the day of month tells which, then the
        // day name must be of that form's kind; "Sunday, 06 Nov 1994" is a bad day name.
        const std::size_t at = day_name.size() + 4; // past ", 06": ' ' or '-'
        const char separator = at < text.size() ? text[at] : '\0';
        const bool rfc850 = separator == '-' || (separator != ' ' && day_name.size() > 3);
        if (!is_one_of(day_name, rfc850 ? std::span(kLongDayNames) : std::span(kDayNames)))
            return DateError::bad_day_name;
        fields = rfc850 ? parse_rfc850_date(in) : parse_imf_fixdate(in);
        two_digit_year = rfc850;
    } else if (in.peek() == ' ') {
        if (!is_one_of(day_name, kDayNames)) return DateError::bad_day_name;
        fields = parse_asctime_date(in);
    }
    if (!fields) return fields.error();
    if (!in.at_end()) return DateError::trailing_characters;

    CivilTime t = *fields;
    // sys_seconds has no leap seconds; :60 stays in its minute rather than rolling the date
    // (23:59:60 on 9999-12-31 would otherwise leave the range).
    t.second = std::min(t.second, 59);
    if (two_digit_year) {
        resolve_two_digit_year(t, now ? *now : floor<seconds>(system_clock::now()));
        if (t.year < 0 || t.year > 9999) return DateError::bad_year;
    }
    const year_month_day date{year{t.year}, month{static_cast<unsigned>(t.month)},
                              day{static_cast<unsigned>(t.day)}};
    if (!date.ok()) return DateError::bad_day; // e.g. Feb 29 outside a leap year
    return sys_seconds{sys_days{date}} + hours{t.hour} + minutes{t.minute} + seconds{t.second};
}

} // namespace

void format_http_date(sys_seconds t, std::span<char, kHttpDateLength> out) noexcept {
    const sys_seconds clamped = std::clamp(t, kEarliest, kLatest);
    const CivilTime c = to_civil(clamped);
    const weekday day_of_week{floor<days>(clamped)};

    constexpr std::string_view kShape = "Www, DD Mmm YYYY HH:MM:SS GMT";
    static_assert(kShape.size() == kHttpDateLength);
    char* p = out.data();
    std::memcpy(p, kShape.data(), kShape.size());
    std::memcpy(p, kDayNames[day_of_week.c_encoding()].data(), 3);
    put_digits(p + 5, static_cast<unsigned>(c.day), 2);
    std::memcpy(p + 8, kMonthNames[static_cast<std::size_t>(c.month - 1)].data(), 3);
    put_digits(p + 12, static_cast<unsigned>(c.year), 4);
    put_digits(p + 17, static_cast<unsigned>(c.hour), 2);
    put_digits(p + 20, static_cast<unsigned>(c.minute), 2);
    put_digits(p + 23, static_cast<unsigned>(c.second), 2);
}

std::string format_http_date(sys_seconds t) {
    std::string text(kHttpDateLength, '\0');
    format_http_date(t, std::span<char, kHttpDateLength>(text.data(), kHttpDateLength));
    return text;
}

Result<sys_seconds, DateError> parse_http_date(std::string_view text, sys_seconds now) noexcept {
    return parse(text, &now);
}

Result<sys_seconds, DateError> parse_http_date(std::string_view text) noexcept {
    return parse(text, nullptr);
}

std::string_view to_string(DateError e) noexcept {
    switch (e) {
    case DateError::empty:
        return "empty date";
    case DateError::unknown_format:
        return "not an IMF-fixdate, RFC 850 or asctime date";
    case DateError::bad_day_name:
        return "invalid day name";
    case DateError::bad_day:
        return "invalid day of month";
    case DateError::bad_month:
        return "invalid month";
    case DateError::bad_year:
        return "invalid year";
    case DateError::bad_time:
        return "invalid time of day";
    case DateError::not_gmt:
        return "time zone is not GMT";
    case DateError::trailing_characters:
        return "unexpected characters after the date";
    }
    return "unknown date error";
}

void DateCache::refresh(sys_seconds now) noexcept {
    format_http_date(now, text_);
    second_ = now;
    ++format_count_;
}

} // namespace pier
