// Content codings the client undoes on request (RFC 9110 §8.4.1): gzip, deflate (zlib, or raw
// deflate as some servers send it), br and zstd, each a streaming decoder. Private.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
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

/// Layers of coding undone at most (curl stops at 5): more is a decompression bomb's shape.
inline constexpr std::size_t kMaxCodings = 4;

/// What undoes a Content-Encoding field's list ("gzip", "gzip, br": the last listed was
/// applied last, so it is undone first; identity is skipped), or nullptr when nothing is
/// coded. For a coding pier does not know, or more than kMaxCodings, `unknown` says which and
/// `decoder` is null: the body cannot be given as the caller asked.
struct DecoderChoice {
    std::unique_ptr<ContentDecoder> decoder;
    std::string unknown;
};
DecoderChoice make_content_decoder(std::string_view codings);

} // namespace pier::client::detail
