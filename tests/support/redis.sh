#!/usr/bin/env bash
# A throwaway Redis 7 (Debian's redis-server) on free loopback ports, for tests and benchmarks:
# never the machine's own.
#   redis.sh start STATE    starts one; writes its URL to STATE (and its folder to STATE.dir)
#   redis.sh stop STATE     stops what start or start-sentinel started and removes its folder
#   redis.sh pause STATE    stops the server (an outage); resume STATE starts it on the same port
#   redis.sh start-sentinel STATE [1|3]
#                           a primary, one replica and 1 or 3 (the default) Sentinels watching
#                           them as "boxoffice", quick to fail over (the primary is judged down
#                           after 500 ms); writes
#                           redis-sentinel://127.0.0.1:PORT[,127.0.0.1:PORT...]/boxoffice to STATE
#   redis.sh kill-primary STATE
#                           kill -9 of the node the Sentinels name as primary now; prints its port
# Every server runs from the redis-server binary (`--sentinel` for Sentinels), each in its own
# folder under STATE.dir with its redis.pid and redis.log, so stop finds them all.
set -euo pipefail
command=$1
state=$2
master_name=boxoffice

# A replica's first sync starts at once instead of after Redis's 5 s wait for more replicas.
start_server() {  # dir port [more redis-server options]
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly no \
    --repl-diskless-sync-delay 0 "$@" >/dev/null
  wait_for "redis-server on port $port" redis-cli -p "$port" ping
}

start_sentinel() {  # dir port primary_port quorum
  mkdir -p "$1"
  # Sentinel rewrites its config file (its id, the replicas and Sentinels it learns), so each
  # one gets its own. The low timings make a failover take one to three seconds.
  cat >"$1/sentinel.conf" <<EOF
port $2
bind 127.0.0.1
daemonize yes
pidfile $1/redis.pid
logfile $1/redis.log
dir $1
sentinel monitor $master_name 127.0.0.1 $3 $4
sentinel down-after-milliseconds $master_name 500
sentinel failover-timeout $master_name 2000
sentinel parallel-syncs $master_name 1
EOF
  redis-server "$1/sentinel.conf" --sentinel >/dev/null
  wait_for "Sentinel on port $2" redis-cli -p "$2" ping
}

wait_for() {  # what command...: until the command prints PONG, +OK or a non-empty answer, 10 s
  local what=$1
  shift
  for _ in $(seq 200); do
    if [[ -n $("$@" 2>/dev/null | grep -v '^$' || true) ]]; then return 0; fi
    sleep 0.05
  done
  echo "redis.sh: $what: not ready after 10 s" >&2
  return 1
}

free_ports() {  # count: that many distinct free loopback ports, one a line
  python3 -c '
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets: s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in sockets))' "$1"
}

port_of() { sed -E 's|.*:([0-9]+)$|\1|' "$state"; }

sentinel_ports() {  # of the URL in STATE
  sed -E 's|^redis-sentinel://||; s|/.*$||; s|127\.0\.0\.1:||g; s|,| |g' "$state"
}

# A zombie counts as gone: where nothing reaps daemons (PID 1 in some containers), the
# processes redis-server leaves after daemonizing stay zombies.
running() { grep -qs '^State:[[:space:]]*[^Z[:space:]]' "/proc/$1/status"; }

stop_pidfile() {  # pidfile: TERM, then KILL if it lingers; only a redis process
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  if grep -qa redis "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      running "$pid" || return 0
      sleep 0.02
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

case $command in
start)
  dir=$(mktemp -d /tmp/boxoffice-redis.XXXXXX)
  port=$(free_ports 1)
  start_server "$dir" "$port"
  echo "$dir" >"$state.dir"
  echo "redis://127.0.0.1:$port" >"$state"
  cat "$state"
  ;;
start-sentinel)
  sentinels=${3:-3}
  if [[ $sentinels != 1 && $sentinels != 3 ]]; then
    echo "redis.sh: 1 or 3 Sentinels, not $sentinels" >&2
    exit 2
  fi
  dir=$(mktemp -d /tmp/boxoffice-redis.XXXXXX)
  echo "$dir" >"$state.dir"
  mapfile -t ports < <(free_ports $((sentinels + 2)))
  primary=${ports[0]}
  replica=${ports[1]}
  start_server "$dir/primary" "$primary"
  start_server "$dir/replica" "$replica" --replicaof 127.0.0.1 "$primary"
  # Sentinels learn the replicas from the primary's INFO: start them once the replica is in.
  wait_for "the replica's link to the primary" \
    sh -c "redis-cli -p $replica info replication | grep 'master_link_status:up'"
  quorum=$((sentinels / 2 + 1))
  urls=()
  for port in "${ports[@]:2}"; do
    start_sentinel "$dir/sentinel-$port" "$port" "$primary" "$quorum"
    urls+=("127.0.0.1:$port")
  done
  # A failover needs each Sentinel to know the replica and enough of the other Sentinels
  # (they find each other through hello messages every 2 s).
  for port in "${ports[@]:2}"; do
    wait_for "Sentinel $port learning the replica" \
      sh -c "redis-cli -p $port sentinel replicas $master_name | grep -x $replica"
    wait_for "Sentinel $port reaching its quorum" \
      sh -c "redis-cli -p $port sentinel ckquorum $master_name | grep -x 'OK $sentinels usable.*'"
  done
  (IFS=,; echo "redis-sentinel://${urls[*]}/$master_name") >"$state"
  cat "$state"
  ;;
stop)
  if [[ -f "$state" ]]; then
    dir=$(cat "$state.dir")
    while IFS= read -r pidfile; do stop_pidfile "$pidfile"; done < <(find "$dir" -name redis.pid)
    rm -rf "$dir" "$state" "$state.dir"
  fi
  ;;
pause)
  redis-cli -p "$(port_of)" shutdown nosave >/dev/null 2>&1 || true
  ;;
resume)
  start_server "$(cat "$state.dir")" "$(port_of)"
  ;;
kill-primary)
  for sentinel in $(sentinel_ports); do
    port=$(redis-cli -p "$sentinel" sentinel get-master-addr-by-name "$master_name" 2>/dev/null |
      sed -n 2p) || true
    [[ -n $port ]] && break
  done
  if [[ -z ${port:-} ]]; then
    echo "redis.sh: no Sentinel names a primary" >&2
    exit 1
  fi
  pid=$(redis-cli -p "$port" info server | sed -n 's/^process_id:\([0-9]*\).*/\1/p')
  kill -KILL "$pid"
  # Dead, its connections closed, before this answers: what a test does next sees it gone.
  while running "$pid"; do sleep 0.01; done
  # Its pidfile stays behind: remove it, so that stop never signals a recycled pid.
  grep -lx "$pid" $(find "$(cat "$state.dir")" -name redis.pid) | xargs rm -f || true
  echo "$port"
  ;;
*)
  echo "usage: $0 start|start-sentinel|stop|pause|resume|kill-primary STATE" >&2
  exit 2
  ;;
esac
