#!/usr/bin/env bash
# The waiting room on one node (embedded mode), in one run on one machine:
#   1. one million people join an event's room (POST /v1/events/{id}/queue, wrk): the node's
#      resident memory before and after, per person (target ≤ 100 bytes, or none);
#   2. status polls (GET .../queue/status?token=, the tokens of 1,000 people in that line in
#      turn) against nginx serving a status answer as a static file, same worker threads, same
#      wrk (target ≥ 1.0×).
# Usage: bench/queue_bench.sh [seconds per polling run, default 10]; PEOPLE (default 1000000),
# THREADS, CONNECTIONS, WRK_THREADS, ROUNDS (default 3) in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
people=${PEOPLE:-1000000}
threads=${THREADS:-1}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-1}

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build build/release --target boxoffice >/dev/null

source bench/common.sh
bench_setup queuebench
pin_cores "$threads" "$wrk_threads"

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
metric() { curl -sf "$base/metrics" | awk -v name="$1" '$1 == name {print $2}'; }

port=$(free_port)
key=bench-key
"${server_pin[@]}" build/release/src/app/boxoffice serve --listen 127.0.0.1:$port --data-dir "$work/data" \
  --admin-key $key --threads "$threads" --log-level warn --no-access-log "${client_limits_off[@]}" \
  >"$work/boxoffice.out" 2>&1 &
box_pid=$!
pids+=($box_pid)
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf $base/healthz >/dev/null && break; sleep 0.1; done

# An event on sale whose room lets one person in a minute: everyone stays in line.
python3 bench/make_venue.py 1 1 10 >"$work/venue.json"
venue=$(curl -sf -X POST $base/v1/venues -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$work/venue.json" | json_field id)
event=$(curl -sf -X POST $base/v1/events -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d '{
  "venue_id":'"$venue"',"name":"Queue Night","performers":["The Lines"],"category":"concert",
  "starts_at":"2099-01-01T20:00:00Z","on_sale_at":"2020-01-01T00:00:00Z",
  "price_levels":[{"id":"std","name":"Standard","price_cents":5000,"currency":"USD"}],
  "pricing":{"S0":"std"},"max_per_order":1,
  "waiting_room":{"enabled":true,"active_limit":1,"admit_per_second":1,"session_seconds":60}}' | json_field id)
curl -sf -X POST $base/v1/events/$event/publish -H "Authorization: Bearer $key" >/dev/null
queue_path=/v1/events/$event/queue

echo "== $(nproc) cores; $threads server thread(s); wrk -t$wrk_threads -c$connections;" \
  "servers pinned: ${server_pin[*]:-no}; wrk pinned: ${client_pin[*]:-no}"
# Warm the node's paths (and its allocator) with a first thousand, then measure the rest.
seq 1000 | xargs -P 8 -I{} curl -sf -o /dev/null -X POST $base$queue_path
rss_before=$(rss_kib $box_pid)
joined_before=$(metric boxoffice_queue_waiting)
start=$(date +%s.%N)
export BENCH_QUEUE_PATH=$queue_path
while (( $(metric boxoffice_queue_waiting) < people )); do
  "${client_pin[@]}" wrk -t"$wrk_threads" -c"$connections" -d2s -s bench/queue_join.lua $base | grep -E 'Non-2xx' || true
done
seconds=$(python3 -c "import time; print(time.time() - $start)")
waiting=$(metric boxoffice_queue_waiting)
rss_after=$(rss_kib $box_pid)
echo "== joined: $waiting people waiting; RSS ${rss_before} KiB before the last $((waiting - joined_before)), ${rss_after} KiB after"

# The tokens of 1,000 people at the back of the line, and a status answer for nginx to serve.
python3 - "$port" "$queue_path" >"$work/tokens" <<'PY'
import http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for _ in range(1000):
    conn.request("POST", sys.argv[2])
    print(json.loads(conn.getresponse().read())["queue_token"])
PY
status_path=$queue_path/status
mkdir -p "$work/www$queue_path"
curl -sf "$base$status_path?token=$(head -1 "$work/tokens")" >"$work/www$status_path"
echo "== a status answer ($(wc -c <"$work/www$status_path") bytes): $(cat "$work/www$status_path")"
start_static_nginx "$work/www" "$threads" "$status_path"

export BENCH_STATUS_PATH=$status_path BENCH_TOKENS=$work/tokens
run_wrk() { "${client_pin[@]}" wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -s bench/queue_status.lua "$@"; }
rps() { awk '/Requests\/sec/ {print $2}'; }
# ROUNDS rounds of (nginx, boxoffice), as in http_bench.sh: the median round's ratio.
pairs=()
for round in $(seq "${ROUNDS:-3}"); do
  echo "== round $round: nginx GET the static status answer, then boxoffice GET $status_path?token=... (1,000 people in turn)"
  nginx_out=$(run_wrk http://127.0.0.1:$nginx_port); echo "$nginx_out" | grep -E 'Requests/sec|Non-2xx'
  box_out=$(run_wrk $base); echo "$box_out" | grep -E 'Requests/sec|Non-2xx'
  if grep -q 'Non-2xx' <<<"$nginx_out$box_out"; then
    echo "queue_bench: some polls were not answered 200: the ratio would compare errors" >&2
    exit 1
  fi
  pairs+=("$(echo "$nginx_out" | rps),$(echo "$box_out" | rps)")
done

python3 - "$waiting" "$joined_before" "$rss_before" "$rss_after" "$seconds" "${pairs[@]}" <<'PY'
import sys
waiting, before, rss_before, rss_after = (int(x) for x in sys.argv[1:5])
seconds = float(sys.argv[5])
pairs = [tuple(float(x) for x in arg.split(",")) for arg in sys.argv[6:]]
people = waiting - before
per_person = max(0, rss_after - rss_before) * 1024 / people
print(f"RESULT {waiting:,} people in line; the last {people:,} joined at {people / seconds:,.0f}/s "
      f"and took {(rss_after - rss_before) / 1024:.1f} MiB = {per_person:.1f} bytes a person  target <= 100")
ratios = [box / nginx for nginx, box in pairs]
middle = sorted(range(len(pairs)), key=lambda i: ratios[i])[len(pairs) // 2]
nginx, box = pairs[middle]
print(f"RESULT status polls: {box:,.0f} req/s = {ratios[middle]:.2f}x nginx ({nginx:,.0f} req/s), "
      f"median of rounds ({', '.join(f'{r:.2f}' for r in ratios)})  target >= 1.0x")
PY
