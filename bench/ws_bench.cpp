// The WebSocket codec (src/ws/): unmasking, reading frames as a server does, and UTF-8
// validation of text, in bytes per second. The reference for UTF-8 is pier's other check
// (src/http/utf8.hpp, one sequence at a time), measured in the same run.
#include "bench_support.hpp"
#include "http/utf8.hpp"
#include "ws/frame.hpp"
#include "ws/reader.hpp"
#include "ws/utf8_validator.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace pier::bench {
namespace {

using ws::Opcode;
using ws::Role;

std::string masked_frame(std::size_t size) {
    std::string payload(size, '\0');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    char header[ws::detail::kMaxFrameHeader];
    const std::size_t n =
        ws::detail::write_frame_header(header, Opcode::binary, true, false, size, true, 0x3d21fa37);
    ws::detail::apply_mask(payload.data(), size, 0x3d21fa37, 0);
    return std::string(header, n) + payload;
}

void unmask(benchmark::State& state, std::size_t size) {
    std::string data(size, 'x');
    for (auto _ : state) {
        ws::detail::apply_mask(data.data(), data.size(), 0x3d21fa37, 1);
        benchmark::DoNotOptimize(data.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

// One whole frame per read, as a server reads a client's: header, limits, unmasking in place.
// Unmasking is its own inverse, so the same bytes are read again each time without a copy.
void read_frames(benchmark::State& state, std::size_t size) {
    std::string input;
    for (int i = 0; i < 16; ++i) input += masked_frame(size);
    ws::detail::Reader reader(Role::server);
    for (auto _ : state) {
        std::span<char> in(input);
        while (!in.empty()) {
            const auto step = reader.read(in);
            benchmark::DoNotOptimize(step.data.data());
            in = in.subspan(step.consumed);
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 16));
}

std::string text_of(std::string_view unit, std::size_t size) {
    std::string s;
    while (s.size() + unit.size() <= size) s += unit;
    return s;
}
const std::string kAscii = text_of("The quick brown fox jumps over the lazy dog. ", 16384);
const std::string kGreek = text_of("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 ", 16384);
const std::string kMixed =
    text_of("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e and \xf0\x9f\x98\x80 ok, ", 16384);

void ws_utf8(benchmark::State& state, const std::string* text) {
    for (auto _ : state) benchmark::DoNotOptimize(ws::detail::is_valid_utf8(*text));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text->size()));
}

void sequence_utf8(benchmark::State& state, const std::string* text) {
    for (auto _ : state) benchmark::DoNotOptimize(detail::is_valid_utf8(*text));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text->size()));
}

BENCHMARK_CAPTURE(unmask, 64, 64)->Name("ws/unmask/64B");
BENCHMARK_CAPTURE(unmask, 16k, 16384)->Name("ws/unmask/16KiB");
BENCHMARK_CAPTURE(read_frames, 64, 64)->Name("ws/read/64B");
BENCHMARK_CAPTURE(read_frames, 16k, 16384)->Name("ws/read/16KiB");
BENCHMARK_CAPTURE(ws_utf8, ascii, &kAscii)->Name("ws/utf8/ascii");
BENCHMARK_CAPTURE(sequence_utf8, ascii, &kAscii)->Name("utf8_sequence/ascii");
BENCHMARK_CAPTURE(ws_utf8, greek, &kGreek)->Name("ws/utf8/greek");
BENCHMARK_CAPTURE(sequence_utf8, greek, &kGreek)->Name("utf8_sequence/greek");
BENCHMARK_CAPTURE(ws_utf8, mixed, &kMixed)->Name("ws/utf8/mixed");
BENCHMARK_CAPTURE(sequence_utf8, mixed, &kMixed)->Name("utf8_sequence/mixed");

const bool kRegistered = [] {
    compare("UTF-8 16 KiB ASCII: automaton vs sequence check", "ws/utf8/ascii",
            "utf8_sequence/ascii");
    compare("UTF-8 16 KiB Greek", "ws/utf8/greek", "utf8_sequence/greek");
    compare("UTF-8 16 KiB mixed", "ws/utf8/mixed", "utf8_sequence/mixed");
    return true;
}();

} // namespace
} // namespace pier::bench
