// What a Connection and the Response being read share: the transport, the bytes received but
// not yet consumed, the deadlines and the debug sink. Shared, so a Response stays readable
// even if its Connection object goes first. Private to the client.
#pragma once

#include "client/transport.hpp"

#include <pier/client.hpp>
#include <pier/limits.hpp>

#include <algorithm>
#include <memory>
#include <poll.h>
#include <string>
#include <string_view>

namespace pier::client::detail {

struct Channel {
    std::unique_ptr<Transport> transport;
    std::string buffer; // received bytes; [consumed, size) not yet used
    std::size_t consumed = 0;
    Limits limits;
    Duration read_timeout{0};
    Clock::time_point total_deadline = Clock::time_point::max();
    DebugSink debug;
    bool response_active = false; // a Response is reading its body from here
    // Just after a request is sent the answer is rarely there yet: waiting before the first
    // read saves the read that would only say EAGAIN.
    bool wait_before_read = false;
    Clock::time_point idle_since{};             // when the last response ended
    std::shared_ptr<const ConnectionInfo> info; // of the connection open now
    Clock::time_point first_byte{};             // of the answer to the last request sent
    bool awaiting_first_byte = false;

    bool open() const noexcept { return transport != nullptr; }
    std::string_view pending() const noexcept { return std::string_view(buffer).substr(consumed); }
    void consume(std::size_t n) noexcept {
        consumed += n;
        if (consumed == buffer.size()) {
            buffer.clear();
            consumed = 0;
        }
    }
    Clock::time_point deadline() const noexcept {
        if (read_timeout.count() == 0) return total_deadline;
        return std::min(total_deadline, Clock::now() + read_timeout);
    }
    /// Moves the pending bytes to the front, so that until the next consume() the buffer only
    /// grows at its end (an incremental parse over it stays valid).
    void compact() {
        if (consumed != 0) {
            buffer.erase(0, consumed);
            consumed = 0;
        }
    }
    /// Reads more bytes after the pending ones (compacting first).
    Io fill() {
        compact();
        const std::size_t old = buffer.size();
        const std::size_t want = std::max<std::size_t>(16384, old);
        if (wait_before_read) {
            wait_before_read = false;
            if (!transport->waits_in_read() && !transport->has_buffered() &&
                !transport->wait_readable(deadline()))
                return {IoStatus::timeout, 0, 0};
        }
        buffer.resize(old + want);
        const Io io = transport->read(buffer.data() + old, want, deadline());
        buffer.resize(old + (io.status == IoStatus::ok ? io.bytes : 0));
        if (awaiting_first_byte && io.status == IoStatus::ok) {
            awaiting_first_byte = false;
            first_byte = Clock::now();
        }
        return io;
    }
    void close() noexcept {
        transport.reset();
        buffer.clear();
        consumed = 0;
        response_active = false;
    }
};

/// Throws the exception for a failed read or write (timeout, reset, TLS, socket error).
[[noreturn]] void throw_io_error(const Io& io, const Transport* transport, const char* doing);

} // namespace pier::client::detail
