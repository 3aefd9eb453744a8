// Shared by the WebSocket reader's fuzz targets: the same bytes read whole, byte by byte and in
// pieces, in both modes, must tell the same story; steps never claim bytes past the input.
#pragma once

#include "ws/reader.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace pier::ws::fuzz {

inline void check(bool ok) {
    if (!ok) std::abort();
}

inline std::string run(std::string_view bytes, std::size_t piece, Role role,
                       detail::Reader::Mode mode, const DeflateParams* deflate) {
    Limits limits;
    limits.max_ws_frame = 1 << 16;
    limits.max_ws_message = 1 << 17;
    limits.max_ws_fragments = 64;
    detail::Reader reader(role, limits, mode);
    if (deflate != nullptr) reader.enable_deflate(*deflate);
    std::string log;
    std::string message;
    std::string pending;
    for (std::size_t off = 0; off < bytes.size() || off == 0;) {
        const std::size_t n = piece == 0 ? bytes.size() : std::min(piece, bytes.size() - off);
        pending.append(bytes.substr(off, n));
        off += n;
        for (int guard = 0;; ++guard) {
            check(guard < 1'000'000);
            const auto step = reader.read(pending);
            check(step.consumed <= pending.size());
            const char* lo = pending.data();
            const bool in_input =
                step.data.empty() || (step.data.data() >= lo &&
                                      step.data.data() + step.data.size() <= lo + pending.size());
            using S = detail::Reader::Status;
            if (step.status == S::control) {
                check(in_input && step.data.size() <= 125);
                log += "c" + std::to_string(static_cast<int>(step.opcode)) + ":" +
                       std::to_string(step.close_code) + ":" + std::string(step.data) + "\n";
            } else if (step.status == S::message) {
                log += "m" + std::to_string(static_cast<int>(step.opcode)) + ":" +
                       std::string(step.data) + "\n";
                check(step.data.size() <= limits.max_ws_message);
            } else if (step.status == S::fragment) {
                message.append(step.data);
                check(message.size() <= limits.max_ws_message);
                if (step.last) {
                    log +=
                        "m" + std::to_string(static_cast<int>(step.opcode)) + ":" + message + "\n";
                    message.clear();
                }
            } else if (step.status == S::error) {
                check(reader.failed());
                const std::uint16_t code = reader.failure().code;
                check(code == 1002 || code == 1007 || code == 1008 || code == 1009);
                return log + "e" + std::to_string(code) + "\n";
            }
            pending.erase(0, step.consumed);
            if (step.status == S::need_more) break;
        }
        if (off >= bytes.size()) break;
    }
    // What is kept back is never more than a header or a control frame.
    check(pending.size() <= 14 + 125);
    return log;
}

inline void check_splits(const std::uint8_t* data, std::size_t size, Role role) {
    if (size < 1) return;
    const std::uint8_t control = data[0];
    const std::size_t piece = 1 + control % 13;
    DeflateParams deflate;
    deflate.client_no_context_takeover = (control & 0x20) != 0;
    deflate.server_no_context_takeover = (control & 0x20) != 0;
    const DeflateParams* agreed = (control & 0x10) != 0 ? &deflate : nullptr;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string whole = run(bytes, 0, role, detail::Reader::Mode::messages, agreed);
    check(run(bytes, 1, role, detail::Reader::Mode::messages, agreed) == whole);
    check(run(bytes, piece, role, detail::Reader::Mode::messages, agreed) == whole);
    check(run(bytes, 0, role, detail::Reader::Mode::fragments, agreed) == whole);
    check(run(bytes, piece, role, detail::Reader::Mode::fragments, agreed) == whole);
}

} // namespace pier::ws::fuzz
