#include "client/head_reader.hpp"

#include <pier/client_errors.hpp>

#include <string>

namespace pier::client::detail {

namespace {

// For messages: the status line as received, with controls shown as escapes.
std::string printable_first_line(std::string_view text) {
    const std::size_t eol = text.find('\n');
    text = text.substr(0, std::min<std::size_t>(eol, 200));
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) {
            out += c;
        } else {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    return out;
}

} // namespace

void throw_parse_error(ParseError e, std::string_view head_start) {
    switch (e) {
    case ParseError::bad_status_line:
    case ParseError::bad_version:
    case ParseError::version_not_supported:
        throw BadStatusLine("bad status line: '" + printable_first_line(head_start) + "'");
    case ParseError::field_line_too_long:
        throw LineTooLong("header line longer than the limit");
    case ParseError::header_section_too_large:
        throw LineTooLong("header section larger than the limit");
    case ParseError::too_many_fields:
        throw LineTooLong("got more header fields than the limit");
    case ParseError::unknown_transfer_coding:
        throw UnknownTransferEncoding("unknown transfer coding in the response");
    default:
        throw ProtocolError(std::string("malformed response: ") + std::string(to_string(e)));
    }
}

std::size_t read_response_head(Channel& ch, Method method, ResponseParser& parser,
                               ResponseHead& head) {
    parser.reset();
    ch.compact();
    for (;;) {
        const std::string_view input = ch.pending();
        if (!input.empty()) {
            const ParseStatus s = parser.parse(input, head, method);
            if (s == ParseStatus::complete) return parser.head_size();
            if (s == ParseStatus::error) throw_parse_error(parser.error(), input);
        }
        const std::size_t before = ch.pending().size();
        const Io io = ch.fill();
        if (io.status == IoStatus::ok) continue;
        if (io.status == IoStatus::eof || io.status == IoStatus::reset) {
            if (before == 0)
                throw RemoteDisconnected("Remote end closed connection without response", 0);
            throw RemoteDisconnected("connection closed inside the response head", before);
        }
        throw_io_error(io, ch.transport.get(), "reading the response head");
    }
}

} // namespace pier::client::detail
