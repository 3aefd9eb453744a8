// A connection's byte stream, whatever carries it: a plain socket now, TLS next (its reads
// may find bytes OpenSSL decrypted earlier while the socket itself is empty), an in-memory
// pipe in the tests. Everything above it — the HTTP/1 session, a WebSocket after 101 — reads
// and writes through this interface and never calls recv/send/sendfile on a descriptor.
//
// Every call is non-blocking and returns at once: `ok` with a count (possibly short),
// `would_block` (wait for the next edge of fd()), `eof` (the peer closed its side: reads
// only) or `error` (the stream is unusable; close it).
//
// A write's `ok` means the transport took the bytes, not that they are on the socket: TLS
// gathers several records into one send and keeps what a full socket would not take
// (pending_output). Whoever decides that an answer is complete — to close, or to wait for
// the next request — flushes first and waits for the write edge while flush() says
// would_block. The next write flushes by itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <sys/uio.h>

namespace pier::net {

struct IoResult {
    enum Status : std::uint8_t {
        ok,
        would_block,
        eof,
        error
    };
    Status status = ok;
    std::size_t bytes = 0;

    static IoResult done(std::size_t n) noexcept { return {ok, n}; }
    static IoResult again() noexcept { return {would_block, 0}; }
    static IoResult closed() noexcept { return {eof, 0}; }
    static IoResult failed() noexcept { return {error, 0}; }
};

class Transport {
  public:
    virtual ~Transport() = default;

    /// The descriptor the event loop watches for this stream; -1 when there is none.
    virtual int fd() const noexcept = 0;
    virtual IoResult read(char* into, std::size_t room) noexcept = 0;
    virtual IoResult writev(const iovec* pieces, int count) noexcept = 0;
    /// Up to `length` bytes of `file_fd` from `offset` (advanced by what was sent).
    virtual IoResult send_file(int file_fd, std::uint64_t& offset, std::size_t length) noexcept = 0;
    /// No more bytes from us (FIN, or TLS close_notify then FIN, after pending output); reads
    /// go on.
    virtual void shutdown_write() noexcept = 0;
    /// Bytes taken by a write (or produced by the protocol itself) not yet on the socket.
    virtual std::size_t pending_output() const noexcept { return 0; }
    /// Pushes pending output: `ok` once none is left, `would_block` when the socket is full.
    virtual IoResult flush() noexcept { return IoResult::done(0); }
    /// One step of the opening handshake (TLS); `ok` once it is complete.
    virtual IoResult handshake() noexcept { return IoResult::done(0); }
    /// Bytes already inside the transport (decrypted records): a read would return them even
    /// though the socket shows nothing, so "a short read emptied the socket" cannot be
    /// assumed and edge-triggered readiness will not report them again.
    virtual bool has_buffered() const noexcept { return false; }
    /// Whether the read that just returned `got` bytes of `room` emptied the source, so that
    /// edge-triggered readiness reports whatever comes next. A socket: a short read. TLS,
    /// where one read returns at most a record: the last read from the socket was short.
    virtual bool drained_by(std::size_t got, std::size_t room) const noexcept { return got < room; }
    /// TLS: the last read cannot go on until the socket is writable (a record it must answer
    /// is stuck behind a full send buffer), or the last write until it is readable. The
    /// connection then retries the one on the other's edge.
    virtual bool read_waits_for_writable() const noexcept { return false; }
    virtual bool write_waits_for_readable() const noexcept { return false; }
    /// The protocol agreed by ALPN ("http/1.1", "h2"), empty when none was.
    virtual std::string_view alpn() const noexcept { return {}; }
    /// The bytes are encrypted on the wire (https).
    virtual bool secure() const noexcept { return false; }

    IoResult write(std::string_view bytes) noexcept {
        iovec piece{const_cast<char*>(bytes.data()), bytes.size()};
        return writev(&piece, 1);
    }
};

} // namespace pier::net
