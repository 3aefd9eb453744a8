// zlib compression for tests and fuzz targets that check the client's decoders against it.
#pragma once

#include <string>
#include <string_view>
#include <zlib.h>

namespace pier::test {

/// `text` deflated with zlib: window_bits 15 (zlib wrapper), -15 (raw deflate) or 31 (gzip).
inline std::string zlib_compress(std::string_view text, int window_bits) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, static_cast<uLong>(text.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

} // namespace pier::test
