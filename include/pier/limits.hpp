// Every size limit pier enforces on what a peer sends, in one place, used by the codec, the
// server and the client alike. Each limit has its own outcome (status code) so a client learns
// which one it hit. Defaults follow DESIGN.md: generous for real browsers, tight for abusers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pier {

struct Limits {
    /// Bytes of the request-target. Over it: 414 URI Too Long.
    std::size_t max_target = std::size_t{8} * 1024;
    /// Bytes of one field line (name, colon, value), and of a status line. Over it: 431.
    std::size_t max_field_line = std::size_t{8} * 1024;
    /// Field lines in a header section. Over it: 431.
    std::size_t max_fields = 100;
    /// Bytes of the whole head: request- or status-line and every field line. Over it: 431.
    std::size_t max_header_section = std::size_t{64} * 1024;
    /// Bytes of content, whether announced by Content-Length or counted in chunks. Over it: 413.
    std::uint64_t max_body = std::uint64_t{1} << 30;
    /// Bytes of chunk extensions on one chunk-size line; they are parsed and ignored, and only
    /// bounded so they cannot be used to make a recipient scan forever. Over it: 400.
    std::size_t max_chunk_extension = 1024;
    /// Bytes of the trailer section of a chunked message. Over it: 431.
    std::size_t max_trailer_section = std::size_t{16} * 1024;

    // WebSocket (RFC 6455). Defaults let the Autobahn test suite's largest cases through (a
    // 16 MiB message in one frame, 4 MiB in 65,536 fragments of 64 bytes) and stop a peer from
    // making the receiver hold more than one message's worth.
    /// Bytes of one message's payload after decompression (permessage-deflate), so a deflate
    /// bomb stops here too. Over it: close with 1009.
    std::uint64_t max_ws_message = std::uint64_t{16} << 20;
    /// Bytes of one frame's payload as announced in its header, refused before it is read.
    /// Over it: 1009.
    std::uint64_t max_ws_frame = std::uint64_t{16} << 20;
    /// Frames of one fragmented message. Empty fragments cost the receiver work but add nothing
    /// to the message size, so only this bound ends a message that never ends. Over it: 1008.
    std::size_t max_ws_fragments = std::size_t{1} << 17;
};

} // namespace pier
