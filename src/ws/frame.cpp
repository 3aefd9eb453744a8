#include "ws/frame.hpp"

#include <cstring>

namespace pier::ws::detail {
namespace {

HeaderResult fail(std::string_view reason,
                  std::uint16_t code = close_code::protocol_error) noexcept {
    return {HeaderStatus::error, {}, {code, reason}};
}

bool is_known(std::uint8_t opcode) noexcept {
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);
}

} // namespace

HeaderResult parse_frame_header(std::string_view input, const FrameContext& context) noexcept {
    const auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(input[i]); };
    if (input.empty()) return {HeaderStatus::incomplete, {}, {}};
    FrameHeader h;
    const std::uint8_t b0 = at(0);
    h.fin = (b0 & 0x80) != 0;
    h.rsv1 = (b0 & 0x40) != 0;
    const std::uint8_t op = b0 & 0x0f;
    // §5.2: a reserved bit without an extension that defines it fails the connection; RSV1
    // is permessage-deflate's, and only on a message's first frame (RFC 7692 §6.1).
    if ((b0 & 0x30) != 0) return fail("reserved bit set");
    if (!is_known(op)) return fail("unknown opcode");
    h.opcode = static_cast<Opcode>(op);
    const bool control = is_control(h.opcode);
    if (h.rsv1 && (!context.deflate || control || h.opcode == Opcode::continuation))
        return fail(context.deflate ? "RSV1 set past a message's first frame" : "reserved bit set");
    if (control && !h.fin) return fail("fragmented control frame");
    // §5.4: control frames may come between fragments, data frames may not.
    if (h.opcode == Opcode::continuation && !context.in_message)
        return fail("continuation frame without a message");
    if (!control && h.opcode != Opcode::continuation && context.in_message)
        return fail("new message inside a fragmented message");
    if (input.size() < 2) return {HeaderStatus::incomplete, {}, {}};

    const std::uint8_t b1 = at(1);
    h.masked = (b1 & 0x80) != 0;
    // §5.1: a server closes on an unmasked frame, a client on a masked one.
    if (context.role == Role::server && !h.masked) return fail("unmasked frame from a client");
    if (context.role == Role::client && h.masked) return fail("masked frame from a server");
    const std::uint8_t len7 = b1 & 0x7f;
    if (control && len7 > 125) return fail("control frame over 125 bytes");
    std::size_t size = 2;
    if (len7 == 126) {
        if (input.size() < 4) return {HeaderStatus::incomplete, {}, {}};
        h.payload_size = (std::uint64_t{at(2)} << 8) | at(3);
        // §5.2: "the minimal number of bytes MUST be used to encode the length".
        if (h.payload_size < 126) return fail("length not in its shortest form");
        size = 4;
    } else if (len7 == 127) {
        if (input.size() < 10) return {HeaderStatus::incomplete, {}, {}};
        if ((at(2) & 0x80) != 0) return fail("64-bit length with its top bit set");
        for (std::size_t i = 2; i < 10; ++i) h.payload_size = (h.payload_size << 8) | at(i);
        if (h.payload_size <= 0xffff) return fail("length not in its shortest form");
        size = 10;
    } else {
        h.payload_size = len7;
    }
    if (h.payload_size > context.max_frame)
        return fail("frame too big", close_code::message_too_big);
    if (h.masked) {
        if (input.size() < size + 4) return {HeaderStatus::incomplete, {}, {}};
        std::memcpy(&h.mask, input.data() + size, 4);
        size += 4;
    }
    h.size = size;
    return {HeaderStatus::complete, h, {}};
}

void apply_mask(char* data, std::size_t size, std::uint32_t key, std::uint64_t offset) noexcept {
    // The key's bytes rotated to `offset` and repeated to eight, so whole words can be XORed:
    // memcpy keeps it alignment-safe and byte-order-neutral, and compiles to plain moves.
    unsigned char k[4];
    std::memcpy(k, &key, 4);
    unsigned char rotated[8];
    for (std::size_t i = 0; i < 8; ++i) rotated[i] = k[(offset + i) % 4];
    std::uint64_t m;
    std::memcpy(&m, rotated, 8);
    std::size_t i = 0;
    for (; i + 32 <= size; i += 32) {
        std::uint64_t w[4];
        std::memcpy(w, data + i, 32);
        w[0] ^= m;
        w[1] ^= m;
        w[2] ^= m;
        w[3] ^= m;
        std::memcpy(data + i, w, 32);
    }
    for (; i + 8 <= size; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, data + i, 8);
        w ^= m;
        std::memcpy(data + i, &w, 8);
    }
    for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ rotated[i % 8]);
}

std::size_t write_frame_header(char* out, Opcode opcode, bool fin, bool rsv1,
                               std::uint64_t payload_size, bool masked,
                               std::uint32_t mask) noexcept {
    auto* o = reinterpret_cast<unsigned char*>(out);
    o[0] = static_cast<unsigned char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) |
                                      static_cast<unsigned char>(opcode));
    const unsigned char mask_bit = masked ? 0x80 : 0;
    std::size_t size = 2;
    if (payload_size < 126) {
        o[1] = static_cast<unsigned char>(mask_bit | payload_size);
    } else if (payload_size <= 0xffff) {
        o[1] = mask_bit | 126;
        o[2] = static_cast<unsigned char>(payload_size >> 8);
        o[3] = static_cast<unsigned char>(payload_size);
        size = 4;
    } else {
        o[1] = mask_bit | 127;
        for (int i = 0; i < 8; ++i)
            o[2 + i] = static_cast<unsigned char>(payload_size >> (56 - 8 * i));
        size = 10;
    }
    if (masked) {
        std::memcpy(o + size, &mask, 4);
        size += 4;
    }
    return size;
}

} // namespace pier::ws::detail
