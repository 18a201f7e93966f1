#!/usr/bin/env bash
# The on-sale simulator (bench/onsale/, target boxoffice_onsale): a crowd of FANS fans, each
# from its own loopback address, and BOTS bot addresses against one event with a waiting room
# on a stadium of 70,000 seats, the server's per-client limits at their defaults. Runs, each
# on fresh servers:
#   embedded          one `boxoffice serve` (SQLite), THREADS threads;
#   cluster           three nodes (PostgreSQL, Redis with a replica and three Sentinels) behind
#                     nginx, which forwards the client's address (--trusted-proxy 127.0.0.1/32);
#   kill-node         the cluster, node 2 killed (-9) once 30% of the seats are sold, restarted
#                     5 s later;
#   kill-redis        the cluster, the Redis primary killed (-9) then: Sentinel fails over;
#   restart-postgres  the cluster, PostgreSQL stopped then and started again 3 s later.
# Each prints the simulator's report (bench/README.md) and its RESULT line; the sale must sell
# out with every anomaly 0. The yardstick is the target: at least 1,000 tickets a second.
# CROWD=edge (the default): the fans come through an edge (a CDN) that keeps connections to the
# server, or nginx, and names each fan in X-Forwarded-For, which the server trusts from
# 127.0.0.1; CROWD=direct: each fan connects from its own address, a connection per poll.
# Usage: bench/onsale_bench.sh [run...] (default: all five); FANS (500000), FAULT_FANS (the
# fault runs', 100000), BOTS (20), THREADS (embedded server threads, 2), LOAD_THREADS (the
# tool's, 2), ONSALE_ARGS (more flags for the tool: see boxoffice_onsale --help).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=("$@")
((${#runs[@]})) || runs=(embedded cluster kill-node kill-redis restart-postgres)
fans=${FANS:-500000}
fault_fans=${FAULT_FANS:-100000}
bots=${BOTS:-20}
threads=${THREADS:-2}
load_threads=${LOAD_THREADS:-2}
crowd=${CROWD:-edge}
case $crowd in
edge) crowd_flag=--edge edge_trust=(--trusted-proxy 127.0.0.1/32) ;;
direct) crowd_flag=--direct edge_trust=() ;;
*) echo "onsale_bench: CROWD is edge or direct" >&2; exit 2 ;;
esac
key=onsale-admin-key

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build build/release --target boxoffice boxoffice_onsale >/dev/null
binary=build/release/src/app/boxoffice
tool=build/release/bench/onsale/boxoffice_onsale

# Every fan's connection is a descriptor of the tool's and of the server's (or nginx's).
ulimit -n "$(ulimit -Hn)"

source bench/common.sh
bench_setup onsale
bench_cleanup_extra() {
  [[ -f $work/redis.url ]] && tests/support/redis.sh stop "$work/redis.url" || true
  [[ -f $work/postgres.url ]] && tests/support/postgres.sh stop "$work/postgres.url" || true
}

wait_ready() {  # port
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "onsale_bench: the server on port $1 is not ready" >&2
  return 1
}

# serve NAME PORT [args...]: a boxoffice in $work/NAME, its pid in $work/NAME.pid.
serve() {
  local name=$1 port=$2
  shift 2
  "$binary" serve --listen "127.0.0.1:$port" --data-dir "$work/$name" --admin-key $key \
    --log-level warn --no-access-log "$@" >>"$work/$name.out" 2>>"$work/$name.log" &
  echo $! >"$work/$name.pid"
  pids+=($!)
  wait_ready "$port"
}

