// One WebSocket frame's header (RFC 6455 §5.2): parsing with every rule of §5 that a header
// alone can break, masking (§5.3), and writing.
//
// parse_frame_header() looks at the bytes received so far and answers: a complete header
// (`size` bytes of it), `incomplete` (nothing consumed), or a Failure with the close code to
// send. Rules are checked in byte order, so the verdict does not depend on where the input is
// split. Rules about the sequence of frames (a continuation with no message open, a new
// message inside another, RSV1 past the first frame) take the state the caller passes.
#pragma once

#include <pier/limits.hpp>
#include <pier/websocket.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pier::ws::detail {

struct FrameHeader {
    Opcode opcode = Opcode::continuation;
    bool fin = false;
    bool rsv1 = false; // "compressed", on the first frame of a permessage-deflate message
    bool masked = false;
    std::uint32_t mask = 0; // the key's four bytes in wire order, read as little-endian
    std::uint64_t payload_size = 0;
    std::size_t size = 0; // bytes of the header: 2 to 14
};

/// What the parser must know of the connection to apply §5's sequencing rules.
struct FrameContext {
    Role role = Role::server;
    bool in_message = false; // a text or binary message has started and not ended
    bool deflate = false;    // permessage-deflate was agreed: RSV1 means "compressed"
    std::uint64_t max_frame = Limits{}.max_ws_frame;
};

enum class HeaderStatus : std::uint8_t {
    complete,
    incomplete,
    error,
};

struct HeaderResult {
    HeaderStatus status;
    FrameHeader header;
    Failure failure;
};

HeaderResult parse_frame_header(std::string_view input, const FrameContext& context) noexcept;

/// XORs `size` bytes at `data` with the mask `key`, as the bytes that start `offset` bytes into
/// the payload (so a payload can be unmasked in pieces). Masking and unmasking are the same.
void apply_mask(char* data, std::size_t size, std::uint32_t key, std::uint64_t offset) noexcept;

inline constexpr std::size_t kMaxFrameHeader = 14;

/// Writes a frame header into `out` (room for kMaxFrameHeader bytes) and returns its size. The
/// length is always in its shortest form; `mask` is written when `masked`.
std::size_t write_frame_header(char* out, Opcode opcode, bool fin, bool rsv1,
                               std::uint64_t payload_size, bool masked,
                               std::uint32_t mask) noexcept;

} // namespace pier::ws::detail
