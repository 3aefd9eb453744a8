// The header block a CGI script writes before its body (RFC 3875 §6): one field per line, an
// empty line at the end, LF or CRLF as the script likes. Parsed as it arrives, I/O-free, within
// a byte limit — a script's output is no more trusted than a client's request.
//
// Status, Location and Content-Type are the fields RFC 3875 gives a meaning; the others pass
// through to the client, except the ones the server owns (framing, Connection, Date), which
// the handler drops.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pier::cgi {

struct ScriptHead {
    int status = 0; // Status: NNN, 0 when the script gave none
    std::string reason;
    std::string location;                                    // empty when none
    std::string content_type;                                // empty when none
    std::vector<std::pair<std::string, std::string>> fields; // the others, in order

    /// Location: a path on this server (RFC 3875 §6.2.2: a local redirect), not a URL.
    bool local_location() const noexcept { return location.starts_with('/'); }
};

class ScriptHeadParser {
  public:
    enum class Result {
        need_more,
        done,
        error
    };
    explicit ScriptHeadParser(std::size_t limit) noexcept : limit_(limit) {}

    /// Takes the next bytes of the script's output. When done, `body_from` is where the body
    /// starts in *these* bytes (what follows the empty line); on error, error() says why.
    Result feed(std::string_view bytes, std::size_t& body_from);
    const ScriptHead& head() const noexcept { return head_; }
    ScriptHead& head() noexcept { return head_; }
    std::string_view error() const noexcept { return error_; }

  private:
    Result line(std::string_view text);
    Result fail(std::string_view why);

    std::size_t limit_;
    std::size_t seen_ = 0; // bytes of head so far
    std::string partial_;  // a line not yet ended
    ScriptHead head_;
    std::string error_;
};

} // namespace pier::cgi
