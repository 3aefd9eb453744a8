// Fields: the known-field lookup every header line pays, and a request's worth of add_view +
// lookups + clear, as the codec and server do per message.
#include <pier/fields.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <string_view>

namespace {

constexpr std::array<std::string_view, 9> kNames = {
    "Host",           "User-Agent", "Accept",     "Accept-Language", "Accept-Encoding",
    "Accept-Charset", "Keep-Alive", "Connection", "Cookie"};

void field_id_per_name(benchmark::State& state) {
    for (auto _ : state)
        for (std::string_view n : kNames) benchmark::DoNotOptimize(pier::field_id(n));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kNames.size()));
}
BENCHMARK(field_id_per_name)->Name("fields/field_id");

void request_fields(benchmark::State& state) {
    pier::Fields f;
    for (auto _ : state) {
        f.clear();
        for (std::string_view n : kNames) f.add_view(n, "value", pier::field_id(n));
        benchmark::DoNotOptimize(f.find(pier::FieldId::host));
        benchmark::DoNotOptimize(f.count(pier::FieldId::content_length));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(request_fields)->Name("fields/request_add_find_clear");

} // namespace
