// Comma-separated list fields (RFC 9110 §5.6.1) — Connection, Transfer-Encoding, Vary,
// Accept-Encoding, If-None-Match … — and the quoted strings and weights they contain.
//
//     for (std::string_view token : pier::list_elements("close, Upgrade")) ...
//     pier::has_token(connection, "close");
//     pier::accept_encoding_quality("gzip;q=0.8, br", "br");   // 1000
#pragma once

#include <pier/forward_iterator.hpp>
#include <pier/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pier {

/// The elements of a list, without allocating: split on commas outside quoted strings,
/// OWS trimmed, empty elements skipped ("a, ,b" → "a", "b"), as RFC 9110 §5.6.1 asks of
/// recipients.
class ListElements {
  public:
    class iterator : public ForwardIterator<iterator, std::string_view> {
      public:
        iterator() = default;
        std::string_view operator*() const noexcept { return current_; }
        bool operator==(const iterator& o) const noexcept {
            return done_ == o.done_ && (done_ || rest_.data() == o.rest_.data());
        }

      private:
        friend class ListElements;
        friend class ForwardIterator<iterator, std::string_view>;
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
/// weight in thousandths (1000 when there is no q parameter).
struct Weighted {
    std::string_view value;
    std::uint16_t q = 1000;
};

/// The well-formed elements of a weighted list (RFC 9110 §12.4.2), without allocating:
///
///     for (pier::Weighted w : pier::weighted_elements("gzip;q=0.8, br, *;q=0")) ...
///     // {"gzip", 800}, {"br", 1000}, {"*", 0}
///
/// Parameter names compare case-insensitively ("Q=0.5"), whitespace around ';' and '=' is
/// tolerated, other parameters are passed over, and ';' inside a quoted parameter value does
/// not split. An element with a malformed q ("gzip;q=2", "br;q=") or an empty value (";q=1")
/// is skipped, as if it had not been sent: its sender cannot have meant anything by it, and
/// rejecting the whole field would punish the other elements. Browsers and nginx behave alike.
/// With more than one q parameter, the last counts.
class WeightedElements {
  public:
    class iterator : public ForwardIterator<iterator, Weighted> {
      public:
        iterator() = default;
        Weighted operator*() const noexcept { return current_; }
        bool operator==(const iterator& o) const noexcept { return at_ == o.at_; }

      private:
        friend class WeightedElements;
        friend class ForwardIterator<iterator, Weighted>;
        explicit iterator(ListElements::iterator at) noexcept : at_(at) { skip_malformed(); }
        void advance() noexcept {
            ++at_;
            skip_malformed();
        }
        void skip_malformed() noexcept;
        ListElements::iterator at_;
        Weighted current_;
    };

    explicit WeightedElements(std::string_view list) noexcept : list_(list) {}
    iterator begin() const noexcept { return iterator(list_elements(list_).begin()); }
    iterator end() const noexcept { return iterator(); }

  private:
    std::string_view list_;
};

inline WeightedElements weighted_elements(std::string_view list) noexcept {
    return WeightedElements(list);
}

/// The weight (0..1000) RFC 9110 §12.5.3 gives `coding` under an Accept-Encoding field value:
/// the first element naming it, else the first "*", else 0 — except identity, which is
/// acceptable (1000) unless "identity;q=0" or "*;q=0" excludes it. Codings compare
/// case-insensitively, and "x-gzip" means gzip (RFC 9110 §8.4.1.3). An empty value leaves only
/// identity acceptable; a request with no Accept-Encoding at all accepts any coding, which is
/// for the caller to handle (there is no value to pass).
///
///     accept_encoding_quality("gzip;q=0.5, *;q=0", "gzip");     // 500
///     accept_encoding_quality("gzip;q=0.5, *;q=0", "identity"); // 0
std::uint16_t accept_encoding_quality(std::string_view accept_encoding,
                                      std::string_view coding) noexcept;

} // namespace pier
