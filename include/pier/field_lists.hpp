// Comma-separated list fields (RFC 9110 §5.6.1) — Connection, Transfer-Encoding, Vary,
// Accept-Encoding, If-None-Match … — and the quoted strings and weights they contain.
//
//     for (std::string_view token : pier::list_elements("close, Upgrade")) ...
//     pier::has_token(connection, "close");
//     pier::accept_encoding_quality("gzip;q=0.8, br", "br");   // 1000
#pragma once

#include <pier/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pier {

/// The elements of a list, without allocating: split on commas outside quoted strings,
/// OWS trimmed, empty elements skipped ("a, ,b" → "a", "b"), as RFC 9110 §5.6.1 asks of
/// recipients.
class ListElements {
  public:
    class iterator {
      public:
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        std::string_view operator*() const noexcept { return current_; }
        iterator& operator++() noexcept {
            advance();
            return *this;
        }
        iterator operator++(int) noexcept {
            iterator old = *this;
            advance();
            return old;
        }
        bool operator==(const iterator& o) const noexcept {
            return done_ == o.done_ && (done_ || rest_.data() == o.rest_.data());
        }

      private:
        friend class ListElements;
        explicit iterator(std::string_view list) noexcept : rest_(list), done_(false) { advance(); }
        void advance() noexcept;
        std::string_view rest_;
        std::string_view current_;
        bool done_ = true;
    };

    explicit ListElements(std::string_view list) noexcept : list_(list) {}
    iterator begin() const noexcept { return iterator(list_); }
    iterator end() const noexcept { return iterator(); }

  private:
    std::string_view list_;
};

inline ListElements list_elements(std::string_view list) noexcept {
    return ListElements(list);
}

/// Whether `list` has an element equal to `token`, case-insensitively; an element with
/// parameters ("gzip;q=1") matches on the part before ';'.
bool has_token(std::string_view list, std::string_view token) noexcept;

enum class QuotedStringError : std::uint8_t {
    not_quoted,        // does not start and end with DQUOTE
    unterminated,      // the closing DQUOTE is missing (or escaped)
    bad_escape,        // a backslash escapes a control character
    invalid_character, // a control character other than HTAB
};
std::string_view to_string(QuotedStringError e) noexcept;

/// The content of a quoted-string (RFC 9110 §5.6.4) with each quoted-pair resolved:
/// "\"a \\\"b\\\"\"" → a "b".
Result<std::string, QuotedStringError> unquote(std::string_view quoted);

enum class QvalueError : std::uint8_t {
    malformed,
    out_of_range
};
std::string_view to_string(QvalueError e) noexcept;

/// A weight (RFC 9110 §12.4.2) in thousandths: "1" → 1000, "0.5" → 500, "0.001" → 1.
/// At most three decimals; "1.5", "0.1234", ".5", "" are errors.
Result<std::uint16_t, QvalueError> parse_qvalue(std::string_view text) noexcept;

/// One element of a weighted list such as Accept-Encoding: the value before any ';' and its
/// weight (1000 when absent).
struct Weighted {
    std::string_view value;
    std::uint16_t q = 1000;
};

/// Calls `fn(Weighted)` for each well-formed element of a weighted list. An element whose
/// q parameter is malformed is skipped, as if it had not been sent: a sender cannot have
/// meant anything by it, and refusing the whole field would punish the other elements.
template <class Fn>
void for_each_weighted(std::string_view list, Fn&& fn);

/// The weight (0..1000) RFC 9110 §12.5.3 gives `coding` under an Accept-Encoding value: the
/// element naming it, else "*", else 0 — except identity, which is acceptable (1000) unless
/// "identity;q=0" or "*;q=0" excludes it. Case-insensitive; "x-gzip" means gzip.
std::uint16_t accept_encoding_quality(std::string_view accept_encoding,
                                      std::string_view coding) noexcept;

// ---- implementation ----------------------------------------------------------------------

namespace detail {
/// Splits "value ; p=1 ; q=0.5" and returns the weight, or nullopt-like false if malformed.
bool parse_weighted_element(std::string_view element, Weighted& out) noexcept;
} // namespace detail

template <class Fn>
void for_each_weighted(std::string_view list, Fn&& fn) {
    for (std::string_view element : list_elements(list)) {
        Weighted w;
        if (detail::parse_weighted_element(element, w)) fn(w);
    }
}

} // namespace pier
