// The sending half: frames appended to a caller's buffer, masked by a client with keys from a
// CSPRNG (RFC 6455 §5.3, §10.3), compressed when permessage-deflate was agreed. I/O-free.
//
//     detail::Writer writer(Role::server);
//     writer.message(out, Opcode::text, "hello");          // one frame, compressed if agreed
//     writer.fragment(out, Opcode::binary, part, false);   // a message streamed in pieces…
//     writer.fragment(out, Opcode::binary, rest, true);    // …ended by its last piece
//     writer.control(out, Opcode::pong, ping_payload);
//     writer.close(out, close_code::normal, "bye");
//
// A server with a large payload elsewhere (a file, a buffer it keeps) writes only the header
// with frame_header() and the payload beside it in the same writev: no copy.
#pragma once

#include "ws/deflate.hpp"
#include "ws/frame.hpp"

#include <pier/websocket.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pier::ws::detail {

/// Masking keys, drawn from OpenSSL's RAND_bytes 256 at a time so a client pays for the CSPRNG
/// once per 256 frames. A failing CSPRNG throws std::runtime_error: predictable keys are what
/// masking exists to prevent (§10.3), so no frame goes out without a good one.
class MaskKeys {
  public:
    /// `fill` replaces RAND_bytes (tests: fixed keys); it fills the span or returns false.
    using Fill = std::function<bool(std::span<unsigned char>)>;
    explicit MaskKeys(Fill fill = nullptr) : fill_(std::move(fill)) {}
    std::uint32_t next();

  private:
    static constexpr std::size_t kBatch = 256;
    Fill fill_;
    std::array<std::uint32_t, kBatch> keys_{};
    std::size_t used_ = kBatch;
};

class Writer {
  public:
    explicit Writer(Role role, MaskKeys keys = MaskKeys());

    /// After the handshake agreed permessage-deflate: data messages are compressed with our
    /// side's window and context takeover as agreed, and `config`'s level. When the agreement
    /// limits our window to 8 bits, which zlib cannot compress raw, messages go uncompressed.
    void enable_deflate(const DeflateParams& agreed, const DeflateConfig& config);
    bool compresses() const noexcept { return deflater_.has_value(); }

    /// A whole text or binary message as one frame.
    void message(std::string& out, Opcode opcode, std::string_view payload);
    /// One piece of a message sent as it is produced: `opcode` (text or binary) names the
    /// message on every call; the first piece carries it and the others are continuations.
    void fragment(std::string& out, Opcode opcode, std::string_view payload, bool last);
    /// A ping or pong; a payload over 125 bytes is cut to 125.
    void control(std::string& out, Opcode opcode, std::string_view payload);
    /// A Close frame (see close_payload() for how code and reason are sent).
    void close(std::string& out, std::uint16_t code, std::string_view reason);

    /// Only the header of an uncompressed frame whose payload the caller sends itself, into
    /// `out` (kMaxFrameHeader bytes); returns its size. A client must mask the payload with
    /// the returned key (apply_mask from offset 0); a server's frames have none.
    struct Header {
        std::size_t size = 0;
        std::uint32_t mask = 0;
    };
    Header frame_header(char* out, Opcode opcode, std::uint64_t payload_size, bool fin = true);

  private:
    void frame(std::string& out, Opcode opcode, bool fin, bool rsv1, std::string_view payload);

    Role role_;
    MaskKeys keys_;
    std::optional<Deflater> deflater_;
    bool in_message_ = false;  // fragment(): a message has started and not ended
    bool compressing_ = false; // …and its first frame said RSV1
    std::string scratch_;      // compressed payload before it is framed
};

} // namespace pier::ws::detail
