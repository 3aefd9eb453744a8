#include "ws/writer.hpp"

#include "ws/close.hpp"

#include <algorithm>
#include <cstring>
#include <openssl/rand.h>
#include <stdexcept>

namespace pier::ws::detail {

std::uint32_t MaskKeys::next() {
    if (used_ == kBatch) {
        std::span<unsigned char> bytes(reinterpret_cast<unsigned char*>(keys_.data()),
                                       sizeof keys_);
        const bool ok =
            fill_ ? fill_(bytes) : RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1;
        if (!ok) throw std::runtime_error("websocket: no random bytes for masking keys");
        used_ = 0;
    }
    return keys_[used_++];
}

Writer::Writer(Role role, MaskKeys keys) : role_(role), keys_(std::move(keys)) {}

void Writer::enable_deflate(const DeflateParams& agreed, const DeflateConfig& config) {
    const bool server = role_ == Role::server;
    const int window =
        std::min(config.window_bits, server ? agreed.server_window() : agreed.client_window());
    const bool reset = config.no_context_takeover || (server ? agreed.server_no_context_takeover
                                                             : agreed.client_no_context_takeover);
    // zlib refuses an 8-bit raw window (deflateInit2 with -8); a 9-bit one could reach back
    // further than the peer keeps. RFC 7692 §6 lets any message go uncompressed instead.
    if (window < 9) return;
    deflater_.emplace(window, reset, config.level);
}

void Writer::frame(std::string& out, Opcode opcode, bool fin, bool rsv1, std::string_view payload) {
    const bool masked = role_ == Role::client;
    const std::uint32_t mask = masked ? keys_.next() : 0;
    char header[kMaxFrameHeader];
    const std::size_t size =
        write_frame_header(header, opcode, fin, rsv1, payload.size(), masked, mask);
    const std::size_t start = out.size();
    out.resize(start + size + payload.size());
    std::memcpy(out.data() + start, header, size);
    if (!payload.empty()) std::memcpy(out.data() + start + size, payload.data(), payload.size());
    if (masked) apply_mask(out.data() + start + size, payload.size(), mask, 0);
}

void Writer::message(std::string& out, Opcode opcode, std::string_view payload) {
    if (deflater_) {
        scratch_.clear();
        deflater_->compress(payload, true, scratch_);
        frame(out, opcode, true, true, scratch_);
        return;
    }
    frame(out, opcode, true, false, payload);
}

void Writer::fragment(std::string& out, Opcode opcode, std::string_view payload, bool last) {
    const bool first = !in_message_;
    if (first) compressing_ = deflater_.has_value();
    const Opcode op = first ? opcode : Opcode::continuation;
    if (compressing_) {
        scratch_.clear();
        deflater_->compress(payload, last, scratch_);
        frame(out, op, last, first, scratch_);
    } else {
        frame(out, op, last, false, payload);
    }
    in_message_ = !last;
}

void Writer::control(std::string& out, Opcode opcode, std::string_view payload) {
    frame(out, opcode, true, false, payload.substr(0, 125));
}

void Writer::close(std::string& out, std::uint16_t code, std::string_view reason) {
    frame(out, Opcode::close, true, false, close_payload(code, reason));
}

Writer::Header Writer::frame_header(char* out, Opcode opcode, std::uint64_t payload_size,
                                    bool fin) {
    const bool masked = role_ == Role::client;
    Header h;
    h.mask = masked ? keys_.next() : 0;
    h.size = write_frame_header(out, opcode, fin, false, payload_size, masked, h.mask);
    return h;
}

} // namespace pier::ws::detail
