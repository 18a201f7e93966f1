#!/usr/bin/env bash
# A small cluster on one machine, to try cluster mode: a throwaway PostgreSQL 15, a Redis
# primary with a replica and three Sentinels, three boxoffice nodes (127.0.0.1:8081-8083,
# data in ./cluster/node-N) and nginx in front of them on 127.0.0.1:8080. The first node loads
# the demo catalog. Everything stops, and the throwaway servers' data goes, on Ctrl-C.
# In production: point --postgres at your PostgreSQL, --redis at your Sentinels, and run one
# node per machine behind your load balancer, named by --trusted-proxy (so that each client is
# counted by the address the balancer forwards); each node keeps its own --data-dir.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build "$build" --target boxoffice
binary=$build/src/app/boxoffice

run=$PWD/cluster
mkdir -p "$run"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  tests/support/redis.sh stop "$run/redis.url" || true
  tests/support/postgres.sh stop "$run/postgres.url" || true
}
trap stop EXIT INT TERM

tests/support/postgres.sh start "$run/postgres.url" >/dev/null
tests/support/redis.sh start-sentinel "$run/redis.url" 3 >/dev/null
export BOXOFFICE_POSTGRES=$(cat "$run/postgres.url")
export BOXOFFICE_REDIS=$(cat "$run/redis.url")
export BOXOFFICE_ADMIN_KEY=${BOXOFFICE_ADMIN_KEY:-cluster-admin-key}
# nginx, below, connects to the nodes from 127.0.0.1 and says who the client is.
export BOXOFFICE_TRUSTED_PROXY=${BOXOFFICE_TRUSTED_PROXY:-127.0.0.1/32}

wait_ready() {
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "cluster.sh: node on port $1 did not become ready" >&2
  return 1
}
for n in 1 2 3; do
  demo=()
  [[ $n == 1 ]] && demo=(--demo)  # one node loads the demo before the others start
  if [[ $n != 1 ]]; then  # one ticket secret for the cluster: any gate checks any ticket
    mkdir -p "$run/node-$n"
    cp -p "$run/node-1/ticket-secret" "$run/node-$n/ticket-secret"
  fi
  "$binary" serve --listen "127.0.0.1:808$n" --data-dir "$run/node-$n" --threads 1 "${demo[@]}" \
    >"$run/node-$n.out" 2>"$run/node-$n.log" &
  pids+=($!)
  wait_ready "808$n"
done

mkdir -p "$run/nginx"
cat >"$run/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $run/nginx/nginx.pid;
error_log $run/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $run/nginx; proxy_temp_path $run/nginx; fastcgi_temp_path $run/nginx;
  uwsgi_temp_path $run/nginx; scgi_temp_path $run/nginx;
  upstream boxoffice {
    server 127.0.0.1:8081; server 127.0.0.1:8082; server 127.0.0.1:8083;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:8080;
    client_max_body_size 32m;  # a stadium's layout
    location / {
      proxy_pass http://boxoffice;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;  # the client, for its limits
      proxy_buffering off;  # live seat maps (SSE) pass through as they come
    }
  }
}
CONF
nginx -c "$run/nginx/nginx.conf" -e "$run/nginx/error.log" -g 'daemon off;' &
pids+=($!)

echo "cluster: http://127.0.0.1:8080 (nginx) -> nodes 8081-8083; admin key $BOXOFFICE_ADMIN_KEY"
echo "PostgreSQL $BOXOFFICE_POSTGRES"
echo "Redis $BOXOFFICE_REDIS"
echo "logs in $run; Ctrl-C stops everything"
wait
