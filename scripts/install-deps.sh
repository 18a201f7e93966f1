#!/usr/bin/env bash
# Installs, from Debian's packages, everything boxoffice needs to build, test and benchmark.
# Idempotent: installs only what is missing, and runs `apt-get update` first when it must.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build ccache pkg-config
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libsqlitecpp-dev libsodium-dev libspdlog-dev libcli11-dev libpq-dev libhiredis-dev
  libhowardhinnant-date-dev tzdata
  # tests
  libgtest-dev libgmock-dev librapidcheck-dev python3 curl jq
  # benchmarks
  wrk nginx-light libnginx-mod-nchan
  # real servers the tests start on loopback
  postgresql-15 redis-server
)

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
