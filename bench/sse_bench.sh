#!/usr/bin/env bash
# Live seat map fan-out: how long a change takes to reach every open seat map, against nginx with
# the nchan module publishing the same messages, in one run on one machine, and the ratio.
#   1. boxoffice (embedded mode, SQLite): SUBSCRIBERS streams of one event's
#      GET /v1/events/{id}/availability/stream; the tool holds CHANGES seats, one every
#      INTERVAL_MS, and times each seat's arrival at each subscriber;
#   2. nginx + nchan: SUBSCRIBERS EventSource subscribers of one channel; the tool publishes the
#      same delta JSON, one POST per change to the channel's publisher location.
# Target: boxoffice p99 ≤ 250 ms, and no worse than nchan's.
# Usage: bench/sse_bench.sh; SUBSCRIBERS (10000), CHANGES (200), INTERVAL_MS (10), THREADS
# (server threads / nginx workers, 1), LOAD_THREADS (the tool's, 1) in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

subscribers=${SUBSCRIBERS:-10000}
changes=${CHANGES:-200}
interval_ms=${INTERVAL_MS:-10}
threads=${THREADS:-1}
load_threads=${LOAD_THREADS:-1}

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build build/release --target boxoffice boxoffice_sse_load >/dev/null
load=build/release/bench/sse_load/boxoffice_sse_load

# Each side holds one descriptor per subscriber, and so does the tool.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < subscribers + 200)); then
  echo "sse_bench: ulimit -n is $(ulimit -n), too low for $subscribers subscribers" >&2
  exit 1
fi

source bench/common.sh
bench_setup ssebench

result() { awk '/^RESULT/ {for (i = 2; i <= NF; i++) {split($i, kv, "="); if (kv[1] == "'"$1"'") print kv[2]}}'; }

# boxoffice, with a one-row venue of CHANGES seats (S0-R0-0 …) and an event on sale.
port=$(free_port)
key=bench-key
build/release/src/app/boxoffice serve --listen 127.0.0.1:$port --data-dir "$work/data" \
  --admin-key $key --threads "$threads" --log-level warn --no-access-log "${client_limits_off[@]}" \
  >"$work/boxoffice.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:$port
python3 bench/make_venue.py 1 1 "$changes" >"$work/venue.json"
venue=$(curl -sf -X POST $base/v1/venues -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$work/venue.json" | jq .id)
event=$(curl -sf -X POST $base/v1/events -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d '{
  "venue_id":'"$venue"',"name":"Live Map Night","performers":["The Fans"],"category":"concert",
  "starts_at":"2099-01-01T20:00:00Z","on_sale_at":"2020-01-01T00:00:00Z",
  "price_levels":[{"id":"std","name":"Standard","price_cents":5000,"currency":"USD"}],
  "pricing":{"S0":"std"},"max_per_order":8}' | jq .id)
curl -sf -X POST $base/v1/events/$event/publish -H "Authorization: Bearer $key" >/dev/null

# nginx with nchan: a publisher and an EventSource subscriber location on one channel.
nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes $threads;
worker_rlimit_nofile $(ulimit -n);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections $((subscribers + 1000)); }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /pub { nchan_publisher; nchan_channel_id \$arg_id; }
    location = /sub { nchan_subscriber eventsource; nchan_channel_id \$arg_id; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$nginx_port/ && break; sleep 0.1; done

common=(--subscribers "$subscribers" --changes "$changes" --interval-ms "$interval_ms"
        --threads "$load_threads" --marker 'S0-R0-{i}')
echo "== $(nproc) cores (load average $(cut -d" " -f1-3 /proc/loadavg)); $threads server thread(s) / nginx worker(s); $subscribers subscribers;" \
     "$changes changes, one every $interval_ms ms; the tool reads with $load_threads thread(s)"
echo "== boxoffice: holds of one seat each, POST /v1/events/$event/holds"
box_out=$("$load" "${common[@]}" --url $base/v1/events/$event/availability/stream \
  --trigger-url $base/v1/events/$event/holds --body '{"seats":["S0-R0-{i}"]}') || true
echo "$box_out"
# Close boxoffice's streams before nchan's run: both share the machine's two cores.
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

echo "== nginx + nchan: the same delta JSON, POST /pub?id=seats"
nchan_out=$("$load" "${common[@]}" --url "http://127.0.0.1:$nginx_port/sub?id=seats" \
  --trigger-url "http://127.0.0.1:$nginx_port/pub?id=seats" \
  --body '{"changes":[{"seq":{i},"kind":"held","seats":["S0-R0-{i}"]}]}') || true
echo "$nchan_out"

box_p99=$(echo "$box_out" | result p99_ms); nchan_p99=$(echo "$nchan_out" | result p99_ms)
box_complete=$(echo "$box_out" | result complete); nchan_complete=$(echo "$nchan_out" | result complete)
python3 - "$box_p99" "$nchan_p99" "$box_complete" "$nchan_complete" <<'PY'
import sys
box, nchan = (float(x) for x in sys.argv[1:3])
print(f"RESULT boxoffice p99 {box:.1f} ms (every change to {sys.argv[3]} subscribers), "
      f"nchan p99 {nchan:.1f} ms ({sys.argv[4]}): boxoffice/nchan = {box / nchan:.2f}x  "
      f"target: p99 <= 250 ms and <= 1.0x")
PY
