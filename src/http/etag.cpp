#include "http/char_class.hpp"

#include <pier/etag.hpp>

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
        return "entity-tags not separated by commas";
    }
    return "unknown entity-tag error";
}

namespace {

// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u <= 0x7e) || u >= 0x80;
}

// Reads the entity-tag that starts at text[at] and moves `at` past its closing DQUOTE. There is
// no escaping inside an entity-tag, so the first DQUOTE after the opening one closes it.
Result<EntityTag, EntityTagError> read_entity_tag(std::string_view text, std::size_t& at) noexcept {
    EntityTag tag;
    if (text.substr(at, 2) == "W/") {
        tag.weak = true;
        at += 2;
    }
    if (at == text.size() || text[at] != '"') return EntityTagError::missing_quote;
    const std::size_t opaque_start = ++at;
    for (; at < text.size() && text[at] != '"'; ++at)
        if (!is_etagc(text[at])) return EntityTagError::invalid_character;
    if (at == text.size()) return EntityTagError::unterminated;
    tag.opaque = text.substr(opaque_start, at - opaque_start);
    ++at;
    return tag;
}

// Lower-case hex without leading zeros.
void append_hex(std::string& out, std::uint64_t n) {
    char digits[16];
    std::size_t first = sizeof digits;
    do {
        digits[--first] = "0123456789abcdef"[n & 0xf];
        n >>= 4;
    } while (n != 0);
    out.append(digits + first, sizeof digits - first);
}

} // namespace

Result<EntityTag, EntityTagError> parse_entity_tag(std::string_view text) noexcept {
    if (text.empty()) return EntityTagError::empty;
    std::size_t at = 0;
    auto tag = read_entity_tag(text, at);
    if (tag && at != text.size()) return EntityTagError::trailing_characters;
    return tag;
}

void EntityTagList::iterator::advance() noexcept {
    // After an error the rest of the list cannot be trusted to split where its sender meant.
    if (failed_) done_ = true;
    if (done_) return;
    while (at_ < list_.size() && (detail::is_ows(list_[at_]) || list_[at_] == ','))
        ++at_; // OWS and the commas of empty elements
    if (at_ == list_.size()) {
        done_ = true;
        return;
    }
    current_ = read_entity_tag(list_, at_);
    if (current_) {
        while (at_ < list_.size() && detail::is_ows(list_[at_])) ++at_;
        if (at_ < list_.size() && list_[at_] != ',') current_ = EntityTagError::bad_list;
    }
    failed_ = !current_;
}

bool strong_match(const EntityTag& a, const EntityTag& b) noexcept {
    return !a.weak && !b.weak && a.opaque == b.opaque;
}

bool weak_match(const EntityTag& a, const EntityTag& b) noexcept {
    return a.opaque == b.opaque;
}

Result<bool, EntityTagError> etag_list_matches(std::string_view field_value,
                                               const EntityTag& current,
                                               EtagComparison comparison) noexcept {
    if (detail::trim_ows(field_value) == "*") return true;
    bool any = false;
    bool matched = false;
    for (const auto tag : entity_tags(field_value)) {
        if (!tag) return tag.error();
        any = true;
        matched = matched || (comparison == EtagComparison::strong ? strong_match(*tag, current)
                                                                   : weak_match(*tag, current));
    }
    if (!any) return EntityTagError::empty;
    return matched;
}

std::string to_string(const EntityTag& tag) {
    std::string out;
    out.reserve(tag.opaque.size() + 4);
    out.append(tag.weak ? "W/\"" : "\"").append(tag.opaque).append(1, '"');
    return out;
}

std::string make_file_etag(std::uint64_t size, std::int64_t mtime_ns, std::uint64_t inode) {
    std::string out;
    out.reserve(3 * 16 + 4); // three 64-bit numbers in hex, two dashes, two quotes
    out += '"';
    append_hex(out, inode);
    out += '-';
    append_hex(out, static_cast<std::uint64_t>(mtime_ns));
    out += '-';
    append_hex(out, size);
    out += '"';
    return out;
}

} // namespace pier
