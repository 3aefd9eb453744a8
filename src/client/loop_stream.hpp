// pier::Stream (include/pier/stream.hpp) over the event-loop client's socket: what a
// WebSocket client runs on after the 101, the same interface a server's upgraded connection
// gives its handler. Writes are queued while the socket is full; reads can pause. Private.
#pragma once

#include "client/async_stream.hpp"

#include <pier/loop.hpp>
#include <pier/stream.hpp>

#include <memory>
#include <string>

namespace pier::client::detail {

class LoopStream final : public Stream, public std::enable_shared_from_this<LoopStream> {
  public:
    LoopStream(Loop& loop, std::unique_ptr<AsyncStream> socket, std::string remote,
               StreamHandlers handlers);
    /// Calls on_open, hands `leftover` (bytes read with the handshake) to on_data, then
    /// watches the socket.
    void start(std::string leftover);
    /// Ends at once without calling back (the owner is going).
    void abandon() noexcept;

    std::size_t write(std::string_view bytes) override;
    std::size_t queued() const noexcept override { return out_.size() - out_sent_; }
    void pause_reading(bool paused) override;
    void close() override;
    void abort() override { finish(); }
    Loop& loop() noexcept override { return loop_; }
    const std::string& remote_address() const noexcept override { return remote_; }

  private:
    void on_ready(unsigned events);
    void read_some();
    // Writes what is queued; false once the stream is over.
    bool flush();
    void update_interest();
    void finish();

    Loop& loop_;
    std::unique_ptr<AsyncStream> socket_;
    std::string remote_;
    StreamHandlers handlers_;
    Loop::Watch watch_;
    std::string out_;
    std::size_t out_sent_ = 0;
    bool paused_ = false;
    bool closing_ = false;
    bool peer_closed_ = false;
    bool finished_ = false;
    bool write_blocked_ = false; // the last write would block: wait for the socket
};

} // namespace pier::client::detail
