#include "cli/get_transfer.hpp"

#include "cli/get_errors.hpp"
#include "cli/get_rate.hpp"

#include <pier/date.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <sys/stat.h>

namespace pier::cli {

namespace {

std::optional<std::uint64_t> parse_offset(std::string_view text) {
    std::uint64_t n = 0;
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc() || stop != end || text.empty()) return std::nullopt;
    return n;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

} // namespace

void add_transfer_flags(CLI::App& get, TransferFlags& flags, CLI::Option* fail) {
    get.add_option("-r,--range", flags.range,
                   "Ask for part of the body: bytes 'FIRST-LAST', 'FIRST-' or '-LAST_N' "
                   "(several joined with ',')")
        ->type_name("RANGE");
    get.add_option("-C,--continue-at", flags.continue_at,
                   "Resume at byte OFFSET, appending to the -o/-O file; '-' resumes where the "
                   "file ends")
        ->type_name("OFFSET");
    get.add_flag("--create-dirs", flags.create_dirs, "Make the missing directories of -o paths");
    get.add_flag("-J,--remote-header-name", flags.remote_header_name,
                 "With -O, name the file as Content-Disposition says (its base name, no leading "
                 "dots; never over an existing file)");
    get.add_flag("--fail-with-body", flags.fail_with_body,
                 "Exit 22 on a status >= 400, but write the body")
        ->excludes(fail);
    get.add_option("-e,--referer", flags.referer,
                   "Referer URL to send; with ';auto' (after it or alone) -L sends the URL it "
                   "was redirected from")
        ->type_name("URL");
    get.add_flag("-N,--no-buffer", flags.no_buffer, "Write the body out as it arrives");
    get.add_option("--limit-rate", flags.limit_rate,
                   "Read at most RATE bytes a second on average (suffix K, M or G: KiB, MiB, GiB)")
        ->type_name("RATE");
    get.add_flag("--retry-all-errors", flags.retry_all_errors, "With --retry, retry on any error");
    get.add_option("--retry-delay", flags.retry_delay,
                   "With --retry, wait SECONDS between attempts instead of backing off")
        ->check(CLI::NonNegativeNumber)
        ->type_name("SECONDS");
    get.add_option("--retry-max-time", flags.retry_max_time,
                   "With --retry, start no retry SECONDS or more after the first attempt")
        ->check(CLI::NonNegativeNumber)
        ->type_name("SECONDS");
}

TransferSettings transfer_settings(const TransferFlags& flags, bool quiet) {
    TransferSettings s;
    if (!flags.range.empty()) {
        std::string range = flags.range;
        // curl's own fix-ups and warnings, so a script sends what it sent with curl.
        if (all_digits(range)) {
            if (!quiet)
                fmt::print(stderr, "Warning: A specified range MUST include at least one dash "
                                   "(-). Appending one for you!\n");
            range += '-';
        } else if (!quiet && range.find_first_not_of("0123456789-,") != std::string::npos) {
            fmt::print(stderr, "Warning: Invalid character is found in given range. A specified "
                               "range MUST have only digits in 'start'-'stop'. The server's "
                               "response to this request is uncertain.\n");
        }
        s.range = "bytes=" + range;
    }
    if (flags.continue_at == "-") {
        if (flags.remote_header_name)
            throw Failure{2, "--continue-at - and --remote-header-name cannot be combined"};
        s.resume = true;
        s.resume_from_file_size = true;
    } else if (!flags.continue_at.empty()) {
        const auto offset = parse_offset(flags.continue_at);
        if (!offset)
            throw Failure{2, "-C wants a byte offset or '-', not '" + flags.continue_at + "'"};
        s.resume = *offset > 0; // -C 0 is a plain download, as in curl
        s.resume_offset = *offset;
    }
    if (!flags.limit_rate.empty()) {
        const auto rate = parse_rate(flags.limit_rate);
        if (!rate)
            throw Failure{2, "--limit-rate wants bytes a second with an optional unit G, M, K "
                             "or B, not '" +
                                 flags.limit_rate + "'"};
        s.rate = *rate;
    }
    std::string_view referer = flags.referer;
    if (referer.ends_with(";auto")) {
        s.auto_referer = true;
        referer.remove_suffix(5);
    }
    s.referer = referer;
    return s;
}

std::uint64_t resume_offset(const TransferSettings& settings, const std::string& output) {
    if (!settings.resume) return 0;
    if (!settings.resume_from_file_size) return settings.resume_offset;
    struct stat st {};
    if (output.empty() || output == "-" || ::stat(output.c_str(), &st) != 0) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}

bool transient_status(int status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
           status == 504;
}

int retry_after_seconds(std::string_view value) {
    int seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) return seconds;
    if (const auto when = parse_http_date(value)) {
        const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        return static_cast<int>(std::max<std::int64_t>(0, (*when - now).count()));
    }
    return -1;
}

std::optional<int> retry_wait(const TransferFlags& flags, int attempt, int retry_after,
                              double elapsed) {
    const int wait = retry_after >= 0        ? std::min(retry_after, 600)
                     : flags.retry_delay > 0 ? flags.retry_delay
                                             : std::min(1 << std::min(attempt, 10), 600);
    if (flags.retry_max_time > 0 && elapsed + wait >= flags.retry_max_time) return std::nullopt;
    return wait;
}

std::optional<std::uint64_t> content_range_start(std::string_view value) {
    constexpr std::string_view unit = "bytes ";
    if (value.size() < unit.size()) return std::nullopt;
    for (std::size_t i = 0; i < unit.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(value[i])) != unit[i]) return std::nullopt;
    value.remove_prefix(unit.size());
    const std::size_t dash = value.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    return parse_offset(value.substr(0, dash));
}

ResumeAnswer resume_answer(int status, std::string_view content_range,
                           std::optional<std::uint64_t> content_length, std::uint64_t offset) {
    // 416 to "bytes=SIZE-": the file is whole already. curl takes any 416 so, body unread.
    if (status == 416) return ResumeAnswer::already_complete;
    if (content_range_start(content_range) == offset) return ResumeAnswer::append;
    // The whole body, and it is as long as the file: nothing is missing (curl's rule too).
    if (content_length == offset) return ResumeAnswer::already_complete;
    return ResumeAnswer::unsupported;
}

} // namespace pier::cli
