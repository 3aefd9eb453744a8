#include <pier/date.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <set>
#include <string>
#include <string_view>

namespace pier {
namespace {

using namespace std::chrono;
using namespace std::string_view_literals;

constexpr sys_seconds at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

// The RFC 9110 §5.6.7 example instant.
constexpr sys_seconds kRfcExample = at(1994, 11, 6, 8, 49, 37);
// A fixed "now" for RFC 850 two-digit years, so no test depends on the clock.
constexpr sys_seconds kNow = at(2024, 6, 15, 12, 0, 0);

std::string rfc850_form(std::string_view imf) {
    constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kLong = {{
        {"Sun", "Sunday"},
        {"Mon", "Monday"},
        {"Tue", "Tuesday"},
        {"Wed", "Wednesday"},
        {"Thu", "Thursday"},
        {"Fri", "Friday"},
        {"Sat", "Saturday"},
    }};
    std::string out;
    for (const auto& [short_name, long_name] : kLong)
        if (imf.substr(0, 3) == short_name) out = long_name;
    // "Sun, 06 Nov 1994 08:49:37 GMT" -> "Sunday, 06-Nov-94 08:49:37 GMT"
    out.append(", ").append(imf.substr(5, 2)).append("-").append(imf.substr(8, 3));
    out.append("-").append(imf.substr(14, 2)).append(" ").append(imf.substr(17, 8));
    return out.append(" GMT");
}

std::string asctime_form(std::string_view imf) {
    // "Sun, 06 Nov 1994 08:49:37 GMT" -> "Sun Nov  6 08:49:37 1994"
    std::string out(imf.substr(0, 3));
    out.append(" ").append(imf.substr(8, 3)).append(" ");
    if (imf[5] == '0')
        out.append(" ").append(imf.substr(6, 1));
    else
        out.append(imf.substr(5, 2));
    return out.append(" ").append(imf.substr(17, 8)).append(" ").append(imf.substr(12, 4));
}

// --- formatting -----------------------------------------------------------------------------

struct FormatCase {
    sys_seconds instant;
    std::string_view text;
};

constexpr FormatCase kFormatCases[] = {
    {kRfcExample, "Sun, 06 Nov 1994 08:49:37 GMT"},
    {sys_seconds{}, "Thu, 01 Jan 1970 00:00:00 GMT"},
    {sys_seconds{seconds{-1}}, "Wed, 31 Dec 1969 23:59:59 GMT"}, // floors, not truncates
    {at(1999, 12, 31, 23, 59, 59), "Fri, 31 Dec 1999 23:59:59 GMT"},
    {at(2000, 2, 29, 12, 0, 0), "Tue, 29 Feb 2000 12:00:00 GMT"},
    {at(2038, 1, 19, 3, 14, 8), "Tue, 19 Jan 2038 03:14:08 GMT"}, // past 32-bit time_t
    {at(9999, 12, 31, 23, 59, 59), "Fri, 31 Dec 9999 23:59:59 GMT"},
    {at(0, 1, 1), "Sat, 01 Jan 0000 00:00:00 GMT"},
    {at(1, 1, 1, 9, 5, 7), "Mon, 01 Jan 0001 09:05:07 GMT"},
    // Every month's name, and every day name.
    {at(2023, 1, 15), "Sun, 15 Jan 2023 00:00:00 GMT"},
    {at(2023, 2, 15), "Wed, 15 Feb 2023 00:00:00 GMT"},
    {at(2023, 3, 15), "Wed, 15 Mar 2023 00:00:00 GMT"},
    {at(2023, 4, 15), "Sat, 15 Apr 2023 00:00:00 GMT"},
    {at(2023, 5, 15), "Mon, 15 May 2023 00:00:00 GMT"},
    {at(2023, 6, 15), "Thu, 15 Jun 2023 00:00:00 GMT"},
    {at(2023, 7, 15), "Sat, 15 Jul 2023 00:00:00 GMT"},
    {at(2023, 8, 15), "Tue, 15 Aug 2023 00:00:00 GMT"},
    {at(2023, 9, 15), "Fri, 15 Sep 2023 00:00:00 GMT"},
    {at(2023, 10, 15), "Sun, 15 Oct 2023 00:00:00 GMT"},
    {at(2023, 11, 15), "Wed, 15 Nov 2023 00:00:00 GMT"},
    {at(2023, 12, 15), "Fri, 15 Dec 2023 00:00:00 GMT"},
    // Outside 0000..9999 the four-digit year cannot say it: clamped to the nearest bound.
    {at(0, 1, 1) - seconds{1}, "Sat, 01 Jan 0000 00:00:00 GMT"},
    {at(-5000, 3, 1), "Sat, 01 Jan 0000 00:00:00 GMT"},
    {sys_seconds::min(), "Sat, 01 Jan 0000 00:00:00 GMT"},
    {at(9999, 12, 31, 23, 59, 59) + seconds{1}, "Fri, 31 Dec 9999 23:59:59 GMT"},
    {at(12000, 6, 1), "Fri, 31 Dec 9999 23:59:59 GMT"},
    {sys_seconds::max(), "Fri, 31 Dec 9999 23:59:59 GMT"},
};

TEST(HttpDate, FormatsImfFixdate) {
    for (const auto& c : kFormatCases) {
        EXPECT_EQ(format_http_date(c.instant), c.text);
        std::array<char, kHttpDateLength> buffer;
        buffer.fill('#');
        format_http_date(c.instant, buffer);
        EXPECT_EQ(std::string_view(buffer.data(), buffer.size()), c.text);
    }
}

// --- parsing: the three forms ---------------------------------------------------------------

struct ParseCase {
    std::string_view text;
    sys_seconds expected;
};

const ParseCase kValid[] = {
    // RFC 9110 §5.6.7's three examples of the same instant.
    {"Sun, 06 Nov 1994 08:49:37 GMT", kRfcExample},
    {"Sunday, 06-Nov-94 08:49:37 GMT", kRfcExample},
    {"Sun Nov  6 08:49:37 1994", kRfcExample},
    // asctime with a two-digit day, and with a zero-padded one-digit day.
    {"Wed Nov 16 08:49:37 1994", at(1994, 11, 16, 8, 49, 37)},
    {"Sun Nov 06 08:49:37 1994", kRfcExample},
    // Whitespace around the whole value is not part of it (RFC 9110 §5.5).
    {"  Sun, 06 Nov 1994 08:49:37 GMT", kRfcExample},
    {"Sun, 06 Nov 1994 08:49:37 GMT \t ", kRfcExample},
    {"\tSunday, 06-Nov-94 08:49:37 GMT\t", kRfcExample},
    {" Sun Nov  6 08:49:37 1994 ", kRfcExample},
    // Field limits, at the limit.
    {"Sat, 01 Jan 0000 00:00:00 GMT", at(0, 1, 1)},
    {"Fri, 31 Dec 9999 23:59:59 GMT", at(9999, 12, 31, 23, 59, 59)},
    {"Fri, 31 Jan 2020 23:59:59 GMT", at(2020, 1, 31, 23, 59, 59)},
    {"Thu, 30 Apr 2020 00:00:00 GMT", at(2020, 4, 30)},
    {"Tue, 29 Feb 2000 00:00:00 GMT", at(2000, 2, 29)}, // divisible by 400: leap
    {"Thu, 29 Feb 2024 00:00:00 GMT", at(2024, 2, 29)},
    {"Wed, 28 Feb 1900 00:00:00 GMT", at(1900, 2, 28)},
    {"Sat Jan  1 00:00:00 0000", at(0, 1, 1)},
    {"Fri Dec 31 23:59:59 9999", at(9999, 12, 31, 23, 59, 59)},
    // A leap second is read as second 59 of the same minute: never rolls into the next year.
    {"Sun, 06 Nov 1994 08:49:60 GMT", at(1994, 11, 6, 8, 49, 59)},
    {"Sat, 31 Dec 2016 23:59:60 GMT", at(2016, 12, 31, 23, 59, 59)},
    {"Fri, 31 Dec 9999 23:59:60 GMT", at(9999, 12, 31, 23, 59, 59)},
    {"Saturday, 31-Dec-16 23:59:60 GMT", at(2016, 12, 31, 23, 59, 59)},
    {"Sat Dec 31 23:59:60 2016", at(2016, 12, 31, 23, 59, 59)},
    // The day name need not agree with the date: the numbers win (robust recipient).
    {"Mon, 06 Nov 1994 08:49:37 GMT", kRfcExample},
    {"Saturday, 06-Nov-94 08:49:37 GMT", kRfcExample},
    {"Fri Nov  6 08:49:37 1994", kRfcExample},
    // Every day name is known in both lengths.
    {"Mon, 07 Nov 1994 00:00:00 GMT", at(1994, 11, 7)},
    {"Tue, 08 Nov 1994 00:00:00 GMT", at(1994, 11, 8)},
    {"Wed, 09 Nov 1994 00:00:00 GMT", at(1994, 11, 9)},
    {"Thu, 10 Nov 1994 00:00:00 GMT", at(1994, 11, 10)},
    {"Fri, 11 Nov 1994 00:00:00 GMT", at(1994, 11, 11)},
    {"Sat, 12 Nov 1994 00:00:00 GMT", at(1994, 11, 12)},
    {"Monday, 07-Nov-94 00:00:00 GMT", at(1994, 11, 7)},
    {"Tuesday, 08-Nov-94 00:00:00 GMT", at(1994, 11, 8)},
    {"Wednesday, 09-Nov-94 00:00:00 GMT", at(1994, 11, 9)},
    {"Thursday, 10-Nov-94 00:00:00 GMT", at(1994, 11, 10)},
    {"Friday, 11-Nov-94 00:00:00 GMT", at(1994, 11, 11)},
    {"Saturday, 12-Nov-94 00:00:00 GMT", at(1994, 11, 12)},
};

TEST(HttpDate, ParsesTheThreeForms) {
    for (const auto& c : kValid) {
        const auto parsed = parse_http_date(c.text, kNow);
        ASSERT_TRUE(parsed.has_value()) << c.text << ": " << to_string(parsed.error());
        EXPECT_EQ(*parsed, c.expected) << c.text;
    }
}

TEST(HttpDate, ParsesWithTheSystemClockByDefault) {
    // IMF-fixdate and asctime do not need `now`; RFC 850 uses the clock: a date this year
    // written with a two-digit year is this year.
    EXPECT_EQ(*parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
    EXPECT_EQ(*parse_http_date("Sun Nov  6 08:49:37 1994"), kRfcExample);
    const sys_seconds today = floor<days>(system_clock::now());
    const auto parsed = parse_http_date(rfc850_form(format_http_date(today)));
    ASSERT_TRUE(parsed.has_value()) << rfc850_form(format_http_date(today));
    EXPECT_EQ(*parsed, today);
}

// --- parsing: malformed input ---------------------------------------------------------------

struct BadCase {
    std::string_view text;
    DateError error;
};

const BadCase kMalformed[] = {
    {"", DateError::empty},
    {"   ", DateError::empty},
    {" \t ", DateError::empty},

    {"Sun", DateError::unknown_format},
    {"Sunday", DateError::unknown_format},
    {"06 Nov 1994 08:49:37 GMT", DateError::unknown_format},
    {"1994-11-06T08:49:37Z", DateError::unknown_format},
    {"784111777", DateError::unknown_format},
    {"Sun; 06 Nov 1994 08:49:37 GMT", DateError::unknown_format},
    {"Sun\t06 Nov 1994 08:49:37 GMT", DateError::unknown_format},
    {"Sun\0 06 Nov 1994 08:49:37 GMT"sv, DateError::unknown_format},
    {"-1", DateError::unknown_format},

    // Names are case-sensitive (RFC 9110 §5.6.7), and each form has its own length of name.
    {"sun, 06 Nov 1994 08:49:37 GMT", DateError::bad_day_name},
    {"SUN, 06 Nov 1994 08:49:37 GMT", DateError::bad_day_name},
    {"Sux, 06 Nov 1994 08:49:37 GMT", DateError::bad_day_name},
    {"Su, 06 Nov 1994 08:49:37 GMT", DateError::bad_day_name},
    {", 06 Nov 1994 08:49:37 GMT", DateError::bad_day_name},
    {"Sunday, 06 Nov 1994 08:49:37 GMT", DateError::bad_day_name},
    {"Sun, 06-Nov-94 08:49:37 GMT", DateError::bad_day_name},
    {"sunday, 06-Nov-94 08:49:37 GMT", DateError::bad_day_name},
    {"SUNDAY, 06-Nov-94 08:49:37 GMT", DateError::bad_day_name},
    {"Sundays, 06-Nov-94 08:49:37 GMT", DateError::bad_day_name},
    {"Thurs, 10-Nov-94 08:49:37 GMT", DateError::bad_day_name},
    {"Sunday Nov  6 08:49:37 1994", DateError::bad_day_name},
    {"sun Nov  6 08:49:37 1994", DateError::bad_day_name},
    {"S\xc3\xbcn, 06 Nov 1994 08:49:37 GMT", DateError::unknown_format},

    {"Sun, 6 Nov 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun, 006 Nov 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun,06 Nov 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun,  06 Nov 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun, 0x Nov 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun, -6 Nov 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun, 00 Nov 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun, 32 Jan 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun, 99 Jan 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun, 31 Nov 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun, 31 Apr 1994 08:49:37 GMT", DateError::bad_day},
    {"Sun, 30 Feb 2000 08:49:37 GMT", DateError::bad_day},
    {"Sun, 29 Feb 2023 08:49:37 GMT", DateError::bad_day}, // not a leap year
    {"Sun, 29 Feb 1900 08:49:37 GMT", DateError::bad_day}, // divisible by 100, not by 400
    {"Sunday, 6-Nov-94 08:49:37 GMT", DateError::bad_day},
    {"Sunday, 31-Sep-94 08:49:37 GMT", DateError::bad_day},
    {"Sunday, 29-Feb-94 08:49:37 GMT", DateError::bad_day},
    {"Sun Nov 6 08:49:37 1994", DateError::bad_day},
    {"Sun Nov   6 08:49:37 1994", DateError::bad_day},
    {"Sun Nov  16 08:49:37 1994", DateError::bad_day},
    {"Sun Nov 106 08:49:37 1994", DateError::bad_day},
    {"Sun Nov  0 08:49:37 1994", DateError::bad_day},
    {"Sun Nov 00 08:49:37 1994", DateError::bad_day},
    {"Sun Feb 29 08:49:37 1995", DateError::bad_day},
    {"Sun,", DateError::bad_day},

    {"Sun, 06 nov 1994 08:49:37 GMT", DateError::bad_month},
    {"Sun, 06 NOV 1994 08:49:37 GMT", DateError::bad_month},
    {"Sun, 06 November 1994 08:49:37 GMT", DateError::bad_month},
    {"Sun, 06 No 1994 08:49:37 GMT", DateError::bad_month},
    {"Sun, 06 11 1994 08:49:37 GMT", DateError::bad_month},
    {"Sun, 06  Nov 1994 08:49:37 GMT", DateError::bad_month},
    {"Sun, 06", DateError::bad_month},
    {"Sunday, 06-nov-94 08:49:37 GMT", DateError::bad_month},
    {"Sunday, 06-Nov 94 08:49:37 GMT", DateError::bad_year},
    {"Sunday, 06 Nov-94 08:49:37 GMT", DateError::bad_day_name},
    {"Sun nov  6 08:49:37 1994", DateError::bad_month},
    {"Sun  Nov  6 08:49:37 1994", DateError::bad_month},
    {"Sun Foo  6 08:49:37 1994", DateError::bad_month},

    {"Sun, 06 Nov 94 08:49:37 GMT", DateError::bad_year},
    {"Sun, 06 Nov 199 08:49:37 GMT", DateError::bad_year},
    {"Sun, 06 Nov 19940 08:49:37 GMT", DateError::bad_year},
    {"Sun, 06 Nov +994 08:49:37 GMT", DateError::bad_year},
    {"Sun, 06 Nov -001 08:49:37 GMT", DateError::bad_year},
    {"Sun, 06 Nov  1994 08:49:37 GMT", DateError::bad_year},
    {"Sun, 06 Nov", DateError::bad_year},
    {"Sunday, 06-Nov-1994 08:49:37 GMT", DateError::bad_year}, // RFC 850 is two digits
    {"Sunday, 06-Nov-4 08:49:37 GMT", DateError::bad_year},
    {"Sunday, 06-Nov-944 08:49:37 GMT", DateError::bad_year},
    {"Sun Nov  6 08:49:37 94", DateError::bad_year},
    {"Sun Nov  6 08:49:37 19940", DateError::bad_year},
    {"Sun Nov  6 08:49:37", DateError::bad_year},
    {"Sun Nov  6 08:49:37  1994", DateError::bad_year},

    {"Sun, 06 Nov 1994 24:00:00 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 23:60:00 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 23:59:61 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 99:99:99 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 8:49:37 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 08:49 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 08:4:37 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 08:49:7 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 008:49:37 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 08-49-37 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994 08:4a:37 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994  08:49:37 GMT", DateError::bad_time},
    {"Sun, 06 Nov 1994", DateError::bad_time},
    {"Sunday, 06-Nov-94 24:49:37 GMT", DateError::bad_time},
    {"Sunday, 06-Nov-94 08:60:37 GMT", DateError::bad_time},
    {"Sun Nov  6 23:59:61 1994", DateError::bad_time},
    {"Sun Nov  6 08:49 1994", DateError::bad_time},

    {"Sun, 06 Nov 1994 08:49:37", DateError::not_gmt},
    {"Sun, 06 Nov 1994 08:49:37 UTC", DateError::not_gmt},
    {"Sun, 06 Nov 1994 08:49:37 gmt", DateError::not_gmt},
    {"Sun, 06 Nov 1994 08:49:37 Gmt", DateError::not_gmt},
    {"Sun, 06 Nov 1994 08:49:37 GM", DateError::not_gmt},
    {"Sun, 06 Nov 1994 08:49:37 +0000", DateError::not_gmt},
    {"Sun, 06 Nov 1994 08:49:37 EST", DateError::not_gmt},
    {"Sun, 06 Nov 1994 08:49:37GMT", DateError::not_gmt},
    {"Sun, 06 Nov 1994 08:49:37  GMT", DateError::not_gmt},
    {"Sun, 06 Nov 1994 08:49:37.5 GMT", DateError::not_gmt},
    {"Sunday, 06-Nov-94 08:49:37 UTC", DateError::not_gmt},
    {"Sunday, 06-Nov-94 08:49:37", DateError::not_gmt},

    {"Sun, 06 Nov 1994 08:49:37 GMTX", DateError::trailing_characters},
    {"Sun, 06 Nov 1994 08:49:37 GMT GMT", DateError::trailing_characters},
    {"Sun, 06 Nov 1994 08:49:37 GMT+1", DateError::trailing_characters},
    {"Sun, 06 Nov 1994 08:49:37 GMT\r", DateError::trailing_characters},
    {"Sun, 06 Nov 1994 08:49:37 GMT\r\n", DateError::trailing_characters},
    {"Sun, 06 Nov 1994 08:49:37 GMT\0"sv, DateError::trailing_characters},
    {"Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",
     DateError::trailing_characters},
    {"Sunday, 06-Nov-94 08:49:37 GMTT", DateError::trailing_characters},
    {"Sun Nov  6 08:49:37 1994 GMT", DateError::trailing_characters},
    {"Sun Nov  6 08:49:37 1994\n", DateError::trailing_characters},
};

TEST(HttpDate, RejectsMalformedDatesWithTheRightError) {
    for (const auto& c : kMalformed) {
        const auto parsed = parse_http_date(c.text, kNow);
        ASSERT_FALSE(parsed.has_value()) << c.text << " parsed as " << format_http_date(*parsed);
        EXPECT_EQ(parsed.error(), c.error)
            << c.text << ": got " << to_string(parsed.error()) << ", want " << to_string(c.error);
    }
}

TEST(HttpDate, EveryErrorHasItsOwnMessage) {
    constexpr DateError kAll[] = {
        DateError::empty,    DateError::unknown_format, DateError::bad_day_name,
        DateError::bad_day,  DateError::bad_month,      DateError::bad_year,
        DateError::bad_time, DateError::not_gmt,        DateError::trailing_characters,
    };
    std::set<std::string_view> messages;
    for (const auto e : kAll) {
        EXPECT_FALSE(to_string(e).empty());
        messages.insert(to_string(e));
    }
    EXPECT_EQ(messages.size(), std::size(kAll));
    EXPECT_EQ(to_string(static_cast<DateError>(200)), "unknown date error");
}

// --- RFC 850's two-digit year ---------------------------------------------------------------

struct TwoDigitYearCase {
    sys_seconds now;
    std::string_view text;
    sys_seconds expected;
};

constexpr sys_seconds kNewYearsEve1999 = at(1999, 12, 31, 23, 59, 59);

// "More than 50 years in the future" is the most recent past year with those digits.
const TwoDigitYearCase kTwoDigitYears[] = {
    // now = 2024-06-15 12:00:00, so now + 50 years = 2074-06-15 12:00:00.
    {kNow, "Friday, 15-Jun-74 12:00:00 GMT", at(2074, 6, 15, 12, 0, 0)}, // exactly 50 years
    {kNow, "Friday, 15-Jun-74 12:00:01 GMT", at(1974, 6, 15, 12, 0, 1)}, // one second more
    {kNow, "Friday, 15-Jun-74 11:59:59 GMT", at(2074, 6, 15, 11, 59, 59)},
    {kNow, "Friday, 15-Jun-74 12:01:00 GMT", at(1974, 6, 15, 12, 1, 0)},
    {kNow, "Friday, 15-Jun-74 13:00:00 GMT", at(1974, 6, 15, 13, 0, 0)},
    {kNow, "Friday, 14-Jun-74 23:59:59 GMT", at(2074, 6, 14, 23, 59, 59)},
    {kNow, "Friday, 16-Jun-74 00:00:00 GMT", at(1974, 6, 16)},
    {kNow, "Friday, 15-May-74 23:00:00 GMT", at(2074, 5, 15, 23, 0, 0)},
    {kNow, "Friday, 15-Jul-74 00:00:00 GMT", at(1974, 7, 15)},
    {kNow, "Friday, 31-Dec-73 23:59:59 GMT", at(2073, 12, 31, 23, 59, 59)},
    {kNow, "Friday, 01-Jan-75 00:00:00 GMT", at(1975, 1, 1)},
    {kNow, "Friday, 15-Jun-24 12:00:00 GMT", at(2024, 6, 15, 12, 0, 0)},
    {kNow, "Friday, 01-Jan-00 00:00:00 GMT", at(2000, 1, 1)},
    {kNow, "Friday, 31-Dec-99 23:59:59 GMT", at(1999, 12, 31, 23, 59, 59)},
    {kNow, "Tuesday, 29-Feb-00 00:00:00 GMT", at(2000, 2, 29)},
    // now = 1999-12-31 23:59:59: 2049-12-31 23:59:59 is the last timestamp still "2049".
    {kNewYearsEve1999, "Friday, 31-Dec-49 23:59:59 GMT", at(2049, 12, 31, 23, 59, 59)},
    {kNewYearsEve1999, "Friday, 31-Dec-49 23:59:60 GMT", at(2049, 12, 31, 23, 59, 59)},
    {kNewYearsEve1999, "Friday, 01-Jan-50 00:00:00 GMT", at(1950, 1, 1)},
    {kNewYearsEve1999, "Friday, 01-Jan-00 00:00:00 GMT", at(2000, 1, 1)},
    {kNewYearsEve1999, "Friday, 31-Dec-99 23:59:59 GMT", at(1999, 12, 31, 23, 59, 59)},
    // Near the ends of the four-digit range.
    {at(9940, 1, 1), "Friday, 01-Jan-90 00:00:00 GMT", at(9990, 1, 1)},
    {at(9950, 1, 1), "Friday, 31-Dec-99 23:59:59 GMT", at(9999, 12, 31, 23, 59, 59)},
    {at(60, 1, 1), "Friday, 01-Jan-10 00:00:00 GMT", at(110, 1, 1)},
    {at(49, 1, 1), "Friday, 01-Jan-00 00:00:00 GMT", at(0, 1, 1)},
    // A `now` beyond the range is read as the nearest end of it.
    {sys_seconds::max(), "Friday, 01-Jan-90 00:00:00 GMT", at(9990, 1, 1)},
    {sys_seconds::min(), "Friday, 01-Jan-00 00:00:00 GMT", at(0, 1, 1)},
};

TEST(HttpDate, Rfc850TwoDigitYearIsWithinFiftyYearsOfNow) {
    for (const auto& c : kTwoDigitYears) {
        const auto parsed = parse_http_date(c.text, c.now);
        ASSERT_TRUE(parsed.has_value()) << c.text << ": " << to_string(parsed.error());
        EXPECT_EQ(format_http_date(*parsed), format_http_date(c.expected))
            << c.text << " with now " << format_http_date(c.now);
    }
}

TEST(HttpDate, Rfc850YearResolvedOutsideTheRangeIsABadYear) {
    const BadCase cases[] = {
        {"Friday, 01-Jan-99 00:00:00 GMT", DateError::bad_year}, // would be year -1
    };
    for (const auto& c : cases) {
        const auto parsed = parse_http_date(c.text, at(0, 6, 1));
        ASSERT_FALSE(parsed.has_value()) << c.text;
        EXPECT_EQ(parsed.error(), c.error) << c.text;
    }
    // now in 9960: "10" is 10010 (within 50 years), which a four-digit year cannot hold.
    const auto late = parse_http_date("Friday, 01-Jan-10 00:00:00 GMT", at(9960, 6, 1));
    ASSERT_FALSE(late.has_value());
    EXPECT_EQ(late.error(), DateError::bad_year);
    // The limit itself: 9999 resolves, from a `now` 49 years before.
    EXPECT_TRUE(parse_http_date("Friday, 31-Dec-99 00:00:00 GMT", at(9950, 6, 1)).has_value());
}

TEST(HttpDate, Rfc850LeapDayDependsOnTheResolvedCentury) {
    // "29-Feb-00" is 2000 (a leap year) from 2024, but 2100 (not one) from 2060.
    EXPECT_EQ(*parse_http_date("Tuesday, 29-Feb-00 00:00:00 GMT", kNow), at(2000, 2, 29));
    const auto parsed = parse_http_date("Monday, 29-Feb-00 00:00:00 GMT", at(2060, 1, 1));
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error(), DateError::bad_day);
}

// --- round trips ----------------------------------------------------------------------------

void expect_all_forms_parse_to(sys_seconds t) {
    const std::string imf = format_http_date(t);
    const auto from_imf = parse_http_date(imf, t);
    const auto from_rfc850 = parse_http_date(rfc850_form(imf), t);
    const auto from_asctime = parse_http_date(asctime_form(imf), t);
    ASSERT_TRUE(from_imf.has_value()) << imf;
    ASSERT_TRUE(from_rfc850.has_value()) << rfc850_form(imf);
    ASSERT_TRUE(from_asctime.has_value()) << asctime_form(imf);
    EXPECT_EQ(*from_imf, t) << imf;
    EXPECT_EQ(*from_rfc850, t) << rfc850_form(imf);
    EXPECT_EQ(*from_asctime, t) << asctime_form(imf);
}

TEST(HttpDate, FormatThenParseGivesTheSameInstantInEveryForm) {
    constexpr sys_seconds kInstants[] = {
        sys_seconds{},
        at(1970, 1, 1, 0, 0, 1),
        at(1999, 12, 31, 23, 59, 59),
        at(2000, 1, 1),
        at(2000, 2, 29, 13, 14, 15),
        at(2038, 1, 19, 3, 14, 7),
        at(2038, 1, 19, 3, 14, 8),
        at(2106, 2, 7, 6, 28, 16), // past 32-bit unsigned time
        at(0, 1, 1),
        at(9999, 12, 31, 23, 59, 59),
        kRfcExample,
    };
    for (const auto t : kInstants) expect_all_forms_parse_to(t);
    for (unsigned m = 1; m <= 12; ++m) {
        expect_all_forms_parse_to(at(2023, m, 1));
        expect_all_forms_parse_to(at(2024, m, 28, 23, 59, 59));
    }
}

TEST(HttpDate, RoundTripsAcrossCenturies) {
    // An odd step visits every day of the week, day of month, hour, minute and second.
    constexpr seconds kStep = days{3} + hours{7} + minutes{13} + seconds{17};
    int checked = 0;
    for (sys_seconds t = at(1890, 1, 1); t < at(2110, 1, 1); t += kStep, ++checked) {
        const std::string imf = format_http_date(t);
        const auto parsed = parse_http_date(imf, t);
        ASSERT_TRUE(parsed.has_value()) << imf;
        ASSERT_EQ(*parsed, t) << imf;
        ASSERT_EQ(*parse_http_date(asctime_form(imf), t), t) << imf;
        ASSERT_EQ(*parse_http_date(rfc850_form(imf), t), t) << imf;
    }
    EXPECT_GT(checked, 20000);
}

// --- DateCache ------------------------------------------------------------------------------

TEST(DateCache, FormatsOnlyWhenTheSecondChanges) {
    DateCache cache;
    const auto base = cache.format_count();

    const std::string_view first = cache.get(kRfcExample);
    EXPECT_EQ(first, "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(cache.format_count(), base + 1);

    const std::string_view again = cache.get(kRfcExample);
    EXPECT_EQ(again.data(), first.data());
    EXPECT_EQ(again, "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(cache.format_count(), base + 1) << "same second must not reformat";

    const std::string_view next = cache.get(kRfcExample + seconds{1});
    EXPECT_EQ(next, "Sun, 06 Nov 1994 08:49:38 GMT");
    EXPECT_EQ(cache.format_count(), base + 2);
    EXPECT_EQ(cache.get(kRfcExample + seconds{1}), "Sun, 06 Nov 1994 08:49:38 GMT");
    EXPECT_EQ(cache.format_count(), base + 2);

    // Going back (the clock was set back) is a new second too.
    EXPECT_EQ(cache.get(kRfcExample), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(cache.format_count(), base + 3);
}

TEST(DateCache, StartsValidForEverySecondIncludingTheEpoch) {
    DateCache cache;
    EXPECT_EQ(cache.get(sys_seconds{}), "Thu, 01 Jan 1970 00:00:00 GMT");
    DateCache other;
    EXPECT_EQ(other.get(at(2024, 2, 29, 1, 2, 3)), "Thu, 29 Feb 2024 01:02:03 GMT");
}

TEST(DateCache, NowIsTheSystemClocksCurrentSecond) {
    DateCache cache;
    const sys_seconds before = floor<seconds>(system_clock::now());
    const std::string text(cache.now());
    const sys_seconds after = floor<seconds>(system_clock::now());
    const auto parsed = parse_http_date(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_GE(*parsed, before);
    EXPECT_LE(*parsed, after);
}

} // namespace
} // namespace pier
