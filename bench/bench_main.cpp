// Entry point of pier_bench: runs every registered benchmark, then prints the side-by-side
// ratios each benchmark file asked for (pier vs. a reference measured in the same run).
#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <string>

namespace pier::bench {
namespace {

std::vector<Comparison>& comparisons() {
    static std::vector<Comparison> list;
    return list;
}

class RecordingReporter : public benchmark::ConsoleReporter {
  public:
    void ReportRuns(const std::vector<Run>& runs) override {
        // With repetitions, the median is the figure to compare (this machine is noisy);
        // without, the single run.
        for (const Run& r : runs) {
            if (r.error_occurred) continue;
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median")
                ns_per_iteration[r.run_name.str()] = r.GetAdjustedRealTime();
            else if (r.run_type == Run::RT_Iteration && r.repetitions <= 1)
                ns_per_iteration[r.benchmark_name()] = r.GetAdjustedRealTime();
        }
        ConsoleReporter::ReportRuns(runs);
    }
    std::map<std::string, double> ns_per_iteration;
};

} // namespace

void compare(std::string label, std::string pier, std::string reference) {
    comparisons().push_back({std::move(label), std::move(pier), std::move(reference)});
}

} // namespace pier::bench

// Counts heap allocations so benchmarks can report allocations per message.
std::atomic<std::uint64_t> pier::bench::g_allocations{0};

void* operator new(std::size_t n) {
    pier::bench::g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    pier::bench::RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    bool header = false;
    for (const auto& c : pier::bench::comparisons()) {
        const auto p = reporter.ns_per_iteration.find(c.pier);
        const auto r = reporter.ns_per_iteration.find(c.reference);
        if (p == reporter.ns_per_iteration.end() || r == reporter.ns_per_iteration.end()) continue;
        if (!header) {
            std::printf("\n%-44s %12s %12s %8s\n", "comparison (same run)", "pier ns", "ref ns",
                        "speedup");
            header = true;
        }
        std::printf("%-44s %12.1f %12.1f %7.2fx\n", c.label.c_str(), p->second, r->second,
                    r->second / p->second);
    }
    return 0;
}
