// curl's transfer-side flags of `pier get`: part of a body (-r, -C), where it goes
// (--create-dirs, -J), --fail-with-body, -e, -N, --limit-rate and the finer --retry controls;
// and the rules of a resumed download. Private to the CLI.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pier::cli {

/// The flags as given.
struct TransferFlags {
    std::string range;       // -r
    std::string continue_at; // -C: an offset, or "-"
    bool create_dirs = false;
    bool remote_header_name = false; // -J
    bool fail_with_body = false;
    std::string referer; // -e: a URL, ";auto" or both
    bool no_buffer = false;
    std::string limit_rate;
    bool retry_all_errors = false;
    int retry_delay = 0;    // seconds between attempts; 0: back off (1 s, 2 s, 4 s...)
    int retry_max_time = 0; // seconds after the first attempt that no retry starts; 0: none
};

/// Registers them on `get`; `fail` is -f, which --fail-with-body excludes.
void add_transfer_flags(CLI::App& get, TransferFlags& flags, CLI::Option* fail);

/// What the flags mean once checked.
struct TransferSettings {
    std::string range; // "bytes=..." for the Range field; empty: none
    bool resume = false;
    bool resume_from_file_size = false; // -C -
    std::uint64_t resume_offset = 0;    // -C N
    std::uint64_t rate = 0;             // bytes per second; 0: no limit
    std::string referer;                // sent on the first request (and every other without auto)
    bool auto_referer = false;
};

/// Throws Failure{2, ...} for a value curl would refuse: a bad -C offset or --limit-rate, -C -
/// with -J. -r given as a lone number is taken as "N-", as curl does (with its warning unless
/// `quiet`).
TransferSettings transfer_settings(const TransferFlags& flags, bool quiet);

/// -C: where an attempt resumes (0: from the start). "-C -" takes the file's size now, and
/// means nothing without a file (`output` empty or "-"), as in curl.
std::uint64_t resume_offset(const TransferSettings& settings, const std::string& output);

/// Whether a failed (or 5xx) transfer is worth another attempt, and when the server asked for
/// it.
struct Transient {
    bool yes = false;
    int retry_after = -1; // seconds from Retry-After; -1: not given
};

/// The statuses curl's --retry retries: 408, 429, 500, 502, 503, 504.
bool transient_status(int status);

/// Retry-After (RFC 9110 §10.2.3) in seconds from now: delay-seconds or an HTTP-date (one in
/// the past is 0); -1 when it is neither.
int retry_after_seconds(std::string_view value);

/// Seconds to wait before retry `attempt` + 1 (from 0): what Retry-After said when the server
/// said it (`retry_after` >= 0; at most 600 s, as curl), else --retry-delay, else curl's
/// back-off 1, 2, 4... 600 s. nullopt when that retry would start --retry-max-time seconds or
/// more after the first attempt, `elapsed` seconds ago.
std::optional<int> retry_wait(const TransferFlags& flags, int attempt, int retry_after,
                              double elapsed);

/// What a response to a resumed request (Range: bytes=OFFSET-) means for the file.
enum class ResumeAnswer {
    append,           // 206 (or any status) with a Content-Range starting at the offset
    already_complete, // 416, or a whole body exactly as long as the file: nothing to do
    unsupported,      // the server ignored the Range: curl's exit 33, the file left alone
};

/// curl's rules for a response with a body to a request that asked to resume at `offset`.
ResumeAnswer resume_answer(int status, std::string_view content_range,
                           std::optional<std::uint64_t> content_length, std::uint64_t offset);

/// The first byte of a Content-Range "bytes FIRST-LAST/SIZE" (RFC 9110 §14.4); nullopt for
/// anything else ("bytes */SIZE" included).
std::optional<std::uint64_t> content_range_start(std::string_view value);

} // namespace pier::cli
