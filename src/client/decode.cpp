#include "client/decode.hpp"

#include <pier/field_lists.hpp>

#include <brotli/decode.h>
#include <cctype>
#include <cstring>
#include <string>
#include <vector>
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

// Several codings: each stage decodes what the one before produced, through a buffer of its
// own. One call runs the stages until output appears, the input is used up, or nothing moves,
// so "nothing consumed, nothing produced, not done" still means what it means for one stage.
class ChainDecoder final : public ContentDecoder {
  public:
    explicit ChainDecoder(std::vector<std::unique_ptr<ContentDecoder>> stages)
        : stages_(std::move(stages)), between_(stages_.size() - 1) {
        for (Between& b : between_) b.bytes.resize(kBetween);
    }

    Step step(std::string_view in, std::span<char> out) override {
        Step total;
        for (bool moved = true; moved && total.produced == 0 && !total.done;) {
            moved = false;
            for (std::size_t k = 0; k < stages_.size(); ++k) {
                const std::string_view src =
                    k == 0 ? in.substr(total.consumed) : between_[k - 1].pending();
                const bool last = k + 1 == stages_.size();
                if (!last) between_[k].compact();
                const std::span<char> dst = last ? out : between_[k].room();
                if (dst.empty()) continue;
                const Step s = stages_[k]->step(src, dst);
                if (s.error) return {total.consumed, 0, false, true};
                if (k == 0)
                    total.consumed += s.consumed;
                else
                    between_[k - 1].at += s.consumed;
                if (last) {
                    total.produced = s.produced;
                    total.done = s.done;
                } else {
                    between_[k].end += s.produced;
                }
                moved = moved || s.consumed != 0 || s.produced != 0;
            }
        }
        return total;
    }

  private:
    static constexpr std::size_t kBetween = 16 * 1024;
    struct Between {
        std::string bytes;
        std::size_t at = 0, end = 0;
        std::string_view pending() const { return std::string_view(bytes).substr(at, end - at); }
        std::span<char> room() { return std::span<char>(bytes).subspan(end); }
        void compact() {
            if (at == 0) return;
            std::memmove(bytes.data(), bytes.data() + at, end - at); // ranges may overlap
            end -= at;
            at = 0;
        }
    };
    std::vector<std::unique_ptr<ContentDecoder>> stages_;
    std::vector<Between> between_;
};

std::unique_ptr<ContentDecoder> decoder_for(std::string_view coding) {
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip"))
        return std::make_unique<ZlibDecoder>(true);
    if (iequals(coding, "deflate")) return std::make_unique<ZlibDecoder>(false);
    if (iequals(coding, "br")) return std::make_unique<BrotliDecoder>();
    if (iequals(coding, "zstd")) return std::make_unique<ZstdDecoder>();
    return nullptr;
}

} // namespace

DecoderChoice make_content_decoder(std::string_view codings) {
    std::vector<std::unique_ptr<ContentDecoder>> stages; // the last coding applied, first
    for (const std::string_view coding : list_elements(codings)) {
        if (iequals(coding, "identity")) continue;
        std::unique_ptr<ContentDecoder> d = decoder_for(coding);
        if (!d) return {nullptr, std::string(coding)};
        if (stages.size() == kMaxCodings) return {nullptr, std::string(codings)};
        stages.insert(stages.begin(), std::move(d));
    }
    if (stages.empty()) return {};
    if (stages.size() == 1) return {std::move(stages.front()), {}};
    return {std::make_unique<ChainDecoder>(std::move(stages)), {}};
}

} // namespace pier::client::detail
