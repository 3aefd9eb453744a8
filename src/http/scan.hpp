// Delimiter scanning for the codec: finds the first byte that ends a request-target or a field
// value, many bytes at a time. The codec spends most of its time here, so this is the one place
// with SIMD. The implementation is chosen once at start-up from what the CPU offers (AVX2, else
// SSE2, which every x86-64 has), never from compile flags, so one binary runs everywhere;
// tests force each implementation in turn.
#pragma once

#include <cstddef>

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

extern ScanFn g_find_ctl; // the selected implementation

inline const char* find_field_value_end(const char* p, const char* end) noexcept {
    return g_find_ctl(p, end, 0x1f);
}
inline const char* find_target_end(const char* p, const char* end) noexcept {
    return g_find_ctl(p, end, 0x20);
}

bool scan_impl_supported(ScanImpl impl) noexcept;
/// Selects an implementation (tests, benchmarks). Returns false if the CPU lacks it.
bool set_scan_impl(ScanImpl impl) noexcept;
ScanImpl scan_impl() noexcept;
const char* scan_impl_name(ScanImpl impl) noexcept;

} // namespace pier::detail
