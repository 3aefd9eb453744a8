// Content codings the client undoes on request (RFC 9110 §8.4.1): gzip, deflate (zlib, or raw
// deflate as some servers send it), br and zstd, each a streaming decoder. Private.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

namespace pier::client::detail {

class ContentDecoder {
  public:
    struct Step {
        std::size_t consumed = 0;
        std::size_t produced = 0;
        bool done = false;  // the coded stream ended
        bool error = false; // corrupt data
    };
    virtual ~ContentDecoder() = default;
    /// Decodes from `in` into `out`. Call with empty `in` to drain what is buffered.
    virtual Step step(std::string_view in, std::span<char> out) = 0;
};

/// The decoder for one Content-Encoding value, or nullptr for identity and for codings pier
/// does not know (the body is then passed on as received).
std::unique_ptr<ContentDecoder> make_content_decoder(std::string_view coding);

} // namespace pier::client::detail
