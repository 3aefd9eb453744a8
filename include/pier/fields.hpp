// Header fields (RFC 9110 §5): an order-preserving, case-insensitive collection that keeps
// repeated fields, with O(1) lookup of the fields a server reads on every request.
//
//     pier::Fields f;
//     f.add("Content-Type", "text/html");       // validated, copied
//     f.add("Set-Cookie", "a=1");
//     f.add("Set-Cookie", "b=2");                // kept apart: never comma-joined
//     f.get(pier::FieldId::content_type);        // "text/html", no string compare
//     for (auto v : f.values("set-cookie")) ...  // "a=1", "b=2"
//
// The codec fills a Fields with views into the connection's buffer (add_view: no copy);
// values added with add/set are copied into storage the Fields owns. clear() keeps every
// buffer, so a Fields reused for each message of a connection allocates nothing in the
// steady state.
#pragma once

#include <pier/forward_iterator.hpp>

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier {

/// The fields pier itself reads or writes, interned: comparing ids replaces comparing names.
enum class FieldId : std::uint8_t {
    unknown = 0,
    host,
    content_length,
    transfer_encoding,
    connection,
    expect,
    upgrade,
    te,
    trailer,
    keep_alive,
    proxy_connection,
    content_type,
    content_encoding,
    content_range,
    content_language,
    content_location,
    content_disposition,
    accept,
    accept_encoding,
    accept_language,
    accept_ranges,
    date,
    server,
    user_agent,
    cookie,
    set_cookie,
    range,
    if_range,
    if_match,
    if_none_match,
    if_modified_since,
    if_unmodified_since,
    authorization,
    proxy_authorization,
    www_authenticate,
    proxy_authenticate,
    location,
    last_modified,
    etag,
    expires,
    cache_control,
    vary,
    allow,
    retry_after,
    origin,
    referer,
    link,
    forwarded,
    x_forwarded_for,
    http2_settings,
    count_ // not a field: the number of ids
};
inline constexpr std::size_t kFieldIdCount = static_cast<std::size_t>(FieldId::count_);

/// The id of a field name, case-insensitively; FieldId::unknown for any other name.
FieldId field_id(std::string_view name) noexcept;
/// The canonical spelling ("Content-Length"); empty for unknown.
std::string_view field_name(FieldId id) noexcept;

/// field-name = token (RFC 9110 §5.1).
bool is_valid_field_name(std::string_view name) noexcept;
/// field-value (RFC 9110 §5.5): visible characters, SP, HTAB and obs-text; no CR, LF, NUL or
/// other controls, and no whitespace at either end (it would not survive a round trip).
bool is_valid_field_value(std::string_view value) noexcept;

struct Field {
    std::string_view name;
    std::string_view value;
    FieldId id = FieldId::unknown;
};

enum class FieldError : std::uint8_t {
    invalid_name,
    invalid_value
};
std::string_view to_string(FieldError e) noexcept;

class Fields {
  public:
    /// The values of every field with one name, in insertion order, without allocating. A
    /// view: valid while the Fields is alive and unchanged. Its iterators hold everything they
    /// need, so they stay valid after the Values range itself is gone.
    class Values {
      public:
        class iterator : public ForwardIterator<iterator, std::string_view> {
          public:
            iterator() = default;
            std::string_view operator*() const noexcept { return at_->value; }
            bool operator==(const iterator& o) const noexcept { return at_ == o.at_; }

          private:
            friend class Values;
            friend class ForwardIterator<iterator, std::string_view>;
            void advance() noexcept {
                // A known id's count says when the last one has been seen: a single-valued
                // field (nearly all of them) ends without scanning the fields after it.
                if (left_ == 0) {
                    at_ = end_;
                } else {
                    at_ = next_match(at_ + 1, end_, id_, name_);
                    if (left_ != kScan) --left_;
                }
            }
            iterator(const Field* at, const Field* end, FieldId id, std::string_view name,
                     std::uint32_t left)
                : at_(at), end_(end), id_(id), name_(name), left_(left) {}
            const Field* at_ = nullptr;
            const Field* end_ = nullptr;
            FieldId id_ = FieldId::unknown;
            std::string_view name_;  // compared only when id_ is unknown
            std::uint32_t left_ = 0; // matches after at_; kScan: unknown, look for them
        };

        iterator begin() const noexcept {
            if (count_ == kScan)
                return {next_match(first_, end_, id_, name_), end_, id_, name_, kScan};
            return {count_ == 0 ? end_ : first_, end_, id_, name_, count_ == 0 ? 0 : count_ - 1};
        }
        iterator end() const noexcept { return {end_, end_, id_, name_, 0}; }
        bool empty() const noexcept { return begin() == end(); }

      private:
        friend class Fields;
        static constexpr std::uint32_t kScan = UINT32_MAX;
        // `count`: how many fields have the known id `id` (`first` is the first of them), or
        // kScan for a name without an id, found by scanning from `first`.
        Values(const Field* first, const Field* end, FieldId id, std::string_view name,
               std::uint32_t count) noexcept
            : first_(first), end_(end), id_(id), name_(name), count_(count) {}
        static const Field* next_match(const Field* from, const Field* end, FieldId id,
                                       std::string_view name) noexcept;
        const Field* first_;
        const Field* end_;
        FieldId id_;
        std::string_view name_;
        std::uint32_t count_;
    };

    Fields() noexcept {
        first_.fill(0);
        count_.fill(0);
    }
    /// A copy owns its text: strings the original owned (from add/set/try_add) are copied into
    /// the copy's storage. Views into a foreign buffer (from add_view) stay views into that
    /// buffer, which must outlive the copy as it must the original (views into the arena of
    /// the Fields being assigned to are the exception: they are copied).
    Fields(const Fields& other);
    Fields& operator=(const Fields& other);
    /// Moves keep every string where it is (no copy); the moved-from Fields is left empty.
    Fields(Fields&& other) noexcept;
    Fields& operator=(Fields&& other) noexcept;
    ~Fields() = default;

    /// Appends a field, copying name and value. Throws std::invalid_argument naming the field
    /// if the name is not a token or the value is not a valid field-value: a CR or LF that
    /// reached the wire would let the caller's data inject fields (response splitting).
    void add(std::string_view name, std::string_view value);
    /// The same without the exception: returns the reason and adds nothing.
    std::optional<FieldError> try_add(std::string_view name, std::string_view value);
    /// Appends a field without copying or validating: for the codec, which has validated the
    /// bytes and owns the buffer they point into (it must outlive the field). `id` must be
    /// field_id(name). Amortised O(1), no allocation once the Fields has grown.
    void add_view(std::string_view name, std::string_view value, FieldId id) {
        assert(id == field_id(name));
        const auto i = static_cast<std::size_t>(id);
        if (count_[i]++ == 0) first_[i] = static_cast<std::uint32_t>(fields_.size());
        fields_.push_back(Field{name, value, id});
    }
    /// Replaces every field of that name with one field appended at the end (validated,
    /// copied). On an invalid name or value, throws and changes nothing.
    void set(std::string_view name, std::string_view value);
    /// Removes every field with that name (case-insensitive); returns how many.
    std::size_t erase(std::string_view name);
    std::size_t erase(FieldId id);
    /// Removes every field; keeps the memory for the next message, so a Fields reused per
    /// message allocates nothing once warm.
    void clear() noexcept;

    /// The first field with that id, or nullptr; O(1). Always nullptr for FieldId::unknown.
    const Field* find(FieldId id) const noexcept {
        const auto i = static_cast<std::size_t>(id);
        return id != FieldId::unknown && count_[i] != 0 ? &fields_[first_[i]] : nullptr;
    }
    /// By name: O(1) for a known name, else a case-insensitive scan of the unknown ones.
    const Field* find(std::string_view name) const noexcept;
    std::size_t count(FieldId id) const noexcept {
        return id == FieldId::unknown ? 0 : count_[static_cast<std::size_t>(id)];
    }
    std::size_t count(std::string_view name) const noexcept;
    bool contains(FieldId id) const noexcept { return count(id) != 0; }
    bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
    /// The first value of that field, or `fallback`.
    std::string_view get(FieldId id, std::string_view fallback = {}) const noexcept {
        const Field* f = find(id);
        return f ? f->value : fallback;
    }
    std::string_view get(std::string_view name, std::string_view fallback = {}) const noexcept {
        const Field* f = find(name);
        return f ? f->value : fallback;
    }
    /// Every value of that field, each one separately — the way to read Set-Cookie. The range
    /// keeps a view of `name`: pass a string that outlives it, not a temporary std::string.
    Values values(FieldId id) const noexcept {
        const Field* end = fields_.data() + fields_.size();
        const std::uint32_t n = static_cast<std::uint32_t>(count(id));
        return Values(n == 0 ? end : &fields_[first_[static_cast<std::size_t>(id)]], end, id, {},
                      n);
    }
    Values values(std::string_view name) const noexcept;
    /// Every value of that field joined with ", ", as RFC 9110 §5.3 allows for list fields.
    /// Wrong for Set-Cookie, whose values contain commas (RFC 6265 §3): use values() for it.
    std::string joined(FieldId id) const;
    std::string joined(std::string_view name) const;

    using const_iterator = std::vector<Field>::const_iterator;
    const_iterator begin() const noexcept { return fields_.begin(); }
    const_iterator end() const noexcept { return fields_.end(); }
    std::size_t size() const noexcept { return fields_.size(); }
    bool empty() const noexcept { return fields_.empty(); }
    /// The i-th field in insertion order; i < size().
    const Field& operator[](std::size_t i) const noexcept {
        assert(i < fields_.size());
        return fields_[i];
    }

  private:
    // Owned text: heap chunks that never move (views into them stay valid while fields_
    // grows), handed out front to back and reused from the first after reset().
    class Arena {
      public:
        Arena() = default;
        Arena(Arena&& other) noexcept;
        Arena& operator=(Arena&& other) noexcept;
        char* allocate(std::size_t n);
        void reset() noexcept {
            current_ = 0;
            used_ = 0;
        }
        bool owns(const char* p) const noexcept;

      private:
        struct Chunk {
            std::unique_ptr<char[]> data;
            std::size_t size;
        };
        std::vector<Chunk> chunks_;
        std::size_t current_ = 0; // chunk being filled
        std::size_t used_ = 0;    // bytes of it handed out
    };

    void reindex() noexcept;
    void append_copy(const Fields& other, const Arena* also_owned);
    std::string_view own(std::string_view s);

    std::vector<Field> fields_;
    // Per id: position of the first field with it (meaningful only while its count is not 0)
    // and how many fields have it. Only count_ is reset by clear().
    std::array<std::uint32_t, kFieldIdCount> first_;
    std::array<std::uint32_t, kFieldIdCount> count_;
    Arena arena_;
};

} // namespace pier
