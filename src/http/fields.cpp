#include "http/char_class.hpp"
#include "http/field_table.hpp"

#include <pier/fields.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace pier {
namespace {

struct Known {
    std::string_view name;
    FieldId id;
};

// Canonical spellings, in FieldId order (checked below).
constexpr Known kKnown[] = {
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
static_assert(std::size(kKnown) == kFieldIdCount);
constexpr bool in_id_order() {
    for (std::size_t i = 0; i < std::size(kKnown); ++i)
        if (static_cast<std::size_t>(kKnown[i].id) != i) return false;
    return true;
}
static_assert(in_id_order());

constexpr std::size_t kMaxKnownLength = 20;

// Open-addressed table of the known names, keyed by length and the case-folded first and last
// characters: a lookup usually hashes three bytes and compares one candidate.
constexpr std::size_t kSlots = 256;
constexpr std::size_t slot_of(std::size_t len, char first, char last) noexcept {
    return (len * 13 + static_cast<unsigned char>(first | 0x20) * 7 +
            static_cast<unsigned char>(last | 0x20) * 3) &
           (kSlots - 1);
}
constexpr auto kTable = [] {
    std::array<std::uint8_t, kSlots> t{}; // 0 = empty (FieldId::unknown)
    for (std::size_t i = 1; i < std::size(kKnown); ++i) {
        const std::string_view n = kKnown[i].name;
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
bool token_iequals(const char* a, const char* b, std::size_t n) noexcept {
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

} // namespace

namespace detail {

FieldId field_id_of_token(std::string_view token) noexcept {
    if (token.empty() || token.size() > kMaxKnownLength) return FieldId::unknown;
    for (std::size_t s = slot_of(token.size(), token.front(), token.back());;
         s = (s + 1) & (kSlots - 1)) {
        const std::uint8_t i = kTable[s];
        if (i == 0) return FieldId::unknown;
        const std::string_view n = kKnown[i].name;
        if (n.size() == token.size() && token_iequals(token.data(), n.data(), n.size()))
            return kKnown[i].id;
    }
}

} // namespace detail

FieldId field_id(std::string_view name) noexcept {
    const FieldId id = detail::field_id_of_token(name);
    // The folding compare is exact only for tokens; anything else is no known name.
    return id != FieldId::unknown && detail::is_token(name) ? id : FieldId::unknown;
}

std::string_view field_name(FieldId id) noexcept {
    const auto i = static_cast<std::size_t>(id);
    return i < std::size(kKnown) ? kKnown[i].name : std::string_view();
}

bool is_valid_field_name(std::string_view name) noexcept {
    return detail::is_token(name);
}

bool is_valid_field_value(std::string_view value) noexcept {
    for (char c : value)
        if (!detail::is_field_vchar(c)) return false;
    return value.empty() || (!detail::is_ows(value.front()) && !detail::is_ows(value.back()));
}

std::string_view to_string(FieldError e) noexcept {
    switch (e) {
    case FieldError::invalid_name:
        return "field name is not a token";
    case FieldError::invalid_value:
        return "field value holds a control character or edge whitespace";
    }
    return "unknown field error";
}

// ---- Fields ------------------------------------------------------------------------------

char* Fields::Arena::allocate(std::size_t n) {
    while (current_ < chunks_.size()) {
        Chunk& c = chunks_[current_];
        if (c.size - used_ >= n) {
            char* p = c.data.get() + used_;
            used_ += n;
            return p;
        }
        ++current_;
        used_ = 0;
    }
    const std::size_t size = std::max<std::size_t>(n, 1024);
    chunks_.push_back(Chunk{std::make_unique<char[]>(size), size});
    current_ = chunks_.size() - 1;
    used_ = n;
    return chunks_.back().data.get();
}

bool Fields::Arena::owns(const char* p) const noexcept {
    for (const Chunk& c : chunks_)
        if (std::less_equal<const char*>()(c.data.get(), p) &&
            std::less<const char*>()(p, c.data.get() + c.size))
            return true;
    return false;
}

std::string_view Fields::own(std::string_view s) {
    if (s.empty()) return {};
    char* p = arena_.allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
}

Fields::Fields(const Fields& other) : Fields() {
    *this = other;
}

Fields& Fields::operator=(const Fields& other) {
    if (this == &other) return *this;
    clear();
    fields_.reserve(other.fields_.size());
    for (const Field& f : other.fields_) {
        const std::string_view name = other.arena_.owns(f.name.data()) ? own(f.name) : f.name;
        const std::string_view value = other.arena_.owns(f.value.data()) ? own(f.value) : f.value;
        add_view(name, value, f.id);
    }
    return *this;
}

std::optional<FieldError> Fields::try_add(std::string_view name, std::string_view value) {
    if (!is_valid_field_name(name)) return FieldError::invalid_name;
    if (!is_valid_field_value(value)) return FieldError::invalid_value;
    if (fields_.size() >= UINT16_MAX) throw std::length_error("pier::Fields: too many fields");
    add_view(own(name), own(value), field_id(name));
    return std::nullopt;
}

void Fields::add(std::string_view name, std::string_view value) {
    if (const auto e = try_add(name, value)) {
        throw std::invalid_argument("pier::Fields: " + std::string(to_string(*e)) + ": '" +
                                    std::string(name.substr(0, 64)) + "'");
    }
}

void Fields::set(std::string_view name, std::string_view value) {
    if (!is_valid_field_name(name) || !is_valid_field_value(value)) {
        add(name, value); // throws with the reason
        return;
    }
    erase(name);
    add(name, value);
}

std::size_t Fields::erase(std::string_view name) {
    const FieldId id = field_id(name);
    if (id != FieldId::unknown) return erase(id);
    const auto removed = std::erase_if(fields_, [&](const Field& f) {
        return f.id == FieldId::unknown && detail::iequals(f.name, name);
    });
    if (removed != 0) reindex();
    return removed;
}

std::size_t Fields::erase(FieldId id) {
    if (count(id) == 0) return 0;
    const auto removed = std::erase_if(fields_, [id](const Field& f) { return f.id == id; });
    reindex();
    return removed;
}

void Fields::clear() noexcept {
    fields_.clear();
    index_clear();
    arena_.reset();
}

void Fields::reindex() noexcept {
    index_clear();
    for (std::size_t i = 0; i < fields_.size(); ++i) {
        const auto id = static_cast<std::size_t>(fields_[i].id);
        if (count_[id]++ == 0) first_[id] = static_cast<std::uint16_t>(i);
    }
}

const Field* Fields::find(std::string_view name) const noexcept {
    const FieldId id = field_id(name);
    if (id != FieldId::unknown) return find(id);
    for (const Field& f : fields_)
        if (f.id == FieldId::unknown && detail::iequals(f.name, name)) return &f;
    return nullptr;
}

std::size_t Fields::count(std::string_view name) const noexcept {
    const FieldId id = field_id(name);
    if (id != FieldId::unknown) return count(id);
    return static_cast<std::size_t>(
        std::count_if(fields_.begin(), fields_.end(), [&](const Field& f) {
            return f.id == FieldId::unknown && detail::iequals(f.name, name);
        }));
}

Fields::Values Fields::values(FieldId id) const noexcept {
    const Field* end = fields_.data() + fields_.size();
    if (count(id) == 0) return Values(end, end, id, {});
    return Values(&fields_[first_[static_cast<std::size_t>(id)]], end, id, {});
}

Fields::Values Fields::values(std::string_view name) const noexcept {
    const FieldId id = field_id(name);
    if (id != FieldId::unknown) return values(id);
    return Values(fields_.data(), fields_.data() + fields_.size(), FieldId::unknown, name);
}

const Field* Fields::Values::next_match(const Field* from, FieldId id,
                                        std::string_view name) const noexcept {
    for (; from < end_; ++from) {
        if (id != FieldId::unknown
                ? from->id == id
                : from->id == FieldId::unknown && detail::iequals(from->name, name))
            return from;
    }
    return end_;
}

std::string Fields::joined(FieldId id) const {
    std::string out;
    bool first = true;
    for (std::string_view v : values(id)) {
        if (!first) out += ", ";
        out += v;
        first = false;
    }
    return out;
}

std::string Fields::joined(std::string_view name) const {
    const FieldId id = field_id(name);
    if (id != FieldId::unknown) return joined(id);
    std::string out;
    bool first = true;
    for (std::string_view v : values(name)) {
        if (!first) out += ", ";
        out += v;
        first = false;
    }
    return out;
}

} // namespace pier
