#include "http/char_class.hpp"
#include "http/field_table.hpp"

#include <pier/fields.hpp>

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <utility>

namespace pier {

namespace {

// Whether any byte is a control (< 0x20), eight at a time: (x - 0x20..) & ~x & 0x80.. is
// non-zero exactly when some byte is below 0x20 (a borrow only starts at such a byte).
bool has_control_byte(std::string_view s) noexcept {
    constexpr std::uint64_t kSpaces = 0x2020202020202020ull;
    constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
    const auto any = [](std::uint64_t x) { return ((x - kSpaces) & ~x & kHighBits) != 0; };
    const std::size_t n = s.size();
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 <= n; i += 8)
            if (any(detail::load(s.data() + i, 8))) return true;
        return any(detail::load(s.data() + n - 8, 8));
    }
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20) return true;
    return false;
}

} // namespace

FieldId field_id(std::string_view name) noexcept {
    const FieldId id = detail::field_id_of_token(name);
    // The table's compare folds case by setting bit 5, which is exact for tokens. Against a
    // known name (letters, digits, '-') the only other bytes it lets through are controls
    // (CR folds onto '-', 0x10-0x19 onto digits), so ruling those out is enough.
    return id != FieldId::unknown && !has_control_byte(name) ? id : FieldId::unknown;
}

std::string_view field_name(FieldId id) noexcept {
    const auto i = static_cast<std::size_t>(id);
    return i < std::size(detail::kKnownFields) ? detail::kKnownFields[i].name : std::string_view();
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

namespace {

// Chunks start small (a response's few owned fields fit in one) and double, so a Fields that
// owns a lot of text holds few chunks and owns() stays short.
constexpr std::size_t kFirstChunkSize = 1024;
constexpr std::size_t kMaxChunkGrowth = std::size_t{64} * 1024;

// The field as it may appear in an exception message: printable ASCII kept, anything else as
// \xNN, so a rejected name cannot put a CR, LF or terminal escape into the caller's logs.
std::string printable(std::string_view s) {
    constexpr std::size_t kMax = 64;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (char c : s.substr(0, kMax)) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7f) {
            out += c;
        } else {
            out += "\\x";
            out += kHex[b >> 4];
            out += kHex[b & 0xf];
        }
    }
    if (s.size() > kMax) out += "...";
    return out;
}

template <class Range>
std::string join_with_comma(const Range& values) {
    std::string out;
    bool first = true;
    for (std::string_view v : values) {
        if (!first) out += ", ";
        out += v;
        first = false;
    }
    return out;
}

} // namespace

Fields::Arena::Arena(Arena&& other) noexcept
    : chunks_(std::move(other.chunks_)), current_(std::exchange(other.current_, 0)),
      used_(std::exchange(other.used_, 0)) {
    other.chunks_.clear();
}

Fields::Arena& Fields::Arena::operator=(Arena&& other) noexcept {
    if (this != &other) {
        chunks_ = std::move(other.chunks_);
        current_ = std::exchange(other.current_, 0);
        used_ = std::exchange(other.used_, 0);
        other.chunks_.clear();
    }
    return *this;
}

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
    const std::size_t grown =
        chunks_.empty() ? kFirstChunkSize : std::min(chunks_.back().size * 2, kMaxChunkGrowth);
    const std::size_t size = std::max(n, grown);
    chunks_.push_back(Chunk{std::make_unique<char[]>(size), size});
    current_ = chunks_.size() - 1;
    used_ = n;
    return chunks_.back().data.get();
}

