// Shared by pier's micro-benchmarks: allocation counting and same-run comparisons.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace pier::bench {

/// Heap allocations made so far by this process (operator new is replaced in bench_main.cpp).
extern std::atomic<std::uint64_t> g_allocations;

struct Comparison {
    std::string label;
    std::string pier;      // full benchmark name, e.g. "pier/request/classic"
    std::string reference; // e.g. "http_parser/request/classic"
};

/// Asks bench_main to print reference_ns / pier_ns for two benchmarks after the run.
void compare(std::string label, std::string pier, std::string reference);

} // namespace pier::bench
