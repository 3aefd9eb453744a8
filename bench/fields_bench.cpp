// Fields: the known-field lookup every header line pays, and one request's worth of
// add_view + lookup + clear, as the codec does per message on a reused Fields.
#include "bench_support.hpp"

#include <pier/fields.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <string_view>

namespace {

// The field names of a typical browser navigation (Chromium, HTTP/1.1), in order.
constexpr std::array<std::string_view, 9> kNames = {
    "Host",    "Connection",      "Upgrade-Insecure-Requests", "User-Agent", "Accept",
    "Referer", "Accept-Encoding", "Accept-Language",           "Cookie"};

void field_id_per_name(benchmark::State& state) {
    for (auto _ : state)
        for (std::string_view n : kNames) benchmark::DoNotOptimize(pier::field_id(n));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kNames.size()));
}
BENCHMARK(field_id_per_name)->Name("fields/field_id");

// Per message: ids come from field_id (measured above), as the codec computes them while
// scanning; here only the container's work is timed.
void request_fields(benchmark::State& state) {
    std::array<pier::FieldId, kNames.size()> ids{};
    for (std::size_t i = 0; i < kNames.size(); ++i) ids[i] = pier::field_id(kNames[i]);
    pier::Fields f;
    for (std::size_t i = 0; i < kNames.size(); ++i) f.add_view(kNames[i], "value", ids[i]);
    f.clear(); // warm-up: the steady state reuses this capacity
    const std::uint64_t before = pier::bench::g_allocations.load();
    for (auto _ : state) {
        for (std::size_t i = 0; i < kNames.size(); ++i) f.add_view(kNames[i], "value", ids[i]);
        benchmark::DoNotOptimize(f.find(pier::FieldId::host));
        f.clear();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["allocs/msg"] =
        benchmark::Counter(static_cast<double>(pier::bench::g_allocations.load() - before) /
                           static_cast<double>(state.iterations()));
}
BENCHMARK(request_fields)->Name("fields/request_add_find_clear");

} // namespace