bool Fields::Arena::owns(const char* p) const noexcept {
    // std::less gives a total order even across unrelated allocations, where < would not.
    for (const Chunk& c : chunks_)
        if (!std::less<const char*>()(p, c.data.get()) &&
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
    append_copy(other, nullptr);
}

Fields& Fields::operator=(const Fields& other) {
    if (this == &other) return *this;
    // Built aside, then moved in, so this arena is released only after copying. Views `other`
    // holds into this Fields' own arena (added with add_view) are copied like owned text:
    // they would dangle once the arena is gone.
    Fields copy;
    copy.append_copy(other, &arena_);
    *this = std::move(copy);
    return *this;
}

void Fields::append_copy(const Fields& other, const Arena* also_owned) {
    const auto owned = [&](std::string_view s) {
        return other.arena_.owns(s.data()) || (also_owned && also_owned->owns(s.data()));
    };
    fields_.reserve(fields_.size() + other.fields_.size());
    for (const Field& f : other.fields_) {
        const std::string_view name = owned(f.name) ? own(f.name) : f.name;
        const std::string_view value = owned(f.value) ? own(f.value) : f.value;
        add_view(name, value, f.id);
    }
}

Fields::Fields(Fields&& other) noexcept
    : fields_(std::move(other.fields_)), first_(other.first_), count_(other.count_),
      arena_(std::move(other.arena_)) {
    other.fields_.clear();
    other.count_.fill(0);
}

Fields& Fields::operator=(Fields&& other) noexcept {
    if (this != &other) {
        fields_ = std::move(other.fields_);
        first_ = other.first_;
        count_ = other.count_;
        arena_ = std::move(other.arena_);
        other.fields_.clear();
        other.count_.fill(0);
    }
    return *this;
}

std::optional<FieldError> Fields::try_add(std::string_view name, std::string_view value) {
    if (!is_valid_field_name(name)) return FieldError::invalid_name;
    if (!is_valid_field_value(value)) return FieldError::invalid_value;
    const FieldId id = field_id(name);
    const std::string_view owned_name = own(name);
    add_view(owned_name, own(value), id);
    return std::nullopt;
}

void Fields::add(std::string_view name, std::string_view value) {
    if (const auto e = try_add(name, value)) {
        throw std::invalid_argument("pier::Fields: " + std::string(to_string(*e)) + ": '" +
                                    printable(name) + "'");
    }
}

void Fields::set(std::string_view name, std::string_view value) {
    if (!is_valid_field_name(name) || !is_valid_field_value(value)) {
        add(name, value); // throws with the reason, before anything is erased
        return;
    }
    // `value` may view this Fields' own text (f.set("A", f.get("A"))): erase() leaves the
    // arena alone, so it stays readable for the copy add() makes.
    erase(name);
    add(name, value);
}

std::size_t Fields::erase(std::string_view name) {
    const FieldId id = field_id(name);
    if (id != FieldId::unknown) return erase(id);
    const auto removed = std::erase_if(fields_, [&](const Field& f) {
        return f.id == FieldId::unknown && detail::iequals(f.name, name);
    });
    if (removed != 0) reindex(); // later fields moved down
    return removed;
}

std::size_t Fields::erase(FieldId id) {
    if (count(id) == 0) return 0;
    const auto removed = std::erase_if(fields_, [id](const Field& f) { return f.id == id; });
    reindex();
    return removed;
}

void Fields::clear() noexcept {
    // Only the counts in use are zeroed: filling the whole table compiles to `rep stos`,
    // whose start-up cost was 8 % of parsing a browser request.
    for (const Field& f : fields_) count_[static_cast<std::size_t>(f.id)] = 0;
    fields_.clear();
    arena_.reset();
}

void Fields::reindex() noexcept {
    count_.fill(0);
    for (std::size_t i = 0; i < fields_.size(); ++i) {
        const auto id = static_cast<std::size_t>(fields_[i].id);
        if (count_[id]++ == 0) first_[id] = static_cast<std::uint32_t>(i);
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

Fields::Values Fields::values(std::string_view name) const noexcept {
    const FieldId id = field_id(name);
    if (id != FieldId::unknown) return values(id);
    return Values(fields_.data(), fields_.data() + fields_.size(), FieldId::unknown, name,
                  Values::kScan);
}

const Field* Fields::Values::next_match(const Field* from, const Field* end, FieldId id,
                                        std::string_view name) noexcept {
    for (; from < end; ++from) {
        if (id != FieldId::unknown
                ? from->id == id
                : from->id == FieldId::unknown && detail::iequals(from->name, name))
            return from;
    }
    return end;
}

std::string Fields::joined(FieldId id) const {
    return join_with_comma(values(id));
}

std::string Fields::joined(std::string_view name) const {
    return join_with_comma(values(name));
}

} // namespace pier
