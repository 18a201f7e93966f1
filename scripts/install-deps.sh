#!/usr/bin/env bash
# Installs, from Debian's packages, everything boxoffice needs to build, test and benchmark.
# Idempotent: installs only what is missing, and runs `apt-get update` first when it must.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build ccache pkg-config clang-format-14
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libsqlitecpp-dev libsodium-dev libssl-dev libspdlog-dev libcli11-dev libpq-dev libhiredis-dev
  libjemalloc-dev libhowardhinnant-date-dev zlib1g-dev tzdata
  # tests
  libgtest-dev libgmock-dev librapidcheck-dev python3 curl jq
  # benchmarks
  wrk nginx-light libnginx-mod-nchan
  # real servers the tests start on loopback
  postgresql-15 redis-server
  # the browser the web pages are tested in (tests/web)
  chromium
)
# Node.js runs the browser tests and npm installs the pages' one run-time module (web/): any
# Node 18+ will do, so Debian's packages only when there is no `node`/`npm` at all (a NodeSource
# nodejs, which brings its own npm, conflicts with Debian's npm package).
if ! command -v node >/dev/null; then packages+=(nodejs); fi
if ! command -v npm >/dev/null; then packages+=(npm); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The pages' QR encoder (web/package.json, served from web/node_modules): installed from the
# lock file whenever it is missing or the lock file changed.
web=$(dirname "$0")/../web
if ! cmp -s "$web/package-lock.json" "$web/node_modules/.installed-lock.json" 2>/dev/null; then
  echo "install-deps: npm ci in web/"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.installed-lock.json)
fi
