// Delimiter scanning for the codec: finds the first byte that ends a request-target or a field
// value, many bytes at a time. The codec spends most of its time here, so this is the one place
// with SIMD. The implementation is chosen once at start-up from what the CPU offers (AVX2, else
// SSE2, which every x86-64 has), never from compile flags, so one binary runs everywhere;
// tests force each implementation in turn.
#pragma once

#include <atomic>
#include <cstddef>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pier::detail {

/// First byte in [p, end) that is a control (<= `last_ctl`) or DEL (0x7F); `end` if none.
/// Field values stop at 0x1F (so CR, LF, NUL, HTAB and other controls are found; the caller
/// lets HTAB through), request-targets at 0x20 (SP ends the target).
using ScanFn = const char* (*)(const char* p, const char* end, unsigned char last_ctl) noexcept;

enum class ScanImpl {
    scalar,
    sse2,
    avx2
};

// Atomic because every event loop's first parse may pick the implementation at the same
// moment (a data race ThreadSanitizer reports, though all write the same value); relaxed
// loads cost what plain ones do.
extern std::atomic<ScanFn> g_find_ctl;  // the selected implementation
extern std::atomic<bool> g_inline_sse2; // false only while tests force the scalar one

/// Most field values end within 64 bytes: those blocks are checked inline (SSE2 is part of
/// x86-64, so no dispatch is needed), and only longer values (user agents, cookies) pay for
/// the call into the selected implementation (AVX2 where the CPU has it).
inline constexpr int kInlineBlocks = 4;

inline const char* find_field_value_end(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
    if (g_inline_sse2.load(std::memory_order_relaxed)) {
        const __m128i limit = _mm_set1_epi8(0x1f);
        const __m128i del = _mm_set1_epi8(0x7f);
        for (int block = 0; block < kInlineBlocks && end - p >= 16; ++block, p += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, limit), v);
            const int mask = _mm_movemask_epi8(_mm_or_si128(ctl, _mm_cmpeq_epi8(v, del)));
            if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
    }
#endif
    return g_find_ctl.load(std::memory_order_relaxed)(p, end, 0x1f);
}
inline const char* find_target_end(const char* p, const char* end) noexcept {
    return g_find_ctl.load(std::memory_order_relaxed)(p, end, 0x20);
}

bool scan_impl_supported(ScanImpl impl) noexcept;
/// Selects an implementation (tests, benchmarks). Returns false if the CPU lacks it.
bool set_scan_impl(ScanImpl impl) noexcept;
ScanImpl scan_impl() noexcept;
const char* scan_impl_name(ScanImpl impl) noexcept;

} // namespace pier::detail
