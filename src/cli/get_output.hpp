// Where `pier get` puts a body: stdout, or a file that appears only once complete (a temporary
// file in the same directory, renamed over the target on success, removed on failure or on a
// fatal signal). What a rename must not replace (a device such as /dev/null, a FIFO, a
// hard-linked file) is written in place, as curl writes everything. What the user asked to be
// kept even if the transfer fails (-C: a resumed download) is written in place too. Plus the
// progress bar. Private to the CLI.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace pier::cli {

/// How a file output is written.
enum class OutputMode {
    replace,    // a temporary file renamed over the target once complete
    in_place,   // the target itself, truncated: what arrives stays, even if the transfer fails
    append,     // the target itself, after what it holds (-C); created if missing
    create_new, // as replace, but never over an existing file (-J): open() fails with EEXIST
};

class OutputFile {
  public:
    /// "-" or empty: stdout. With `create_dirs`, the directories of the path that are missing
    /// are made first (mode 0750 less the umask, as curl's --create-dirs).
    explicit OutputFile(std::string path, OutputMode mode = OutputMode::replace,
                        bool create_dirs = false);
    ~OutputFile(); // removes the temporary file unless commit() succeeded
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    /// Creates the temporary file (or opens the target, see above); false with errno set.
    bool open();
    bool write(std::string_view data);
    /// Hands what was written to the kernel now (-N).
    bool flush();
    /// Flushes and renames into place.
    bool commit();
    bool is_file() const noexcept { return !path_.empty() && path_ != "-"; }
    const std::string& path() const noexcept { return path_; }

    /// SIGINT, SIGTERM, SIGHUP and SIGQUIT remove the open temporary file, then end the
    /// process as they would have.
    static void remove_temporaries_on_signals();

  private:
    bool open_temporary(const struct stat* existing);

    bool make_directories() const;

    std::string path_;
    OutputMode mode_;
    bool create_dirs_;
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

} // namespace pier::cli