start_cluster() {
  tests/support/postgres.sh start "$work/postgres.url" >/dev/null
  tests/support/redis.sh start-sentinel "$work/redis.url" 3 >/dev/null
  node_ports=($(free_port) $(free_port) $(free_port))
  for n in 1 2 3; do
    mkdir -p "$work/node-$n"
    # One ticket secret for the cluster: any node checks any ticket (as scripts/cluster.sh).
    [[ $n != 1 ]] && cp -p "$work/node-1/ticket-secret" "$work/node-$n/ticket-secret"
    start_node $n
  done
  nginx_port=$(free_port)
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
worker_rlimit_nofile $(ulimit -n);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections $(($(ulimit -n) - 100)); }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  upstream boxoffice {
    server 127.0.0.1:${node_ports[0]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${node_ports[1]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${node_ports[2]} max_fails=1 fail_timeout=2s;
    keepalive 256;
  }
  server {
    listen 127.0.0.1:$nginx_port backlog=4096;
    client_max_body_size 32m;  # a stadium's layout
    location / {
      proxy_pass http://boxoffice;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;  # the fan, for its limits
      proxy_buffering off;  # status streams pass through as they come
      proxy_read_timeout 60s;
    }
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" -g 'daemon off;' &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_port/healthz" >/dev/null && return; sleep 0.1; done
  echo "onsale_bench: nginx does not answer" >&2
  exit 1
}

start_node() {  # N: cluster node N, on its port, with its data dir (kept across a restart)
  serve "node-$1" "${node_ports[$1 - 1]}" --threads 1 --postgres "$(cat "$work/postgres.url")" \
    --redis "$(cat "$work/redis.url")" --trusted-proxy 127.0.0.1/32
}

stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
  bench_cleanup_extra
  rm -f "$work/redis.url" "$work/postgres.url"
}

# inject FAULT LOG: once the tool's progress says 30% of the seats are sold.
inject() {
  local fault=$1 log=$2 sold
  while sleep 0.5; do
    kill -0 "$tool_pid" 2>/dev/null || return 0  # the run ended first
    sold=$(sed -nE 's/.* ([0-9]+) tickets sold.*/\1/p' "$log" | tail -1)
    ((${sold:-0} >= 21000)) && break
  done
  echo "== $(date +%T) $fault at ${sold} tickets sold"
  case $fault in
  kill-node)
    kill -9 "$(cat "$work/node-2.pid")"
    sleep 5
    start_node 2
    echo "== $(date +%T) node 2 restarted"
    ;;
  kill-redis) echo "== killed the Redis primary on port $(tests/support/redis.sh kill-primary "$work/redis.url")" ;;
  restart-postgres)
    tests/support/postgres.sh pause "$work/postgres.url"
    sleep 3
    tests/support/postgres.sh resume "$work/postgres.url"
    echo "== $(date +%T) PostgreSQL started again"
    ;;
  esac
}

# run NAME FANS URL: the simulator against URL, with the nodes' memory and ledgers.
run_tool() {
  local name=$1 count=$2 url=$3 nodes=() ledgers=()
  for pidfile in "$work"/*.pid; do
    local node
    node=$(basename "$pidfile" .pid)
    nodes+=(--node "$node=$pidfile")
    ledgers+=(--payment-ledger "$work/$node/test-payments.sqlite")
  done
  echo "== $name: $count fans ($crowd), $bots bot addresses; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "$tool" --url "$url" --admin-key $key --fans "$count" --bot-addresses "$bots" \
    --threads "$load_threads" "$crowd_flag" "${nodes[@]}" "${ledgers[@]}" ${ONSALE_ARGS:-} \
    >"$work/$name.report" 2>"$work/$name.progress" &
  tool_pid=$!
}

status=0
for run in "${runs[@]}"; do
  case $run in
  embedded)
    port=$(free_port)
    serve embedded "$port" --threads "$threads" "${edge_trust[@]}"
    run_tool embedded "$fans" "http://127.0.0.1:$port"
    ;;
  cluster | kill-node | kill-redis | restart-postgres)
    start_cluster
    count=$fans
    [[ $run != cluster ]] && count=$fault_fans
    run_tool "$run" "$count" "http://127.0.0.1:$nginx_port"
    [[ $run != cluster ]] && inject "$run" "$work/$run.progress"
    ;;
  *)
    echo "onsale_bench: no run named $run" >&2
    exit 2
    ;;
  esac
  wait "$tool_pid" || status=1
  cat "$work/$run.report"
  echo "== $(date +%T) load average $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_all
  rm -rf "$work"/node-* "$work"/embedded* "$work"/nginx
done
exit $status
