#include "http/char_class.hpp"
#include "http/field_table.hpp"

#include <pier/fields.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace pier {

FieldId field_id(std::string_view name) noexcept {
    const FieldId id = detail::field_id_of_token(name);
    // The folding compare is exact only for tokens; anything else is no known name.
    return id != FieldId::unknown && detail::is_token(name) ? id : FieldId::unknown;
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
