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

#include <array>
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
    /// The values of every field with one name, in order, without allocating.
    class Values {
      public:
        class iterator {
          public:
            using value_type = std::string_view;
            using difference_type = std::ptrdiff_t;
            iterator() = default;
            std::string_view operator*() const noexcept { return at_->value; }
            iterator& operator++() noexcept {
                at_ = owner_->next_match(at_ + 1, id_, name_);
                return *this;
            }
            iterator operator++(int) noexcept {
                iterator old = *this;
                ++*this;
                return old;
            }
            bool operator==(const iterator& o) const noexcept { return at_ == o.at_; }

          private:
            friend class Values;
            iterator(const Values* owner, const Field* at, FieldId id, std::string_view name)
                : owner_(owner), at_(at), id_(id), name_(name) {}
            const Values* owner_ = nullptr;
            const Field* at_ = nullptr;
            FieldId id_ = FieldId::unknown;
            std::string_view name_;
        };

        iterator begin() const noexcept {
            return {this, next_match(first_, id_, name_), id_, name_};
        }
        iterator end() const noexcept { return {this, end_, id_, name_}; }
        bool empty() const noexcept { return begin() == end(); }

      private:
        friend class Fields;
        Values(const Field* first, const Field* end, FieldId id, std::string_view name)
            : first_(first), end_(end), id_(id), name_(name) {}
        const Field* next_match(const Field* from, FieldId id,
                                std::string_view name) const noexcept;
        const Field* first_;
        const Field* end_;
        FieldId id_;
        std::string_view name_;
    };

    Fields() noexcept { index_clear(); }
    /// Copies own their text: values the original owned are copied; views into a foreign
    /// buffer (from add_view) stay views into that buffer.
    Fields(const Fields& other);
    Fields& operator=(const Fields& other);
    Fields(Fields&&) noexcept = default;
    Fields& operator=(Fields&&) noexcept = default;
    ~Fields() = default;

    /// Appends a field, copying name and value. Throws std::invalid_argument naming the field
    /// if the name is not a token or the value holds CR, LF, NUL or another control.
    void add(std::string_view name, std::string_view value);
    /// The same without exceptions: nothing is added on error.
    std::optional<FieldError> try_add(std::string_view name, std::string_view value);
    /// Appends a field without copying or validating: for the codec, which has validated the
    /// bytes and owns the buffer they point into. `id` must be field_id(name).
    void add_view(std::string_view name, std::string_view value, FieldId id) {
        const auto i = static_cast<std::size_t>(id);
        if (count_[i]++ == 0) first_[i] = static_cast<std::uint16_t>(fields_.size());
        fields_.push_back(Field{name, value, id});
    }
    /// Replaces every field of that name with one (validated, copied).
    void set(std::string_view name, std::string_view value);
    std::size_t erase(std::string_view name);
    std::size_t erase(FieldId id);
    /// Removes every field; keeps the memory for the next message.
    void clear() noexcept;

    const Field* find(FieldId id) const noexcept {
        const auto i = static_cast<std::size_t>(id);
        return id != FieldId::unknown && count_[i] != 0 ? &fields_[first_[i]] : nullptr;
    }
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
    Values values(FieldId id) const noexcept;
    Values values(std::string_view name) const noexcept;
    /// Every value of that field joined with ", " (RFC 9110 §5.3). Wrong for Set-Cookie,
    /// whose values may contain commas: use values() for it.
    std::string joined(FieldId id) const;
    std::string joined(std::string_view name) const;

    using const_iterator = std::vector<Field>::const_iterator;
    const_iterator begin() const noexcept { return fields_.begin(); }
    const_iterator end() const noexcept { return fields_.end(); }
    std::size_t size() const noexcept { return fields_.size(); }
    bool empty() const noexcept { return fields_.empty(); }
    const Field& operator[](std::size_t i) const noexcept { return fields_[i]; }

  private:
    // Owned text: chunks that never move, reused after clear().
    class Arena {
      public:
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
        std::size_t current_ = 0;
        std::size_t used_ = 0;
    };

    void index_clear() noexcept {
        first_.fill(0);
        count_.fill(0);
    }
    void reindex() noexcept;
    std::string_view own(std::string_view s);

    std::vector<Field> fields_;
    std::array<std::uint16_t, kFieldIdCount> first_; // position of the first field with the id
    std::array<std::uint16_t, kFieldIdCount> count_; // fields with the id
    Arena arena_;
};

} // namespace pier
