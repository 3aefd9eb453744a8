// An in-memory transport for unit tests of sessions (as h2o's t/00unit): the test feeds the
// client's bytes, decides how many bytes each read returns and each write accepts — so EAGAIN
// and short counts can be placed at any byte — and reads back everything the server wrote.
#pragma once

#include "net/transport.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <unistd.h>
#include <utility>

namespace pier::net {

class MemoryTransport final : public Transport {
  public:
    static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

    // The client side.
    void feed(std::string_view bytes) { input_.append(bytes); }
    void feed_eof() noexcept { eof_ = true; }
    void reset_by_peer() noexcept { reset_ = true; }
    /// At most this many bytes per read (1: every byte is its own read).
    void set_read_chunk(std::size_t n) noexcept { read_chunk_ = n; }
    /// Writes accept this many more bytes in all, then say would_block until raised again.
    void set_write_budget(std::size_t n) noexcept { write_budget_ = n; }
    /// At most this many bytes per write call (short writes).
    void set_write_chunk(std::size_t n) noexcept { write_chunk_ = n; }
    /// Unread input counts as held inside the transport (as decrypted TLS records would).
    void set_reports_buffered(bool on) noexcept { reports_buffered_ = on; }
    /// Writes take every byte and keep what the budget does not let out as pending output,
    /// as TLS's gathered records: the session must flush() before it counts an answer sent.
    void set_gathers(bool on) noexcept { gathers_ = on; }
    /// Everything written so far, and what is still unread.
    const std::string& output() const noexcept { return output_; }
    std::string take_output() { return std::exchange(output_, {}); }
    std::size_t unread() const noexcept { return input_.size() - read_at_; }
    bool write_shut() const noexcept { return write_shut_; }
    std::size_t reads() const noexcept { return reads_; }

    int fd() const noexcept override { return -1; }

    IoResult read(char* into, std::size_t room) noexcept override {
        ++reads_;
        if (reset_) return IoResult::failed();
        const std::size_t n = std::min({room, read_chunk_, input_.size() - read_at_});
        if (n == 0) return eof_ ? IoResult::closed() : IoResult::again();
        std::memcpy(into, input_.data() + read_at_, n);
        read_at_ += n;
        return IoResult::done(n);
    }

    IoResult writev(const iovec* pieces, int count) noexcept override {
        if (reset_) return IoResult::failed();
        if (gathers_) {
            if (flush().status != IoResult::ok) return IoResult::again();
            std::size_t taken = 0;
            for (int i = 0; i < count; ++i) {
                held_.append(static_cast<const char*>(pieces[i].iov_base), pieces[i].iov_len);
                taken += pieces[i].iov_len;
            }
            flush();
            return IoResult::done(taken);
        }
        std::size_t total = 0;
        for (int i = 0; i < count; ++i) {
            const std::size_t n =
                std::min({pieces[i].iov_len, write_chunk_ - total, write_budget_});
            output_.append(static_cast<const char*>(pieces[i].iov_base), n);
            total += n;
            write_budget_ -= n;
            if (n < pieces[i].iov_len) break;
        }
        if (total == 0 && count > 0) return IoResult::again();
        return IoResult::done(total);
    }

    IoResult send_file(int file_fd, std::uint64_t& offset, std::size_t length) noexcept override {
        if (reset_) return IoResult::failed();
        char buffer[4096];
        if (gathers_) {
            if (flush().status != IoResult::ok) return IoResult::again();
            const ssize_t n =
                pread(file_fd, buffer, std::min(length, sizeof buffer), static_cast<off_t>(offset));
            if (n <= 0) return IoResult::failed();
            held_.append(buffer, static_cast<std::size_t>(n));
            offset += static_cast<std::uint64_t>(n);
            flush();
            return IoResult::done(static_cast<std::size_t>(n));
        }
        const std::size_t want = std::min({length, sizeof buffer, write_chunk_, write_budget_});
        if (want == 0) return IoResult::again();
        const ssize_t n = pread(file_fd, buffer, want, static_cast<off_t>(offset));
        if (n <= 0) return IoResult::failed();
        output_.append(buffer, static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
        write_budget_ -= static_cast<std::size_t>(n);
        return IoResult::done(static_cast<std::size_t>(n));
    }

    void shutdown_write() noexcept override {
        if (held_.empty())
            write_shut_ = true;
        else
            shut_after_flush_ = true;
    }
    std::size_t pending_output() const noexcept override { return held_.size(); }
    IoResult flush() noexcept override {
        if (reset_) return IoResult::failed();
        const std::size_t n = std::min({held_.size(), write_budget_, write_chunk_});
        output_.append(held_, 0, n);
        held_.erase(0, n);
        write_budget_ -= n;
        if (!held_.empty()) return IoResult::again();
        if (shut_after_flush_) write_shut_ = true;
        return IoResult::done(0);
    }
    bool has_buffered() const noexcept override { return reports_buffered_ && unread() > 0; }

  private:
    std::string input_;
    std::size_t read_at_ = 0;
    bool eof_ = false;
    bool reset_ = false;
    bool reports_buffered_ = false;
    bool write_shut_ = false;
    bool gathers_ = false;
    bool shut_after_flush_ = false;
    std::string held_; // taken, not yet let out (gathering)
    std::size_t read_chunk_ = kUnlimited;
    std::size_t write_budget_ = kUnlimited;
    std::size_t write_chunk_ = kUnlimited;
    std::string output_;
    std::size_t reads_ = 0;
};

} // namespace pier::net
