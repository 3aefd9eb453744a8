// Entity-tags (RFC 9110 §8.8.3) and the lists of If-Match / If-None-Match (§13.1.1, §13.1.2).
//
//     auto tag = pier::parse_entity_tag("W/\"v1\"");          // weak, opaque "v1"
//     pier::etag_list_matches("\"a\", W/\"v1\"", current, pier::EtagComparison::weak);
#pragma once

#include <pier/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pier {

enum class EntityTagError : std::uint8_t {
    empty,               // nothing there
    missing_quote,       // the opaque part does not start with DQUOTE (also "w/" in lower case)
    invalid_character,   // a byte etagc does not allow (controls, SP, DQUOTE inside)
    unterminated,        // no closing DQUOTE
    trailing_characters, // something after the closing DQUOTE
    bad_list,            // a list element that is not an entity-tag
};
std::string_view to_string(EntityTagError e) noexcept;

struct EntityTag {
    bool weak = false;
    std::string_view opaque; // between the quotes
};

/// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; "W/" is case-sensitive.
Result<EntityTag, EntityTagError> parse_entity_tag(std::string_view text);

/// RFC 9110 §8.8.3.2: strong comparison needs both strong and equal; weak needs equal.
bool strong_match(const EntityTag& a, const EntityTag& b) noexcept;
bool weak_match(const EntityTag& a, const EntityTag& b) noexcept;

enum class EtagComparison : std::uint8_t {
    strong, // If-Match (§13.1.1)
    weak,   // If-None-Match (§13.1.2)
};

/// Whether an If-Match / If-None-Match value ("*" or a comma list of entity-tags) matches the
/// current representation's tag. "*" matches any current representation. A malformed list
/// is an error: RFC 9110 §13.1 leaves its meaning undefined, so a server should evaluate the
/// request as if the field were absent (the static-file handler does).
Result<bool, EntityTagError> etag_list_matches(std::string_view field_value,
                                               const EntityTag& current, EtagComparison comparison);

/// `W/"opaque"` or `"opaque"`.
std::string to_string(const EntityTag& tag);

/// A strong validator for a file, from what stat() says: `"<inode>-<mtime ns>-<size>"` in
/// lower-case hex. A change to any of the three — a rewrite, a touch, a replacement by rename
/// — changes the tag.
std::string make_file_etag(std::uint64_t size, std::int64_t mtime_ns, std::uint64_t inode);

} // namespace pier
