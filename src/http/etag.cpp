#include "http/char_class.hpp"

#include <pier/etag.hpp>
#include <pier/field_lists.hpp>

#include <cstdio>

namespace pier {

std::string_view to_string(EntityTagError e) noexcept {
    switch (e) {
    case EntityTagError::empty:
        return "empty entity-tag";
    case EntityTagError::missing_quote:
        return "entity-tag must be quoted";
    case EntityTagError::invalid_character:
        return "invalid character in entity-tag";
    case EntityTagError::unterminated:
        return "entity-tag without closing quote";
    case EntityTagError::trailing_characters:
        return "characters after the entity-tag";
    case EntityTagError::bad_list:
        return "malformed entity-tag list";
    }
    return "unknown entity-tag error";
}

namespace {

// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u <= 0x7e) || u >= 0x80;
}

} // namespace

Result<EntityTag, EntityTagError> parse_entity_tag(std::string_view text) {
    if (text.empty()) return EntityTagError::empty;
    EntityTag tag;
    if (text.substr(0, 2) == "W/") {
        tag.weak = true;
        text.remove_prefix(2);
    }
    if (text.empty() || text.front() != '"') return EntityTagError::missing_quote;
    std::size_t i = 1;
    while (i < text.size() && text[i] != '"') {
        if (!is_etagc(text[i])) return EntityTagError::invalid_character;
        ++i;
    }
    if (i == text.size()) return EntityTagError::unterminated;
    if (i + 1 != text.size()) return EntityTagError::trailing_characters;
    tag.opaque = text.substr(1, i - 1);
    return tag;
}

bool strong_match(const EntityTag& a, const EntityTag& b) noexcept {
    return !a.weak && !b.weak && a.opaque == b.opaque;
}

bool weak_match(const EntityTag& a, const EntityTag& b) noexcept {
    return a.opaque == b.opaque;
}

Result<bool, EntityTagError> etag_list_matches(std::string_view field_value,
                                               const EntityTag& current,
                                               EtagComparison comparison) {
    field_value = detail::trim_ows(field_value);
    if (field_value == "*") return true;
    bool any = false;
    bool matched = false;
    // Commas inside the quotes belong to the tag: list_elements keeps quoted strings whole.
    for (std::string_view element : list_elements(field_value)) {
        const auto tag = parse_entity_tag(element);
        if (!tag) return EntityTagError::bad_list;
        any = true;
        if (comparison == EtagComparison::strong ? strong_match(*tag, current)
                                                 : weak_match(*tag, current))
            matched = true;
    }
    if (!any) return EntityTagError::bad_list;
    return matched;
}

std::string to_string(const EntityTag& tag) {
    std::string out = tag.weak ? "W/\"" : "\"";
    out.append(tag.opaque);
    out += '"';
    return out;
}

std::string make_file_etag(std::uint64_t size, std::int64_t mtime_ns, std::uint64_t inode) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "\"%llx-%llx-%llx\"", static_cast<unsigned long long>(inode),
                  static_cast<unsigned long long>(mtime_ns), static_cast<unsigned long long>(size));
    return buf;
}

} // namespace pier
