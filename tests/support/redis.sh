#!/usr/bin/env bash
# A throwaway Redis 7 (Debian's redis-server) on a free loopback port, for tests and
# benchmarks: never the machine's own.
#   redis.sh start STATE    starts one; writes its URL to STATE (and its folder to STATE.dir)
#   redis.sh stop STATE     stops it and removes its folder
#   redis.sh pause STATE    stops the server (an outage); resume STATE starts it on the same port
set -euo pipefail
command=$1
state=$2

start_server() {  # dir port
  redis-server --port "$2" --bind 127.0.0.1 --dir "$1" --daemonize yes \
    --pidfile "$1/redis.pid" --logfile "$1/redis.log" --save "" --appendonly no >/dev/null
  for _ in $(seq 100); do
    redis-cli -p "$2" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.05
  done
  echo "redis.sh: redis-server did not start on port $2" >&2
  return 1
}

port_of() { sed -E 's|.*:([0-9]+)$|\1|' "$state"; }

case $command in
start)
  dir=$(mktemp -d /tmp/boxoffice-redis.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  start_server "$dir" "$port"
  echo "$dir" >"$state.dir"
  echo "redis://127.0.0.1:$port" >"$state"
  cat "$state"
  ;;
stop)
  if [[ -f "$state" ]]; then
    redis-cli -p "$(port_of)" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$(cat "$state.dir")" "$state" "$state.dir"
  fi
  ;;
pause)
  redis-cli -p "$(port_of)" shutdown nosave >/dev/null 2>&1 || true
  ;;
resume)
  start_server "$(cat "$state.dir")" "$(port_of)"
  ;;
*)
  echo "usage: $0 start|stop|pause|resume STATE" >&2
  exit 2
  ;;
esac
