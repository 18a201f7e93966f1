#!/usr/bin/env bash
# Builds boxoffice and every test once, with AddressSanitizer and UndefinedBehaviorSanitizer,
# and runs them all: unit and property tests of core/, store contract tests, HTTP server
# tests, and integration tests that start the real binary on loopback; then the end-to-end flow
# and crash tests again against the optimised binary.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# Formatting first: it fails in a second, where the build takes minutes.
scripts/check-format.sh

build=build/asan
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBOXOFFICE_SANITIZE=ON
cmake --build "$build"

# The optimised build that scripts/serve.sh and the benchmarks use must compile too (assert-free
# code paths, -O3 warnings).
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF
cmake --build build/release --target boxoffice boxoffice_sse_load

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure --timeout 1200 -j 2

# The optimised build links jemalloc, which the sanitizers' own allocator replaces in the build
# above: it runs the whole flow, and the kill -9 and SIGTERM tests, as well.
(cd tests/integration && BOXOFFICE_BIN="$PWD/../../build/release/src/app/boxoffice" \
  PYTHONDONTWRITEBYTECODE=1 python3 -m unittest test_flow test_crash)
