// HTTP-date: formatting (every response without DateCache), parsing each form (every
// conditional request), and DateCache::get within one second (every response).
#include <pier/date.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <string_view>

namespace {

using namespace std::chrono;

constexpr sys_seconds kInstant =
    sys_days{year{1994} / November / 6} + hours{8} + minutes{49} + seconds{37};

void BM_FormatHttpDate(benchmark::State& state) {
    std::array<char, pier::kHttpDateLength> out;
    sys_seconds t = kInstant;
    for (auto _ : state) {
        pier::format_http_date(t, out);
        benchmark::DoNotOptimize(out);
        t += seconds{1}; // a different instant each time, as the Date header would be
    }
}
BENCHMARK(BM_FormatHttpDate);

void BM_FormatHttpDateString(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(pier::format_http_date(kInstant));
}
BENCHMARK(BM_FormatHttpDateString);

void parse(benchmark::State& state, std::string_view text) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(text);
        auto result = pier::parse_http_date(text, kInstant);
        benchmark::DoNotOptimize(result);
    }
}
BENCHMARK_CAPTURE(parse, imf_fixdate, "Sun, 06 Nov 1994 08:49:37 GMT");
BENCHMARK_CAPTURE(parse, rfc850, "Sunday, 06-Nov-94 08:49:37 GMT");
BENCHMARK_CAPTURE(parse, asctime, "Sun Nov  6 08:49:37 1994");
BENCHMARK_CAPTURE(parse, malformed, "Sun, 06 Nov 1994 08:49:37 UTC");

void BM_ParseImfFixdateSystemClock(benchmark::State& state) {
    // The overload without `now` must not read the clock for IMF-fixdate.
    std::string_view text = "Sun, 06 Nov 1994 08:49:37 GMT";
    for (auto _ : state) {
        benchmark::DoNotOptimize(text);
        auto result = pier::parse_http_date(text);
        benchmark::DoNotOptimize(result);
    }
}
BENCHMARK(BM_ParseImfFixdateSystemClock);

void BM_DateCacheGetSameSecond(benchmark::State& state) {
    pier::DateCache cache;
    sys_seconds t = kInstant;
    for (auto _ : state) {
        benchmark::DoNotOptimize(t);
        benchmark::DoNotOptimize(cache.get(t));
    }
}
BENCHMARK(BM_DateCacheGetSameSecond);

void BM_DateCacheNow(benchmark::State& state) {
    pier::DateCache cache;
    for (auto _ : state) benchmark::DoNotOptimize(cache.now());
}
BENCHMARK(BM_DateCacheNow);

} // namespace
