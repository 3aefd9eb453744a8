// The connection after `101 Switching Protocols`, as the handler that asked for it sees it
// (Response::upgrade): a byte stream the handler owns until it closes. Bytes the client sent
// right after its request head come first; nothing after the 101 is ever read as HTTP.
//
//     res.upgrade("echo", {
//         .on_data = [](pier::Stream& s, std::string_view bytes) { s.write(bytes); },
//     });
//
// Every callback runs on the connection's loop; so must every call on the Stream. The Stream
// stays valid until on_close has returned.
#pragma once

#include <pier/loop.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace pier {

class Stream {
  public:
    /// Queues `bytes` for the peer; they go out as the connection takes them. Returns the
    /// bytes still queued afterwards (0: all sent at once) — a writer with a lot to say waits
    /// for on_drained before queueing more.
    virtual std::size_t write(std::string_view bytes) = 0;
    virtual std::size_t queued() const noexcept = 0;
    /// Stops (or restarts) calling on_data: the peer's bytes wait in the kernel, and TCP's
    /// window tells the peer to slow down.
    virtual void pause_reading(bool paused) = 0;
    /// Closes once what is queued has gone out; on_close follows.
    virtual void close() = 0;
    /// Closes at once, dropping what is queued (a peer that stopped reading would never take
    /// it); on_close follows before this returns.
    virtual void abort() = 0;
    virtual Loop& loop() noexcept = 0;
    virtual const std::string& remote_address() const noexcept = 0;

  protected:
    ~Stream() = default;
};

struct StreamHandlers {
    /// Right after the 101 went out.
    std::function<void(Stream&)> on_open = nullptr;
    /// Bytes from the peer.
    std::function<void(Stream&, std::string_view bytes)> on_data = nullptr;
    /// Everything queued has been written.
    std::function<void(Stream&)> on_drained = nullptr;
    /// The peer will send nothing more (it half-closed). Unset: the stream closes once what
    /// is queued has gone out; set: the handler decides (it may still write, then close()).
    std::function<void(Stream&)> on_peer_closed = nullptr;
    /// The stream is over — close() completed, the peer went away, the server stopped. Called
    /// once; the Stream is invalid after it returns.
    std::function<void(Stream&)> on_close = nullptr;
};

} // namespace pier
