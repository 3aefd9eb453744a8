// Shared by the WebSocket codec tests: frames built byte by byte, and a Reader driven the way a
// connection drives it — bytes arriving in pieces, what it did not consume kept and passed again.
#pragma once

#include "ws/frame.hpp"
#include "ws/reader.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pier::ws::test {

inline constexpr std::uint32_t kTestMask = 0x3d21fa37; // bytes 37 fa 21 3d, RFC 6455 §5.7's

/// One frame: a client's (masked with kTestMask) or a server's (unmasked).
inline std::string frame(Opcode op, std::string_view payload, bool fin = true, bool masked = true,
                         bool rsv1 = false) {
    char header[detail::kMaxFrameHeader];
    const std::size_t n =
        detail::write_frame_header(header, op, fin, rsv1, payload.size(), masked, kTestMask);
    std::string out(header, n);
    std::string body(payload);
    if (masked) detail::apply_mask(body.data(), body.size(), kTestMask, 0);
    return out + body;
}

/// What a Reader reported, as text: "text:hello", "binary:...", "ping:..", "pong:..",
/// "close:1000:bye", "error:1002". Fragments are joined into their message, so both modes
/// print the same for the same bytes.
struct Run {
    std::vector<std::string> events;
    std::string log() const {
        std::string s;
        for (const auto& e : events) s += e + "\n";
        return s;
    }
};

inline std::string name(Opcode op) {
    switch (op) {
    case Opcode::text:
        return "text";
    case Opcode::binary:
        return "binary";
    case Opcode::close:
        return "close";
    case Opcode::ping:
        return "ping";
    case Opcode::pong:
        return "pong";
    default:
        return "continuation";
    }
}

/// Feeds `pieces` to `reader` one after another, as a connection would: unconsumed bytes are
/// kept and passed again with the next piece.
inline Run feed_pieces(detail::Reader& reader, const std::vector<std::string_view>& pieces) {
    Run run;
    std::string pending;
    std::string message; // fragments so far
    for (std::string_view piece : pieces) {
        pending.append(piece);
        for (int guard = 0; guard < 1'000'000; ++guard) {
            const auto step = reader.read(pending);
            if (step.consumed > pending.size()) throw std::logic_error("consumed past input");
            using S = detail::Reader::Status;
            if (step.status == S::message) {
                run.events.push_back(name(step.opcode) + ":" + std::string(step.data));
            } else if (step.status == S::fragment) {
                message.append(step.data);
                if (step.last) {
                    run.events.push_back(name(step.opcode) + ":" + message);
                    message.clear();
                }
            } else if (step.status == S::control) {
                std::string e = name(step.opcode) + ":";
                if (step.opcode == Opcode::close) e += std::to_string(step.close_code) + ":";
                run.events.push_back(e + std::string(step.data));
            } else if (step.status == S::error) {
                run.events.push_back("error:" + std::to_string(reader.failure().code));
                return run;
            }
            pending.erase(0, step.consumed);
            if (step.status == S::need_more) break;
        }
    }
    return run;
}

/// `bytes` in pieces of `piece` bytes (0: all at once).
inline Run feed(detail::Reader& reader, std::string_view bytes, std::size_t piece = 0) {
    std::vector<std::string_view> pieces;
    if (piece == 0) piece = bytes.size() + 1;
    for (std::size_t off = 0; off < bytes.size(); off += piece)
        pieces.push_back(bytes.substr(off, piece));
    if (pieces.empty()) pieces.emplace_back();
    return feed_pieces(reader, pieces);
}

inline Run read_all(Role role, std::string_view bytes, std::size_t piece = 0,
                    detail::Reader::Mode mode = detail::Reader::Mode::messages,
                    const Limits& limits = {}, const DeflateParams* deflate = nullptr) {
    detail::Reader reader(role, limits, mode);
    if (deflate != nullptr) reader.enable_deflate(*deflate);
    return feed(reader, bytes, piece);
}

} // namespace pier::ws::test
