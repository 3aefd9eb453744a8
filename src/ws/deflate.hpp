// permessage-deflate's two halves over zlib (RFC 7692 §7.2): raw DEFLATE, the message's last
// four bytes 00 00 FF FF removed by the sender and appended by the receiver, the LZ77 window
// kept between messages ("context takeover") unless the agreement says otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace pier::ws::detail {

/// The bytes a sender strips from the end of each compressed message and a receiver adds back:
/// an empty stored block as Z_SYNC_FLUSH ends it.
inline constexpr std::string_view kDeflateTail{"\x00\x00\xff\xff", 4};

/// Decompresses one message after another. Output goes into buffers the caller provides, so it
/// never holds more than zlib's window however much a message expands.
class Inflater {
  public:
    /// `window_bits` 8..15: the peer's agreed window. `no_context_takeover`: the peer resets its
    /// compressor after each message, so we reset after each too and keep no window between them.
    Inflater(int window_bits, bool no_context_takeover);
    ~Inflater();
    Inflater(Inflater&&) noexcept;
    Inflater& operator=(Inflater&&) noexcept;

    struct Result {
        std::size_t consumed = 0;
        std::size_t produced = 0;
        bool error = false; // not DEFLATE: fail with 1007
    };
    /// Inflates from the front of `in` into `out` until one of them runs out. Output left in
    /// zlib's window when `out` fills comes with the next call (with more input or none).
    Result inflate(std::string_view in, std::span<char> out) noexcept;
    /// Whether the data so far ends where a DEFLATE block does, or with a final block. A
    /// message with its tail appended must (RFC 7692 §7.2.1: it ends with the empty stored
    /// block of a flush); one that does not was cut short, and the next message would be read
    /// as the rest of its block.
    bool at_block_end() const noexcept;
    /// After the message's last byte and the tail: forget the window if the agreement says so.
    void end_message() noexcept;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

/// Compresses messages for the wire.
class Deflater {
  public:
    /// `window_bits` 9..15 (zlib has no 8-bit raw window; see DeflateConfig), `level` 1..9.
    Deflater(int window_bits, bool no_context_takeover, int level);
    ~Deflater();
    Deflater(Deflater&&) noexcept;
    Deflater& operator=(Deflater&&) noexcept;

    /// Appends `in` compressed to `out`, flushed so the peer can inflate all of it now. With
    /// `last`, the message ends here: the trailing 00 00 FF FF is left out (an empty message,
    /// or an empty last fragment, becomes the single byte 00, RFC 7692 §7.2.3.6) and the window
    /// is reset if agreed.
    /// A message may be compressed in several calls, one per fragment.
    void compress(std::string_view in, bool last, std::string& out);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace pier::ws::detail
