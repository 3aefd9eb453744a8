#include "http/scan.hpp"

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PIER_SCAN_X86 1
#endif

namespace pier::detail {
namespace {

bool is_stop(unsigned char c, unsigned char last_ctl) noexcept {
    return c <= last_ctl || c == 0x7f;
}

const char* find_ctl_scalar(const char* p, const char* end, unsigned char last_ctl) noexcept {
    for (; p < end; ++p)
        if (is_stop(static_cast<unsigned char>(*p), last_ctl)) return p;
    return end;
}

#ifdef PIER_SCAN_X86
// Unsigned "c <= last_ctl" without AVX-512: min(c, last_ctl) == c.
const char* find_ctl_sse2(const char* p, const char* end, unsigned char last_ctl) noexcept {
    const __m128i limit = _mm_set1_epi8(static_cast<char>(last_ctl));
    const __m128i del = _mm_set1_epi8(0x7f);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, limit), v);
        const __m128i stop = _mm_or_si128(ctl, _mm_cmpeq_epi8(v, del));
        const int mask = _mm_movemask_epi8(stop);
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        p += 16;
    }
    return find_ctl_scalar(p, end, last_ctl);
}

__attribute__((target("avx2"))) const char* find_ctl_avx2(const char* p, const char* end,
                                                          unsigned char last_ctl) noexcept {
    const __m256i limit = _mm256_set1_epi8(static_cast<char>(last_ctl));
    const __m256i del = _mm256_set1_epi8(0x7f);
    while (end - p >= 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i ctl = _mm256_cmpeq_epi8(_mm256_min_epu8(v, limit), v);
        const __m256i stop = _mm256_or_si256(ctl, _mm256_cmpeq_epi8(v, del));
        const auto mask = static_cast<unsigned>(_mm256_movemask_epi8(stop));
        if (mask != 0) return p + __builtin_ctz(mask);
        p += 32;
    }
    // The tail (under 32 bytes) is typical for short values: finish 16 at a time.
    return find_ctl_sse2(p, end, last_ctl);
}
#endif

ScanFn impl_fn(ScanImpl impl) noexcept {
    switch (impl) {
#ifdef PIER_SCAN_X86
    case ScanImpl::avx2:
        return find_ctl_avx2;
    case ScanImpl::sse2:
        return find_ctl_sse2;
#endif
    default:
        return find_ctl_scalar;
    }
}

ScanImpl best_impl() noexcept {
#ifdef PIER_SCAN_X86
    if (__builtin_cpu_supports("avx2")) return ScanImpl::avx2;
    return ScanImpl::sse2;
#else
    return ScanImpl::scalar;
#endif
}

std::atomic<ScanImpl> g_impl{ScanImpl::scalar};

// g_find_ctl starts here, so a call made before or during static initialisation (from another
// translation unit) still works: the first call picks the implementation and replaces itself.
const char* resolve_and_find(const char* p, const char* end, unsigned char last_ctl) noexcept {
    set_scan_impl(best_impl());
    return g_find_ctl.load(std::memory_order_relaxed)(p, end, last_ctl);
}

} // namespace

std::atomic<ScanFn> g_find_ctl{resolve_and_find};
std::atomic<bool> g_inline_sse2{true};

bool scan_impl_supported(ScanImpl impl) noexcept {
    switch (impl) {
#ifdef PIER_SCAN_X86
    case ScanImpl::scalar:
    case ScanImpl::sse2: // part of x86-64
        return true;
    case ScanImpl::avx2:
        return __builtin_cpu_supports("avx2");
#else
    case ScanImpl::scalar:
        return true;
#endif
    default:
        return false;
    }
}

bool set_scan_impl(ScanImpl impl) noexcept {
    if (!scan_impl_supported(impl)) return false;
    g_impl.store(impl, std::memory_order_relaxed);
    g_find_ctl.store(impl_fn(impl), std::memory_order_relaxed);
    g_inline_sse2.store(impl != ScanImpl::scalar, std::memory_order_relaxed);
    return true;
}

ScanImpl scan_impl() noexcept {
    if (g_find_ctl.load(std::memory_order_relaxed) == resolve_and_find) set_scan_impl(best_impl());
    return g_impl.load(std::memory_order_relaxed);
}

const char* scan_impl_name(ScanImpl impl) noexcept {
    switch (impl) {
    case ScanImpl::scalar:
        return "scalar";
    case ScanImpl::sse2:
        return "sse2";
    case ScanImpl::avx2:
        return "avx2";
    }
    return "?";
}

} // namespace pier::detail
