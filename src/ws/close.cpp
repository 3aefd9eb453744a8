#include "ws/close.hpp"

#include "ws/utf8_validator.hpp"

namespace pier::ws::detail {

std::optional<Failure> parse_close(std::string_view payload, ClosePayload& out) noexcept {
    out = {};
    if (payload.empty()) return std::nullopt;
    if (payload.size() == 1) return Failure{close_code::protocol_error, "one-byte close payload"};
    const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                 static_cast<unsigned char>(payload[1]));
    if (!is_valid_close_code(code))
        return Failure{close_code::protocol_error, "invalid close code"};
    const std::string_view reason = payload.substr(2);
    if (!is_valid_utf8(reason))
        return Failure{close_code::invalid_payload, "close reason is not UTF-8"};
    out.code = code;
    out.reason = reason;
    return std::nullopt;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
    if (code == close_code::no_status) return {};
    if (!is_valid_close_code(code)) code = close_code::internal_error;
    // 125 bytes of control payload, two of them the code (§5.5). Cut before a continuation
    // byte's lead, so the reason stays valid UTF-8 if it was.
    constexpr std::size_t kMaxReason = 123;
    if (reason.size() > kMaxReason) {
        std::size_t n = kMaxReason;
        while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xc0) == 0x80) --n;
        reason = reason.substr(0, n);
    }
    std::string out;
    out.reserve(2 + reason.size());
    out += static_cast<char>(code >> 8);
    out += static_cast<char>(code & 0xff);
    out += reason;
    return out;
}

} // namespace pier::ws::detail
