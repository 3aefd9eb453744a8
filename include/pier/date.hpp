// HTTP-date (RFC 9110 §5.6.7): the timestamps of Date, Last-Modified, Expires,
// If-Modified-Since, Retry-After and friends.
//
// pier sends only IMF-fixdate and reads all three forms the RFC requires recipients to accept:
//
//     Sun, 06 Nov 1994 08:49:37 GMT    ; IMF-fixdate
//     Sunday, 06-Nov-94 08:49:37 GMT   ; obsolete RFC 850 format
//     Sun Nov  6 08:49:37 1994         ; ANSI C's asctime() format
//
//     auto t = pier::parse_http_date(request_field_value);
//     if (t && last_modified <= *t) return Status::not_modified;
//     response.set("Last-Modified", pier::format_http_date(last_modified));
//
// Times are std::chrono::sys_seconds: UTC, proleptic Gregorian calendar, no leap seconds.
// No locale, no strftime/timegm, no time zone database.
#pragma once

#include <pier/result.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pier {

/// Length of every IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr std::size_t kHttpDateLength = 29;

/// Writes `t` as an IMF-fixdate into `out` (exactly 29 bytes, no terminator, no allocation).
/// The format has a four-digit year, so instants before 0000-01-01 00:00:00 or after
/// 9999-12-31 23:59:59 are clamped to those bounds rather than written in a shape that
/// recipients would reject.
void format_http_date(std::chrono::sys_seconds t, std::span<char, kHttpDateLength> out) noexcept;

/// The same, as a new string.
std::string format_http_date(std::chrono::sys_seconds t);

enum class DateError : std::uint8_t {
    empty,               // nothing but whitespace
    unknown_format,      // not shaped like any of the three forms
    bad_day_name,        // not a day name of the form used ("Sun" / "Sunday"); case-sensitive
    bad_day,             // day of month malformed, or not a day of that month ("Feb 30")
    bad_month,           // not one of "Jan" .. "Dec"; case-sensitive
    bad_year,            // wrong number of digits, or a two-digit year outside 0000..9999
    bad_time,            // not HH:MM:SS, or hour > 23, minute > 59, second > 60
    not_gmt,             // zone missing or other than " GMT"; case-sensitive
    trailing_characters, // anything but whitespace after the date
};

std::string_view to_string(DateError e) noexcept;

/// Parses an HTTP-date in any of its three forms (RFC 9110 §5.6.7) and nothing else.
///
/// Choices where the RFC leaves room:
/// - Leading and trailing SP/HTAB are ignored; inside the date the spacing must be exact
///   (asctime pads a one-digit day with a space: "Nov  6"; a two-digit "Nov 06" is accepted).
/// - Names are case-sensitive, as the RFC's grammar says ("HTTP-date is case sensitive"):
///   "sun", "NOV" or "gmt" are rejected.
/// - The day name must be a real day name of the right length for the form, but it need not
///   agree with the date: the RFC asks recipients to be robust, and the numeric date is what
///   the sender meant to say. "Mon, 06 Nov 1994 ..." is 1994-11-06.
/// - A leap second (second 60) is accepted and read as second 59 of the same minute, so the
///   result stays in the same minute, day and year as written.
/// - RFC 850's two-digit year is the latest year with those digits that does not put the
///   timestamp more than 50 years after `now` (RFC 9110 §5.6.7): with `now` at
///   2024-06-15 12:00:00, "15-Jun-74 12:00:00" is 2074 but "15-Jun-74 12:00:01" is 1974.
///   A year resolving outside 0000..9999 is bad_year.
Result<std::chrono::sys_seconds, DateError> parse_http_date(std::string_view text,
                                                            std::chrono::sys_seconds now) noexcept;

/// The same, with `now` from the system clock, read only when the date is in RFC 850 form.
Result<std::chrono::sys_seconds, DateError> parse_http_date(std::string_view text) noexcept;

/// The current IMF-fixdate for the Date header field (RFC 9110 §6.6.1), formatted at most once
/// per second. One per event loop: it has no locks, so it must not be shared between threads.
///
///     DateCache dates;                      // a member of the event loop
///     response.set("Date", dates.now());    // per response: a comparison, no formatting
///
/// The returned view points into the cache: it lives as long as the cache, and its text
/// changes when a later call asks for another second.
class DateCache {
  public:
    DateCache() noexcept { refresh(std::chrono::sys_seconds{}); }

    /// The IMF-fixdate of `now`; reformats only when `now` differs from the previous call's.
    std::string_view get(std::chrono::sys_seconds now) noexcept {
        if (now != second_) refresh(now);
        return {text_.data(), text_.size()};
    }

    /// The IMF-fixdate of the system clock's current second.
    std::string_view now() noexcept {
        return get(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    }

    /// How many times the text was formatted (including once on construction): for tests and
    /// metrics, to see that the cache does its job.
    std::uint64_t format_count() const noexcept { return format_count_; }

  private:
    void refresh(std::chrono::sys_seconds now) noexcept;

    std::chrono::sys_seconds second_{};
    std::uint64_t format_count_ = 0;
    std::array<char, kHttpDateLength> text_{};
};

} // namespace pier
