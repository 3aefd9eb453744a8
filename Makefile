# pier's front door. `make test` is what CI runs (.ci/run); see README.md.
#
#   make serve   install missing packages, build, serve DIR (default .) on PORT (default 8000)
#   make test    install missing packages, build release + asan + tsan + fuzz, run every test
#                (tsan: the unit and integration tests; each fuzz target for TEST_FUZZ_SECONDS,
#                default 30, under ASan+UBSan)
#   make build   release binary at build/release/pier
#   make tsan    ThreadSanitizer build (build/tsan) of the unit and integration tests, then
#                run them; any data race or lock-order report fails the test that made it
#   make bench   codec micro-benchmarks vs http_parser, pier serve vs nginx, h2o and lighttpd
#                under wrk, pier's HTTPS vs nginx and h2o (wrk, openssl s_time), CGI vs
#                lighttpd, uploads (PUT) vs nginx's dav module, pier's client vs libcurl
#                against nginx, then WebSocket echo (ws_echo) vs Node's ws and libwebsockets
#   make fuzz    long fuzzing run: FUZZ_SECONDS per target (default 600)
#   make audit   testssl.sh against pier serve over HTTPS (minutes): fails on a HIGH or CRITICAL
#                finding, a protocol below TLS 1.2 or renegotiation; summary in docs/tls-audit.md
#   make soak    SOAK_SESSIONS random sessions against the release `pier serve` (default
#                20,000, for at most SOAK_SECONDS, default 300); SOAK_SEED picks them
#   make format  clang-format every C++ file
#   make lint    clang-tidy over the library sources
#   make clean   remove build/

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 600
SOAK_SESSIONS ?= 20000
SOAK_SECONDS ?= 300
SOAK_SEED ?= 1
TEST_FUZZ_SECONDS ?= 30
CMAKE_GENERATOR := -G Ninja
CXX_FILES = $(shell git ls-files '*.cpp' '*.hpp' 2>/dev/null)

.PHONY: deps build release asan tsan tsan-build fuzz-build test serve bench fuzz soak audit format lint clean
PORT ?= 8000
DIR ?= .

deps:
	@scripts/install-deps

build/release/build.ninja: | deps
	cmake -S . -B build/release $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Release

build/asan/build.ninja: | deps
	cmake -S . -B build/asan $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Asan -DPIER_BUILD_BENCH=OFF

# The CLI is left out: the integration tests run the same server code in-process, where a
# report fails the test case that made it; the CLI's script tests are slow under TSan and
# would not all notice a report on a child server's stderr.
build/tsan/build.ninja: | deps
	cmake -S . -B build/tsan $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Tsan -DPIER_BUILD_BENCH=OFF \
	  -DPIER_BUILD_CLI=OFF

build/fuzz/build.ninja: | deps
	CXX=clang++ cmake -S . -B build/fuzz $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Asan \
	  -DPIER_BUILD_FUZZ=ON -DPIER_BUILD_TESTS=OFF -DPIER_BUILD_BENCH=OFF -DPIER_BUILD_CLI=OFF

release: deps build/release/build.ninja
	cmake --build build/release -j $(JOBS)

asan: deps build/asan/build.ninja
	cmake --build build/asan -j $(JOBS)

# Only the two test binaries: the interop server and examples add build time, not coverage of
# the threads. halt_on_error turns any report into a failed test (TSan's exit code 66), and
# ctest runs each test case in its own process, so one race does not hide the next.
TSAN_OPTIONS ?= halt_on_error=1 second_deadlock_stack=1 history_size=4
tsan-build: deps build/tsan/build.ninja
	cmake --build build/tsan -j $(JOBS) --target pier_unit_tests pier_integration_tests

tsan: tsan-build
	TSAN_OPTIONS="$(TSAN_OPTIONS)" ctest --test-dir build/tsan -j $(JOBS) -L 'unit|integration' \
	  --output-on-failure

fuzz-build: deps build/fuzz/build.ninja
	cmake --build build/fuzz -j $(JOBS)

build: release

# Only the pier command is built: serving should not wait for the test suite to compile.
serve: deps build/release/build.ninja
	cmake --build build/release -j $(JOBS) --target pier-cli
	build/release/pier serve $(PORT) -d $(DIR)

test: release asan tsan-build fuzz-build
	@echo "== release =="; ctest --test-dir build/release -j $(JOBS) --output-on-failure
	@echo "== asan ==";    ctest --test-dir build/asan -j $(JOBS) --output-on-failure
	@echo "== tsan ==";    TSAN_OPTIONS="$(TSAN_OPTIONS)" ctest --test-dir build/tsan -j $(JOBS) \
	  -L 'unit|integration' --output-on-failure
	@echo "== fuzz ($(TEST_FUZZ_SECONDS) s per target, ASan+UBSan) =="
	@cmake -DPIER_FUZZ_SECONDS=$(TEST_FUZZ_SECONDS) build/fuzz >/dev/null
	@ctest --test-dir build/fuzz -j $(JOBS) --output-on-failure

# Pinned to one core, five repetitions, medians: the method of PERFORMANCE.md for this noisy
# 2-core machine. The ratios printed last are taken within this one run.
BENCH_PIN := $(shell [ $$(nproc) -ge 2 ] && echo taskset -c 1)
bench: release
	$(BENCH_PIN) build/release/bench/pier_bench --benchmark_counters_tabular=true \
	  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true $(BENCH_ARGS)
	bench/static_vs_nginx.sh build/release/pier $(BENCH_ROUNDS) $(BENCH_SECONDS)
	bench/tls_vs_nginx.sh build/release/pier $(BENCH_ROUNDS) $(BENCH_SECONDS)
	bench/cgi_vs_lighttpd.sh build/release/pier $(BENCH_ROUNDS) $(BENCH_SECONDS)
	bench/upload_vs_nginx.sh build/release/pier $(BENCH_ROUNDS)
	bench/client_vs_curl.sh build/release/bench/client_vs_curl $(BENCH_CLIENT_ROUNDS) $(BENCH_CLIENT_SECONDS)
	bench/parallel_vs_curl.sh build/release/pier $(BENCH_ROUNDS)
	bench/ws_vs_node.sh build/release/examples/ws_echo build/release/bench/ws_load $(BENCH_ROUNDS) $(BENCH_SECONDS)

BENCH_ROUNDS ?= 3
BENCH_SECONDS ?= 5
BENCH_CLIENT_ROUNDS ?= 21
BENCH_CLIENT_SECONDS ?= 0.5

fuzz: fuzz-build
	@cmake -DPIER_FUZZ_SECONDS=$(FUZZ_SECONDS) build/fuzz >/dev/null
	ctest --test-dir build/fuzz -j $(JOBS) --output-on-failure --verbose

# Only the pier command is built, as for `make serve`; a failure prints each seed to --replay.
soak: deps build/release/build.ninja
	cmake --build build/release -j $(JOBS) --target pier-cli
	tests/interop/chaos_serve.py build/release/pier --seed $(SOAK_SEED) \
	  --sessions $(SOAK_SESSIONS) --seconds $(SOAK_SECONDS)

audit: deps build/release/build.ninja
	cmake --build build/release -j $(JOBS) --target pier-cli
	scripts/tls_audit.sh build/release/pier docs/tls-audit.md

format:
	clang-format -i $(CXX_FILES)

# clang-tidy reads GCC's flags from the compile database; the GCC-only -Wno-restrict would
# otherwise be an error in every file.
lint: release
	clang-tidy -p build/release --quiet --extra-arg=-Wno-unknown-warning-option $(filter src/%.cpp,$(CXX_FILES))

clean:
	rm -rf build
