#!/usr/bin/env bash
# A throwaway PostgreSQL 15 (Debian's postgresql-15) on a free loopback port, for tests and
# benchmarks: never the machine's own cluster.
#   postgres.sh start STATE   starts one; writes its URL to STATE (and its folder to STATE.dir)
#   postgres.sh stop STATE    stops it and removes its folder
#   postgres.sh pause STATE   stops the server, keeping its data (an outage)
#   postgres.sh resume STATE  starts it again on the same port
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
command=$1
state=$2

as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $command in
start)
  dir=$(mktemp -d /tmp/boxoffice-pg.XXXXXX)
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_server_user "$bin/initdb" -D "$dir/data" -A trust -U boxoffice --no-sync -E UTF8 >"$dir/initdb.log"
  as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB" >/dev/null
  echo "$dir" >"$state.dir"
  echo "postgresql://boxoffice@127.0.0.1:$port/postgres" >"$state"
  cat "$state"
  ;;
stop)
  if [[ -f "$state.dir" ]]; then
    dir=$(cat "$state.dir")
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir" "$state" "$state.dir"
  fi
  ;;
pause)
  as_server_user "$bin/pg_ctl" -D "$(cat "$state.dir")/data" -m fast -w stop >/dev/null
  ;;
resume)
  dir=$(cat "$state.dir")
  port=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$state")
  as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB" >/dev/null
  ;;
*)
  echo "usage: $0 start|stop|pause|resume STATE" >&2
  exit 2
  ;;
esac
