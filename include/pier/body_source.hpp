// A request body that is not held in memory: a file read piece by piece, a pipe, a form being
// encoded. Session::fetch() sends one through FetchOptions::body_source.
//
//     pier::client::FetchOptions o;
//     o.method = "PUT";
//     o.body_source = pier::client::BodySource::file("big.iso"); // Content-Length: its size
//     pier::client::fetch("http://127.0.0.1:8080/big.iso", o);
//
// A source is a factory, not a reader: a 307 or 308 redirect, or a 417 answer to pier's own
// "Expect: 100-continue", sends the body again, and each sending opens the source anew from its
// first byte. A source that cannot start over (a pipe) may be opened again only while nothing
// has been read from it; after that, opening it throws RewindError.
#pragma once

#include <pier/client.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

namespace pier::client {

struct BodySource {
    /// Starts the body at its first byte. Throws BodyReadError when the source cannot be
    /// opened, RewindError when it cannot start over. The reader it returns may throw
    /// BodyReadError too (a read that fails).
    std::function<BodyReader()> open;
    /// Sent as Content-Length, and exactly that many bytes are sent (a source that ends sooner
    /// fails the request with BodyReadError). Unknown: the body goes chunked.
    std::optional<std::uint64_t> length;

    explicit operator bool() const noexcept { return static_cast<bool>(open); }

    /// A file, opened again at each sending. A regular file's length is its size now; any
    /// other file (a FIFO, /dev/stdin) has no length and is read once, as a pipe is. Throws
    /// BodyReadError if the file cannot be opened now.
    static BodySource file(const std::filesystem::path& path);
    /// Bytes that can be read once (stdin): see above for starting over.
    static BodySource once(BodyReader reader, std::optional<std::uint64_t> length = std::nullopt);
};

} // namespace pier::client
