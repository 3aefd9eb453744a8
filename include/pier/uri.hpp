// URIs as HTTP uses them (RFC 3986, RFC 9110 §4, RFC 9112 §3.2): request-targets in their four
// forms, authorities (Host), absolute http/https URLs for the client, relative references
// (redirects), percent-coding and dot-segment removal.
//
// Parsers return views into their input and allocate nothing; functions that must build text
// (decoding, encoding, dot-segment removal, resolution) return std::string.
//
// Leniency, decided once for the whole server: a request-target may hold bytes >= 0x80 and
// the ASCII characters RFC 3986 calls unsafe (" < > \ ^ ` { | }), because browsers and tools
// send them raw and nginx accepts them; controls, SP, DEL and '#' are refused, and every '%'
// must start a valid escape. A backslash is an ordinary character, never a path separator.
#pragma once

#include <pier/forward_iterator.hpp>
#include <pier/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pier {

enum class UriError : std::uint8_t {
    empty,                // nothing to parse
    invalid_character,    // a control, SP or DEL (or, in a host, a character a host cannot hold)
    bad_percent_encoding, // '%' not followed by two hex digits
    decoded_nul,          // "%00" where a NUL byte is refused
    bad_scheme,           // not http or https (URLs), or not a scheme at all
    bad_host,             // empty where a host is required, or not a reg-name
    bad_ipv6,             // "[...]" that is not an IPv6 address (zone ids, IPvFuture included)
    bad_port,             // not 1-5 digits, or above 65535
    missing_port,         // authority-form without its port (RFC 9112 §3.2.3)
    userinfo_not_allowed, // "user@" in a request-target (RFC 9110 §4.2.4)
    fragment_not_allowed, // '#' in a request-target
};
std::string_view to_string(UriError e) noexcept;

/// authority = [ userinfo "@" ] host [ ":" port ]
struct Authority {
    std::string_view userinfo;
    std::string_view host; // an IPv6 literal without its brackets
    bool is_ipv6 = false;
    std::string_view port_text;
    std::optional<std::uint16_t> port; // nullopt when absent or empty ("host:")
};

/// Parses an authority; with allow_userinfo false (Host, request-targets) "user@" is an error.
/// An empty host is accepted here (a Host field may be empty, RFC 9112 §3.2); callers that
/// need one check it.
Result<Authority, UriError> parse_authority(std::string_view text, bool allow_userinfo = false);

enum class TargetForm : std::uint8_t {
    origin,
    absolute,
    authority,
    asterisk
};

struct RequestTarget {
    TargetForm form = TargetForm::origin;
    std::string_view scheme; // absolute-form only
    Authority authority;     // absolute-form and authority-form
    std::string_view path;   // "/" for an absolute-form target without one; empty otherwise
    std::string_view query;  // without the '?'
    bool has_query = false;
};

/// request-target = origin-form / absolute-form / authority-form / asterisk-form (RFC 9112 §3.2).
Result<RequestTarget, UriError> parse_request_target(std::string_view target);

/// An absolute http or https URL, as the client takes it ("http://user@host:8080/p?q#f").
struct Url {
    std::string_view scheme; // as written; compare case-insensitively
    std::string_view userinfo;
    std::string_view host;
    bool is_ipv6 = false;
    std::optional<std::uint16_t> port;
    std::string_view path; // may be empty: send "/"
    std::string_view query;
    bool has_query = false;
    std::string_view fragment;
    bool has_fragment = false;

    bool is_https() const noexcept;
    std::uint16_t effective_port() const noexcept { return port.value_or(is_https() ? 443 : 80); }
};
Result<Url, UriError> parse_url(std::string_view text);

/// The target URI of `reference` (a Location value, say) relative to `base`, by RFC 3986
/// §5.2.2, recomposed as text (§5.3). The fragment of the reference is kept.
std::string resolve_reference(std::string_view base, std::string_view reference);

struct PercentDecode {
    bool plus_as_space = false; // application/x-www-form-urlencoded queries
    bool reject_nul = true;     // "%00" is an error: a NUL byte ends C strings (and file names)
};
Result<std::string, UriError> percent_decode(std::string_view text, PercentDecode options = {});
/// The same into a buffer the caller reuses (cleared first); nullopt on success.
std::optional<UriError> percent_decode_into(std::string_view text, std::string& out,
                                            PercentDecode options = {});

/// Encodes for use as a path: keeps unreserved characters, sub-delims, ':', '@' and '/';
/// everything else becomes %XX (upper-case hex).
std::string percent_encode_path(std::string_view text);
/// Encodes one path segment (a file name in a link): as above, but '/' is encoded too, so
/// nothing in the name can end the segment or start a query or fragment.
std::string percent_encode_component(std::string_view text);
/// Encodes only what no URI may carry — bytes outside printable ASCII, such as the raw UTF-8
/// a browser may put in a request-target — and leaves everything else, escapes included, as it
/// is: the result names the same resource (for a Location built from a received target).
std::string percent_encode_raw_bytes(std::string_view target);

/// RFC 3986 §5.2.4, exactly: "/a/b/../c/./d" → "/a/c/d"; never climbs above the root.
std::string remove_dot_segments(std::string_view path);

/// Python's gh-87389 guard: "//evil.example/x" → "/evil.example/x" (no copy: a suffix of the
/// input). A path starting with "//" would be a scheme-relative URL in a redirect built from
/// it — an open redirect.
std::string_view collapse_leading_slashes(std::string_view path) noexcept;

/// The key=value pairs of a query, still percent-encoded, without allocating:
///     for (auto [key, value] : pier::query_params("sort=size&order=desc&flag")) ...
class QueryParams {
  public:
    class iterator
        : public ForwardIterator<iterator, std::pair<std::string_view, std::string_view>> {
      public:
        iterator() = default;
        value_type operator*() const noexcept { return current_; }
        bool operator==(const iterator& o) const noexcept {
            return done_ == o.done_ && (done_ || rest_.data() == o.rest_.data());
        }

      private:
        friend class QueryParams;
        friend class ForwardIterator<iterator, value_type>;
        explicit iterator(std::string_view query) noexcept : rest_(query), done_(false) {
            advance();
        }
        void advance() noexcept;
        std::string_view rest_;
        value_type current_;
        bool done_ = true;
        bool last_ = false;
    };
    explicit QueryParams(std::string_view query) noexcept : query_(query) {}
    iterator begin() const noexcept { return iterator(query_); }
    iterator end() const noexcept { return iterator(); }

  private:
    std::string_view query_;
};
inline QueryParams query_params(std::string_view query) noexcept {
    return QueryParams(query);
}

} // namespace pier
