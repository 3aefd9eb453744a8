// The client's content decoders under libFuzzer. Arbitrary bytes: each decoder stays inside
// its buffers and stops (done or error) rather than loop. Round trips: what zlib and zstd
// compress, the gzip, deflate and zstd decoders give back exactly, whatever the output piece
// size.
#include "../tests/support/deflate.hpp"
#include "client/decode.hpp"

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>
#include <zstd.h>

namespace {

// Decodes `in` in output pieces of `piece` bytes; false on a decoding error or a truncation.
bool decode_all(std::string_view coding, std::string_view in, std::size_t piece, std::string& out) {
    auto d = pier::client::detail::make_content_decoder(coding);
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static constexpr std::string_view codings[] = {"gzip", "deflate", "br", "zstd"};
    const std::string_view coding = codings[data[0] % 4];
    const std::size_t piece = 1 + data[0] / 4 * 97;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string out;
    (void)decode_all(coding, input, piece, out);

    const std::string text(input);
    std::string coded;
    if (coding == "gzip")
        coded = pier::test::zlib_compress(text, 15 + 16);
    else if (coding == "deflate")
        coded = pier::test::zlib_compress(text, data[0] % 8 < 4 ? 15 : -15);
    else if (coding == "zstd") {
        coded.resize(ZSTD_compressBound(text.size()));
        coded.resize(ZSTD_compress(coded.data(), coded.size(), text.data(), text.size(), 1));
    } else {
        return 0; // no brotli encoder in the fuzz build
    }
    std::string back;
    if (!decode_all(coding, coded, piece, back) || back != text) std::abort();
    return 0;
}
