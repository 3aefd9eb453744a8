// The client's content decoders under libFuzzer, alone and chained ("deflate, gzip").
// Arbitrary bytes: each decoder stays inside its buffers and stops (done or error) rather than
// loop. Round trips: what zlib and zstd compress, once or in two layers, the decoders give
// back exactly, whatever the output piece size.
#include "../tests/support/deflate.hpp"
#include "client/decode.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>
#include <zstd.h>

namespace {

// Decodes `in` in output pieces of `piece` bytes; false on a decoding error or a truncation.
bool decode_all(std::string_view coding, std::string_view in, std::size_t piece, std::string& out) {
    auto d = std::move(pier::client::detail::make_content_decoder(coding).decoder);
    if (!d) std::abort();
    std::vector<char> buffer(piece);
    for (int steps = 0; steps < 1 << 20; ++steps) {
        const auto s = d->step(in, buffer);
        if (s.consumed > in.size() || s.produced > buffer.size()) std::abort();
        in.remove_prefix(s.consumed);
        out.append(buffer.data(), s.produced);
        if (s.error) return false;
        if (s.done) return true;
        if (s.consumed == 0 && s.produced == 0) return false;   // truncated input
        if (out.size() > (std::size_t{64} << 20)) return false; // a bomb: stop here
    }
    std::abort(); // a decoder that neither finishes nor fails
}

// One layer of `coding` over `text`; empty for br (no brotli encoder in the fuzz build).
std::string encode(std::string_view coding, const std::string& text, std::uint8_t choice) {
    std::string coded;
    if (coding == "gzip") {
        coded = pier::test::zlib_compress(text, 15 + 16);
    } else if (coding == "deflate") {
        coded = pier::test::zlib_compress(text, choice % 8 < 4 ? 15 : -15);
    } else if (coding == "zstd") {
        coded.resize(ZSTD_compressBound(text.size()));
        coded.resize(ZSTD_compress(coded.data(), coded.size(), text.data(), text.size(), 1));
    }
    return coded;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // Each a list as Content-Encoding carries it: the first coding was applied first.
    static constexpr std::string_view lists[][2] = {
        {"gzip", ""},     {"deflate", ""},     {"br", ""},       {"zstd", ""},
        {"gzip", "gzip"}, {"deflate", "zstd"}, {"zstd", "gzip"}, {"gzip", "deflate"},
    };
    const auto& list = lists[data[0] % 8];
    const std::string field =
        list[1].empty() ? std::string(list[0]) : std::string(list[0]) + ", " + std::string(list[1]);
    const std::size_t piece = 1 + data[0] / 8 * 193;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string out;
    (void)decode_all(field, input, piece, out);

    const std::string text(input);
    if (list[0] == "br") return 0;
    std::string coded = encode(list[0], text, data[0]);
    if (!list[1].empty()) coded = encode(list[1], coded, data[0]);
    std::string back;
    if (!decode_all(field, coded, piece, back) || back != text) std::abort();
    return 0;
}
