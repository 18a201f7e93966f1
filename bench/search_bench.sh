#!/usr/bin/env bash
# The search benchmark: the search service (Release build, in process) against PostgreSQL 15
# full-text search (tsvector with weights, GIN, ts_rank) on the same generated catalog, in the
# same run, on a throwaway PostgreSQL. Prints index build time and size, p50/p99 latency and
# throughput of a fixed query mix at concurrency 1 and CONCURRENCY, and the ratios.
#   bench/search_bench.sh [SECONDS_PER_RUN]      EVENTS=1000000 CONCURRENCY=16 by default
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
events=${EVENTS:-1000000}
concurrency=${CONCURRENCY:-16}

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build build/release --target boxoffice_search_bench

work=$(mktemp -d)
cleanup() {
  tests/support/postgres.sh stop "$work/postgres.url" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
tests/support/postgres.sh start "$work/postgres.url" >/dev/null
echo "machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
build/release/bench/search_bench/boxoffice_search_bench --events "$events" --seconds "$seconds" \
  --concurrency "$concurrency" --postgres "$(cat "$work/postgres.url")"
