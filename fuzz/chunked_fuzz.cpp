// Chunked decoder under libFuzzer: whole, byte-by-byte and in random pieces must agree on
// status, error, content and trailers; data views stay inside the input.
#include <pier/chunked.hpp>

#include <cstdlib>
#include <string>
#include <tuple>

namespace {

using namespace pier;

void check(bool ok) {
    if (!ok) std::abort();
}

auto run(std::string_view body, std::size_t piece) {
    Limits limits;
    limits.max_body = 1 << 16;
    limits.max_chunk_extension = 64;
    limits.max_trailer_section = 512;
    limits.max_field_line = 128;
    ChunkedDecoder dec(limits);
    std::string content;
    std::size_t off = 0;
    ChunkedDecoder::Status last = ChunkedDecoder::Status::need_more;
    while (off < body.size()) {
        const std::string_view in = body.substr(off, piece == 0 ? body.size() : piece);
        const auto s = dec.decode(in);
        check(s.consumed <= in.size());
        check(s.data.empty() || (s.data.data() >= in.data() &&
                                 s.data.data() + s.data.size() <= in.data() + in.size()));
        off += s.consumed;
        content.append(s.data);
        last = s.status;
        if (last == ChunkedDecoder::Status::done || last == ChunkedDecoder::Status::error) break;
        if (s.consumed == 0 && s.data.empty() && last != ChunkedDecoder::Status::data) break;
    }
    std::string trailers;
    for (const Field& f : dec.trailers())
        trailers += std::string(f.name) + ":" + std::string(f.value) + "\n";
    // Where an error is noticed depends on the split; only the verdict must agree then.
    if (last == ChunkedDecoder::Status::error) off = 0;
    return std::make_tuple(last, dec.error(), content, off, trailers, dec.content_size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t piece = 1 + data[0] % 13;
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto whole = run(body, 0);
    check(run(body, 1) == whole);
    check(run(body, piece) == whole);
    check(std::get<2>(whole).size() == std::get<5>(whole));
    return 0;
}
