#include "client/decode.hpp"

#include <brotli/decode.h>
#include <cctype>
#include <string>
#include <zlib.h>
#include <zstd.h>

namespace pier::client::detail {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

class ZlibDecoder final : public ContentDecoder {
  public:
    // gzip: windowBits 16+15. deflate: RFC 9110 says zlib-wrapped, but servers have long sent
    // raw deflate too; the first byte tells them apart (a zlib header's CMF is 0x?8).
    explicit ZlibDecoder(bool gzip) : gzip_(gzip) {}
    ~ZlibDecoder() override {
        if (started_) inflateEnd(&z_);
    }

    Step step(std::string_view in, std::span<char> out) override {
        Step s;
        if (!started_) {
            if (in.empty()) return s;
            int bits = 15 + 16;
            if (!gzip_) bits = (static_cast<unsigned char>(in[0]) & 0x0f) == 8 ? 15 : -15;
            if (inflateInit2(&z_, bits) != Z_OK) {
                s.error = true;
                return s;
            }
            started_ = true;
        }
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z_.avail_in = static_cast<uInt>(in.size());
        z_.next_out = reinterpret_cast<Bytef*>(out.data());
        z_.avail_out = static_cast<uInt>(out.size());
        const int rc = inflate(&z_, Z_NO_FLUSH);
        s.consumed = in.size() - z_.avail_in;
        s.produced = out.size() - z_.avail_out;
        if (rc == Z_STREAM_END)
            s.done = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            s.error = true;
        return s;
    }

  private:
    bool gzip_;
    bool started_ = false;
    z_stream z_{};
};

class BrotliDecoder final : public ContentDecoder {
  public:
    BrotliDecoder() : state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}
    ~BrotliDecoder() override { BrotliDecoderDestroyInstance(state_); }

    Step step(std::string_view in, std::span<char> out) override {
        Step s;
        std::size_t avail_in = in.size();
        auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
        std::size_t avail_out = out.size();
        auto* next_out = reinterpret_cast<std::uint8_t*>(out.data());
        const BrotliDecoderResult rc = BrotliDecoderDecompressStream(
            state_, &avail_in, &next_in, &avail_out, &next_out, nullptr);
        s.consumed = in.size() - avail_in;
        s.produced = out.size() - avail_out;
        if (rc == BROTLI_DECODER_RESULT_SUCCESS)
            s.done = true;
        else if (rc == BROTLI_DECODER_RESULT_ERROR)
            s.error = true;
        return s;
    }

  private:
    BrotliDecoderState* state_;
};

class ZstdDecoder final : public ContentDecoder {
  public:
    ZstdDecoder() : stream_(ZSTD_createDStream()) {
        // RFC 8878 §3 asks recipients to allow 8 MiB windows for HTTP; more is a memory attack.
        ZSTD_DCtx_setParameter(stream_, ZSTD_d_windowLogMax, 23);
    }
    ~ZstdDecoder() override { ZSTD_freeDStream(stream_); }

    Step step(std::string_view in, std::span<char> out) override {
        Step s;
        ZSTD_inBuffer input{in.data(), in.size(), 0};
        ZSTD_outBuffer output{out.data(), out.size(), 0};
        const std::size_t rc = ZSTD_decompressStream(stream_, &output, &input);
        s.consumed = input.pos;
        s.produced = output.pos;
        if (ZSTD_isError(rc))
            s.error = true;
        else if (rc == 0)
            s.done = true;
        return s;
    }

  private:
    ZSTD_DStream* stream_;
};

} // namespace

std::unique_ptr<ContentDecoder> make_content_decoder(std::string_view coding) {
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip"))
        return std::make_unique<ZlibDecoder>(true);
    if (iequals(coding, "deflate")) return std::make_unique<ZlibDecoder>(false);
    if (iequals(coding, "br")) return std::make_unique<BrotliDecoder>();
    if (iequals(coding, "zstd")) return std::make_unique<ZstdDecoder>();
    return nullptr;
}

} // namespace pier::client::detail
