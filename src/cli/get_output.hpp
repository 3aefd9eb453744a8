// Where `pier get` puts a body: stdout, or a file that appears only once complete (a temporary
// file in the same directory, renamed over the target on success, removed on failure or on a
// fatal signal). What a rename must not replace (a device such as /dev/null, a FIFO, a
// hard-linked file) is written in place, as curl writes everything. Plus the progress bar and
// the -w format. Private to the CLI.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace pier::cli {

class OutputFile {
  public:
    /// "-" or empty: stdout.
    explicit OutputFile(std::string path);
    ~OutputFile(); // removes the temporary file unless commit() succeeded
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    /// Creates the temporary file (or opens the target, see above); false with errno set.
    bool open();
    bool write(std::string_view data);
    /// Flushes and renames into place.
    bool commit();
    bool is_file() const noexcept { return !path_.empty() && path_ != "-"; }
    const std::string& path() const noexcept { return path_; }

    /// SIGINT, SIGTERM, SIGHUP and SIGQUIT remove the open temporary file, then end the
    /// process as they would have.
    static void remove_temporaries_on_signals();

  private:
    bool open_temporary(const struct stat* existing);

    std::string path_;
    std::string target_; // what the temporary file is renamed to: path_, or where its link leads
    std::string temp_;
    std::FILE* file_ = nullptr;
    bool committed_ = false;
};

/// "  42.0%   12.3 MiB   4.5 MiB/s" on stderr, redrawn at most ten times a second.
class Progress {
  public:
    explicit Progress(bool enabled) : enabled_(enabled) {}
    void update(std::uint64_t done, std::optional<std::uint64_t> total, bool force = false);
    /// Draws the final state and ends the line.
    void finish();

  private:
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_{};
    std::uint64_t done_ = 0;
    std::optional<std::uint64_t> total_;
};

struct TransferInfo {
    int http_code = 0;
    std::uint64_t size_download = 0;
    std::uint64_t size_header = 0;
    double time_total = 0;
    int num_redirects = 0;
    std::string url_effective;
    std::string content_type;
    int exit_code = 0;
};

/// curl's -w: %{http_code}, %{size_download}, %{size_header}, %{time_total},
/// %{num_redirects}, %{url_effective}, %{content_type}, %{exitcode}, %% and \n \t \r.
std::string format_write_out(std::string_view format, const TransferInfo& info);

} // namespace pier::cli
