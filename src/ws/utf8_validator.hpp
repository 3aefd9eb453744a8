// Incremental UTF-8 validation (RFC 3629) for WebSocket text: a message arrives in frames, a
// frame in reads, and a character may be split anywhere; RFC 6455 §8.1 asks to fail the
// connection as soon as the bytes so far cannot begin valid UTF-8 (1007), not at the end.
//
//     Utf8Validator v;
//     v.feed(piece) ... v.feed(piece);      // false as soon as a bad byte is seen
//     v.complete();                         // at the end of the message: no sequence cut short
//
// A deterministic automaton whose transitions for one byte are packed into one 64-bit word
// (six bits per state: the next state's shift), so a step is a load, a shift and a mask with
// no branch; runs of ASCII between characters are skipped 16 bytes at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace pier::ws::detail {

namespace utf8_dfa {

// States, by what the bytes so far require next:
enum State : int {
    accept,   // a character boundary
    reject,   // not UTF-8, whatever follows
    tail1,    // one continuation byte 80..BF
    tail2,    // two of them
    tail3,    // three of them
    after_e0, // A0..BF then one more (no overlong 3-byte form)
    after_ed, // 80..9F then one more (no surrogates D800..DFFF)
    after_f0, // 90..BF then two more (no overlong 4-byte form)
    after_f4, // 80..8F then two more (nothing past U+10FFFF)
    state_count,
};
constexpr std::uint64_t shift(int state) {
    return static_cast<std::uint64_t>(state) * 6;
}
inline constexpr std::uint64_t kAccept = 0;
inline constexpr std::uint64_t kReject = 6;

constexpr int next(int state, unsigned char c) {
    const bool low = c >= 0x80 && c <= 0x8f; // continuation bytes, in three bands that the
    const bool mid = c >= 0x90 && c <= 0x9f; // second byte after E0, ED, F0 and F4 tell apart
    const bool high = c >= 0xa0 && c <= 0xbf;
    const bool any = low || mid || high;
    switch (state) {
    case accept:
        if (c < 0x80) return accept;
        if (c >= 0xc2 && c <= 0xdf) return tail1;
        if (c == 0xe0) return after_e0;
        if (c == 0xed) return after_ed;
        if (c >= 0xe1 && c <= 0xef) return tail2;
        if (c == 0xf0) return after_f0;
        if (c >= 0xf1 && c <= 0xf3) return tail3;
        if (c == 0xf4) return after_f4;
        return reject; // stray continuation, C0/C1 (overlong), F5..FF
    case tail1:
        return any ? accept : reject;
    case tail2:
        return any ? tail1 : reject;
    case tail3:
        return any ? tail2 : reject;
    case after_e0:
        return high ? tail1 : reject;
    case after_ed:
        return low || mid ? tail1 : reject;
    case after_f0:
        return mid || high ? tail2 : reject;
    case after_f4:
        return low ? tail2 : reject;
    default:
        return reject;
    }
}
constexpr std::array<std::uint64_t, 256> make_table() {
    std::array<std::uint64_t, 256> t{};
    for (int c = 0; c < 256; ++c)
        for (int s = 0; s < state_count; ++s)
            t[static_cast<std::size_t>(c)] |= shift(next(s, static_cast<unsigned char>(c)))
                                              << shift(s);
    return t;
}
inline constexpr std::array<std::uint64_t, 256> kTable = make_table();

static_assert(shift(accept) == kAccept && shift(reject) == kReject);
static_assert(shift(state_count) <= 64); // six bits per state fit in one word

} // namespace utf8_dfa

class Utf8Validator {
  public:
    /// Validates the next bytes of the text; false from the first byte that cannot be part of
    /// valid UTF-8, and from then on.
    bool feed(std::string_view bytes) noexcept {
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
        const unsigned char* end = p + bytes.size();
        std::uint64_t s = state_;
        while (p != end) {
            if (s == kAccept) {
                while (end - p >= 16) {
                    std::uint64_t a;
                    std::uint64_t b;
                    std::memcpy(&a, p, 8);
                    std::memcpy(&b, p + 8, 8);
                    if (((a | b) & 0x8080808080808080ULL) != 0) break;
                    p += 16;
                }
                if (p == end) break;
            }
            s = (utf8_dfa::kTable[*p++] >> s) & 63;
        }
        state_ = s;
        return s != kReject;
    }
    /// Between characters: nothing seen is an unfinished sequence (and nothing failed).
    bool complete() const noexcept { return state_ == kAccept; }
    bool failed() const noexcept { return state_ == kReject; }
    void reset() noexcept { state_ = kAccept; }

  private:
    static constexpr std::uint64_t kAccept = utf8_dfa::kAccept;
    static constexpr std::uint64_t kReject = utf8_dfa::kReject;
    std::uint64_t state_ = kAccept;
};

/// Whether `s` is whole, valid UTF-8.
inline bool is_valid_utf8(std::string_view s) noexcept {
    Utf8Validator v;
    return v.feed(s) && v.complete();
}

} // namespace pier::ws::detail
