// The table of known field names and its lookup, shared by field_id() and the codec. Defined
// in a header so the parser's per-line lookup inlines: it runs for every field of every
// request. The codec has already checked that a name is a token, so it skips the check
// field_id() makes. Private.
#pragma once

#include <pier/fields.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace pier::detail {

struct KnownField {
    std::string_view name;
    FieldId id;
};

// Canonical spellings, in FieldId order (checked below).
inline constexpr KnownField kKnownFields[] = {
    {"", FieldId::unknown},
    {"Host", FieldId::host},
    {"Content-Length", FieldId::content_length},
    {"Transfer-Encoding", FieldId::transfer_encoding},
    {"Connection", FieldId::connection},
    {"Expect", FieldId::expect},
    {"Upgrade", FieldId::upgrade},
    {"TE", FieldId::te},
    {"Trailer", FieldId::trailer},
    {"Keep-Alive", FieldId::keep_alive},
    {"Proxy-Connection", FieldId::proxy_connection},
    {"Content-Type", FieldId::content_type},
    {"Content-Encoding", FieldId::content_encoding},
    {"Content-Range", FieldId::content_range},
    {"Content-Language", FieldId::content_language},
    {"Content-Location", FieldId::content_location},
    {"Content-Disposition", FieldId::content_disposition},
    {"Accept", FieldId::accept},
    {"Accept-Encoding", FieldId::accept_encoding},
    {"Accept-Language", FieldId::accept_language},
    {"Accept-Ranges", FieldId::accept_ranges},
    {"Date", FieldId::date},
    {"Server", FieldId::server},
    {"User-Agent", FieldId::user_agent},
    {"Cookie", FieldId::cookie},
    {"Set-Cookie", FieldId::set_cookie},
    {"Range", FieldId::range},
    {"If-Range", FieldId::if_range},
    {"If-Match", FieldId::if_match},
    {"If-None-Match", FieldId::if_none_match},
    {"If-Modified-Since", FieldId::if_modified_since},
    {"If-Unmodified-Since", FieldId::if_unmodified_since},
    {"Authorization", FieldId::authorization},
    {"Proxy-Authorization", FieldId::proxy_authorization},
    {"WWW-Authenticate", FieldId::www_authenticate},
    {"Proxy-Authenticate", FieldId::proxy_authenticate},
    {"Location", FieldId::location},
    {"Last-Modified", FieldId::last_modified},
    {"ETag", FieldId::etag},
    {"Expires", FieldId::expires},
    {"Cache-Control", FieldId::cache_control},
    {"Vary", FieldId::vary},
    {"Allow", FieldId::allow},
    {"Retry-After", FieldId::retry_after},
    {"Origin", FieldId::origin},
    {"Referer", FieldId::referer},
    {"Link", FieldId::link},
    {"Forwarded", FieldId::forwarded},
    {"X-Forwarded-For", FieldId::x_forwarded_for},
    {"HTTP2-Settings", FieldId::http2_settings},
};
static_assert(std::size(kKnownFields) == kFieldIdCount);
constexpr bool known_fields_in_id_order() {
    for (std::size_t i = 0; i < std::size(kKnownFields); ++i)
        if (static_cast<std::size_t>(kKnownFields[i].id) != i) return false;
    return true;
}
static_assert(known_fields_in_id_order());

inline constexpr std::size_t kMaxKnownLength = 20;

// Open-addressed table of the known names, keyed by length and the case-folded first and last
// characters: a lookup usually hashes three bytes and compares one candidate.
inline constexpr std::size_t kSlots = 256;
constexpr std::size_t slot_of(std::size_t len, char first, char last) noexcept {
    const std::size_t f = static_cast<unsigned char>(first | 0x20);
    const std::size_t l = static_cast<unsigned char>(last | 0x20);
    return (len * 13 + f * 7 + l * 3) & (kSlots - 1);
}
inline constexpr auto kFieldSlots = [] {
    std::array<std::uint8_t, kSlots> t{}; // 0 = empty (FieldId::unknown)
    for (std::size_t i = 1; i < std::size(kKnownFields); ++i) {
        const std::string_view n = kKnownFields[i].name;
        std::size_t s = slot_of(n.size(), n.front(), n.back());
        while (t[s] != 0) s = (s + 1) & (kSlots - 1);
        t[s] = static_cast<std::uint8_t>(i);
    }
    return t;
}();

// Case-insensitive equality of a token against a canonical name made of letters, digits and
// '-': setting bit 5 folds case, and no other token character folds onto those (the bytes it
// would fold from are controls, which a token cannot hold). Overlapping word loads, no loop
// over bytes.
inline std::uint64_t load(const char* p, std::size_t n) noexcept {
    std::uint64_t x = 0;
    std::memcpy(&x, p, n);
    return x;
}
inline bool token_iequals(const char* a, const char* b, std::size_t n) noexcept {
    constexpr std::uint64_t kFold = 0x2020202020202020ull;
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 <= n; i += 8)
            if ((load(a + i, 8) | kFold) != (load(b + i, 8) | kFold)) return false;
        return (load(a + n - 8, 8) | kFold) == (load(b + n - 8, 8) | kFold);
    }
    if (n >= 4) {
        return ((load(a, 4) | kFold) == (load(b, 4) | kFold)) &&
               ((load(a + n - 4, 4) | kFold) == (load(b + n - 4, 4) | kFold));
    }
    for (std::size_t i = 0; i < n; ++i)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
}

inline FieldId field_id_of_token(std::string_view token) noexcept {
    if (token.empty() || token.size() > kMaxKnownLength) return FieldId::unknown;
    for (std::size_t s = slot_of(token.size(), token.front(), token.back());;
         s = (s + 1) & (kSlots - 1)) {
        const std::uint8_t i = kFieldSlots[s];
        if (i == 0) return FieldId::unknown;
        const std::string_view n = kKnownFields[i].name;
        if (n.size() == token.size() && token_iequals(token.data(), n.data(), n.size()))
            return kKnownFields[i].id;
    }
}

} // namespace pier::detail
