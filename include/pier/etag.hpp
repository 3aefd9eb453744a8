// Entity-tags (RFC 9110 §8.8.3) and the lists of If-Match / If-None-Match (§13.1.1, §13.1.2).
//
//     auto tag = pier::parse_entity_tag("W/\"v1\"");          // weak, opaque "v1"
//     pier::etag_list_matches("\"a\", W/\"v1\"", current, pier::EtagComparison::weak);
#pragma once

#include <pier/forward_iterator.hpp>
#include <pier/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pier {

enum class EntityTagError : std::uint8_t {
    empty,               // nothing there (for a list: no entity-tag in it)
    missing_quote,       // the opaque part does not start with DQUOTE (also "w/" in lower case)
    invalid_character,   // a byte etagc does not allow (controls, SP, DQUOTE inside)
    unterminated,        // no closing DQUOTE
    trailing_characters, // something after the closing DQUOTE
    bad_list,            // in a list, an entity-tag followed by something other than ","
};
std::string_view to_string(EntityTagError e) noexcept;

/// An entity-tag; `opaque` is a view into the parsed text, between the quotes.
struct EntityTag {
    bool weak = false;
    std::string_view opaque;

    /// The same spelling. HTTP compares tags with strong_match or weak_match instead.
    bool operator==(const EntityTag&) const = default;
};

/// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
/// "W/" is case-sensitive. A backslash is an ordinary etagc here, not an escape: `"a\"` is the
/// tag a\ (entity-tags are not quoted-strings).
Result<EntityTag, EntityTagError> parse_entity_tag(std::string_view text) noexcept;

/// RFC 9110 §8.8.3.2: strong comparison needs both tags strong and equal; weak needs equal.
bool strong_match(const EntityTag& a, const EntityTag& b) noexcept;
bool weak_match(const EntityTag& a, const EntityTag& b) noexcept;

/// The entity-tags of a list (`1#entity-tag`, RFC 9110 §5.6.1), without allocating. Elements are
/// separated by OWS "," OWS and empty ones are skipped; a comma between the quotes belongs to
/// the tag (`"a,b"` is one). Each element is a Result: a malformed one is yielded as its error
/// and ends the iteration.
///
///     for (auto tag : pier::entity_tags(if_none_match)) {
///         if (!tag) return ignore_field;
///         ...
///     }
///
/// "*" is not an entity-tag (it is yielded as missing_quote): test for it before iterating.
class EntityTagList {
  public:
    class iterator : public ForwardIterator<iterator, Result<EntityTag, EntityTagError>> {
      public:
        iterator() = default;
        value_type operator*() const noexcept { return current_; }
        bool operator==(const iterator& o) const noexcept {
            return done_ == o.done_ && (done_ || at_ == o.at_);
        }

      private:
        friend class EntityTagList;
        friend class ForwardIterator<iterator, value_type>;
        explicit iterator(std::string_view list) noexcept : list_(list), done_(false) { advance(); }
        void advance() noexcept;
        std::string_view list_;
        std::size_t at_ = 0; // the first byte after the current element
        value_type current_ = EntityTagError::empty;
        bool failed_ = false; // current_ is an error: the next step ends the iteration
        bool done_ = true;
    };

    explicit EntityTagList(std::string_view list) noexcept : list_(list) {}
    iterator begin() const noexcept { return iterator(list_); }
    iterator end() const noexcept { return iterator(); }

  private:
    std::string_view list_;
};

inline EntityTagList entity_tags(std::string_view list) noexcept {
    return EntityTagList(list);
}

enum class EtagComparison : std::uint8_t {
    strong, // If-Match (§13.1.1)
    weak,   // If-None-Match (§13.1.2)
};

/// Whether an If-Match / If-None-Match value ("*" or a comma list of entity-tags) matches the
/// current representation's tag; "*" matches any current representation. Every element is
/// checked, so a malformed list is an error wherever the fault is.
///
/// RFC 9110 does not say what a malformed list means. Treat it as matching nothing: a garbled
/// If-Match then fails (412), so a state-changing request never runs unconditionally when its
/// sender asked for a condition, and a garbled If-None-Match never earns a 304. (nginx, too,
/// never lets an unreadable element match.)
Result<bool, EntityTagError> etag_list_matches(std::string_view field_value,
                                               const EntityTag& current,
                                               EtagComparison comparison) noexcept;

/// `W/"opaque"` or `"opaque"`.
std::string to_string(const EntityTag& tag);

/// A strong validator for a file, from what stat() says: `"<inode>-<mtime ns>-<size>"` in
/// lower-case hex (a negative mtime as its two's complement). A change to any of the three — a
/// rewrite, a touch, a replacement by rename — changes the tag; two files of one inode, size
/// and nanosecond mtime cannot be told apart, as with nginx's `"<mtime>-<size>"`.
std::string make_file_etag(std::uint64_t size, std::int64_t mtime_ns, std::uint64_t inode);

} // namespace pier
