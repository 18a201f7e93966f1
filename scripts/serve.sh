#!/usr/bin/env bash
# Builds boxoffice (optimised) and starts it on the embedded default, 127.0.0.1:8080 with its
# data in ./data, loading the demo catalog when the store is empty. Extra arguments go to
# `boxoffice serve` (see `build/release/src/app/boxoffice serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF
cmake --build "$build" --target boxoffice
exec "$build/src/app/boxoffice" serve --demo "$@"
