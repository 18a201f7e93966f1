#!/usr/bin/env bash
# Measures holds through one cluster-mode node against what Redis itself reaches with the same
# hold script, in one run on one machine, and prints the ratio (target ≥ 0.7×):
#   node:       wrk POSTs holds of one seat to `boxoffice serve --postgres --redis`, C
#               connections, each seat once and in order on fresh 200,000-seat events with
#               seats left for the whole run (hold_each_seat.lua): holds granted (201s) a second;
#   yardstick:  redis-benchmark, C connections, EVALSHA of the very script text the node loads
#               (`boxoffice redis-script hold`: prelude + hold) on another event's keys, a random
#               seat of 2^31 (so two calls almost never ask for the same seat) and a random hold
#               id per call: calls a second, nearly all of them holds made ('ok').
# For each node thread count in THREADS_LIST, ROUNDS pairs of runs: the node on fresh events, then
# the yardstick on fresh keys, so each pair sees the same machine; the median of the pairs' ratios
# is the result. Holds last an hour: none expires during a run. Both sides must make holds: the
# script stops (exit 1) when more than 0.1% of the node's answers are not 201, or of the
# yardstick's calls not 'ok' (a refusal, 409 or 'taken', costs Redis a fraction of a hold).
# Each run also prints the CPU seconds of every process in it and of everything else on the
# machine meanwhile (other work skews a pair; the median of several pairs less so).
# Usage: bench/redis_hold_bench.sh [seconds per run, default 10]
#   THREADS_LIST (default "1 2"), ROUNDS (default 3), CONNECTIONS (default 64), WRK_THREADS
#   (default 1), HOLD_RATE_MAX (holds/s no node run reaches, default 150000: each run's events
#   have a seat for each hold at that rate).
# Everything runs on loopback from temporary folders, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
threads_list=${THREADS_LIST:-1 2}
rounds=${ROUNDS:-3}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-1}
# 200,000 seats a venue (the most a layout may have, layout_seats_max in src/core/catalog.hpp),
# and enough fresh events per node run for HOLD_RATE_MAX holds a second over the whole run.
export BENCH_SECTIONS=100 BENCH_ROWS=40 BENCH_SEATS=50
seats_total=$((BENCH_SECTIONS * BENCH_ROWS * BENCH_SEATS))
hold_rate_max=${HOLD_RATE_MAX:-150000}
events_per_run=$(((hold_rate_max * duration + seats_total - 1) / seats_total))
# The yardstick's seats: random in [0, 2^31 - 1) (redis-benchmark draws with random()), where
# a run of a million calls repeats a seat about 230 times (0.02%).
yardstick_seats=2147483647

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build build/release --target boxoffice >/dev/null
boxoffice=build/release/src/app/boxoffice

work=$(mktemp -d /tmp/boxoffice-redis-bench.XXXXXX)
node_pid=
cleanup() {
  if [[ -n $node_pid ]]; then
    kill "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  tests/support/redis.sh stop "$work/redis" || true
  tests/support/postgres.sh stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
json_id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
# CPU seconds (user + system) a process has used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / hz}' "/proc/$1/stat"; }
# CPU seconds the whole machine has been busy (not idle, not waiting for I/O).
busy() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / {printf "%.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / hz}' \
    /proc/stat
}
calc() { python3 -c "print(f'{$1:.2f}')"; }

postgres_url=$(tests/support/postgres.sh start "$work/pg")
redis_url=$(tests/support/redis.sh start "$work/redis")
redis_port=${redis_url##*:}
redis_pid=$(cat "$(cat "$work/redis.dir")/redis.pid")
rcli() { redis-cli -p "$redis_port" "$@"; }

key=bench-key
port=$(free_port)
base=http://127.0.0.1:$port
auth=(-H "Authorization: Bearer $key" -H 'Content-Type: application/json')

start_node() {  # threads
  "$boxoffice" serve --listen 127.0.0.1:$port --data-dir "$work/data" --admin-key $key \
    --postgres "$postgres_url" --redis "$redis_url" --threads "$1" --log-level warn \
    --no-access-log --rate-limit all=off --connections-per-client 0 >>"$work/boxoffice.out" 2>&1 &
  node_pid=$!
  for _ in $(seq 200); do curl -sf $base/readyz >/dev/null && return 0; sleep 0.1; done
  echo "boxoffice did not become ready:" >&2
  cat "$work/boxoffice.out" >&2
  return 1
}
stop_node() { kill "$node_pid"; wait "$node_pid" || true; node_pid=; }

new_event() {  # prints the id of a published event of the stadium, holds lasting an hour
  curl -sf -X POST $base/v1/events "${auth[@]}" -d '{
    "venue_id":'"$venue"',"name":"Benchmark Night","performers":["The Loads"],"category":"concert",
    "starts_at":"2099-01-01T20:00:00Z","on_sale_at":"2020-01-01T00:00:00Z",
    "price_levels":[{"id":"std","name":"Standard","price_cents":5000,"currency":"USD"}],
    "pricing":'"$pricing"',"max_per_order":8,"hold_seconds":3600}' | json_id
}

# The yardstick's event: keys no node knows (so no node follows its change stream and takes CPU
# from Redis), marked loaded as the node's load script would mark them, its sequence starting
# at an epoch like a real event's.
yardstick_keys() {  # event
  local name
  for name in seats ga expiry seq changes loaded; do echo "{ev:$1}:$name"; done
}

# One yardstick run on event `event` (keys no node knows; scratch keys `event + 1` size it):
# a short run sizes the real one to about `duration` seconds (redis-benchmark counts requests,
# not seconds). Sets yardstick_rps, ok_share and yardstick_us (CPU µs per request: all, redis,
# redis-benchmark), prints what it saw.
yardstick_run() {  # event
  local event=$1 now expires keys n start_seq end_seq redis0 busy0 t0 t1 seconds redis_cpu \
    bench_cpu others e
  now=$(date +%s%3N)
  expires=$((now + 3600 * 1000))
  bench() {  # requests
    redis-benchmark -p "$redis_port" -c "$connections" -n "$1" -r "$yardstick_seats" --csv \
      EVALSHA "$sha" 6 "${keys[@]}" "$now" "$expires" h__rand_int____rand_int__ __rand_int__ '' 0 0
  }
  for e in $((event + 1)) "$event"; do
    rcli SET "{ev:$e}:loaded" 1 >/dev/null
    rcli SET "{ev:$e}:seq" $((1 << 32)) >/dev/null  # as an event loaded in epoch 1 starts
  done
  mapfile -t keys < <(yardstick_keys $((event + 1)))
  n=$(bench $((connections * 100)) | awk -F'"' 'NR == 2 {printf "%d\n", $4 * '"$duration"'}')
  mapfile -t keys < <(yardstick_keys "$event")
  start_seq=$(rcli GET "{ev:$event}:seq")
  redis0=$(cpu_of "$redis_pid")
  busy0=$(busy)
  t0=$(date +%s.%N)
  TIMEFORMAT='%U %S'
  { time bench "$n" >"$work/yardstick.csv" 2>"$work/yardstick.err"; } 2>"$work/yardstick.time"
  t1=$(date +%s.%N)
  redis_cpu=$(calc "$(cpu_of "$redis_pid") - $redis0")
  bench_cpu=$(awk '{print $1 + $2}' "$work/yardstick.time")
  others=$(calc "$(busy) - $busy0 - $redis_cpu - $bench_cpu")
  yardstick_rps=$(awk -F'"' 'NR == 2 {print $4}' "$work/yardstick.csv")
  if [[ -z $yardstick_rps || -s $work/yardstick.err ]]; then
    echo "redis-benchmark failed:" >&2
    cat "$work/yardstick.csv" "$work/yardstick.err" >&2
    return 1
  fi
  end_seq=$(rcli GET "{ev:$event}:seq")  # one INCR per hold made
  ok_share=$(calc "100 * ($end_seq - $start_seq) / $n")
  if (((end_seq - start_seq) * 1000 < n * 999)); then
    echo "redis-benchmark made $((end_seq - start_seq)) holds in $n calls: more than 0.1% were" \
      "refused, so its rate would not be holds made" >&2
    return 1
  fi
  seconds=$(calc "$t1 - $t0")
  yardstick_us="$(calc "1e6 * ($redis_cpu + $bench_cpu) / $n"),$(calc "1e6 * $redis_cpu / $n")"
  yardstick_us+=",$(calc "1e6 * $bench_cpu / $n")"
  printf '   yardstick: %8.0f/s over %5.2fs, ok %4.1f%%;' "$yardstick_rps" "$seconds" "$ok_share"
  echo " CPU µs per request ${yardstick_us//,/ } (all, redis, redis-benchmark);" \
    "others used $others CPU s"
}

# One node run on fresh events, opened (GET availability loads them into Redis) before the
# clock starts. Sets node_rps (holds granted a second), created (the share of 201s) and node_us
# (CPU µs per request: all, node, redis, wrk), prints what it saw.
node_run() {
  local event node0 redis0 busy0 node_cpu redis_cpu wrk_cpu others requests paths=() granted \
    refused other socket_errors not_granted
  for _ in $(seq "$events_per_run"); do
    event=$(new_event)
    curl -sf -X POST $base/v1/events/$event/publish "${auth[@]}" >/dev/null
    curl -sf -o /dev/null $base/v1/events/$event/availability
    paths+=("/v1/events/$event/holds")
  done
  export BENCH_HOLD_PATH="${paths[*]}" BENCH_WRK_THREADS=$wrk_threads
  node0=$(cpu_of "$node_pid")
  redis0=$(cpu_of "$redis_pid")
  busy0=$(busy)
  TIMEFORMAT='%U %S'
  { time wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" \
      -s bench/hold_each_seat.lua $base >"$work/wrk.out"; } 2>"$work/wrk.time"
  node_cpu=$(calc "$(cpu_of "$node_pid") - $node0")
  redis_cpu=$(calc "$(cpu_of "$redis_pid") - $redis0")
  wrk_cpu=$(awk '{print $1 + $2}' "$work/wrk.time")
  others=$(calc "$(busy) - $busy0 - $node_cpu - $redis_cpu - $wrk_cpu")
  # "holds: N granted in S s = R/s; refused (409): X; other answers: O; socket errors: E; ..."
  read -r granted node_rps refused other socket_errors < <(sed -nE 's/^holds: ([0-9]+) granted in [0-9.]+ s = ([0-9]+)\/s; refused \(409\): ([0-9]+); other answers: ([0-9]+); socket errors: ([0-9]+);.*/\1 \2 \3 \4 \5/p' "$work/wrk.out") || true
  if [[ -z ${socket_errors:-} ]]; then
    echo "wrk failed:" >&2
    cat "$work/wrk.out" >&2
    return 1
  fi
  if grep -q '^ran out of seats' "$work/wrk.out"; then
    echo "the node's holds ran out of seats before the run's end, so their rate is too low:" \
      "raise HOLD_RATE_MAX (now $hold_rate_max)" >&2
    return 1
  fi
  not_granted=$((refused + other + socket_errors))
  if ((not_granted * 1000 > granted + not_granted)); then
    echo "$not_granted of $((granted + not_granted)) hold requests to the node were not granted" \
      "(409: $refused, other answers: $other, socket errors: $socket_errors), more than 0.1%:" \
      "the figure would not be holds granted" >&2
    cat "$work/wrk.out" >&2
    return 1
  fi
  created=$(calc "100 * $granted / ($granted + $not_granted)")
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  node_us="$(calc "1e6 * ($node_cpu + $redis_cpu + $wrk_cpu) / $requests")"
  node_us+=",$(calc "1e6 * $node_cpu / $requests"),$(calc "1e6 * $redis_cpu / $requests")"
  node_us+=",$(calc "1e6 * $wrk_cpu / $requests")"
  printf '   node:      %8.0f/s over %5.2fs, 201 %4.1f%%;' "$node_rps" "$duration" "$created"
  echo " CPU µs per request ${node_us//,/ } (all, node, redis, wrk); others used $others CPU s"
}

sha=$("$boxoffice" redis-script hold | sha1sum | cut -d' ' -f1)
echo "== $(nproc) cores, shared: the node, Redis and wrk (or Redis and redis-benchmark) compete" \
  "for them; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== node: wrk -t$wrk_threads -c$connections -d${duration}s, POST /v1/events/{id}/holds of" \
  "one seat, each seat once, on $events_per_run fresh event(s) of $seats_total seats a run (room" \
  "for $hold_rate_max holds/s); yardstick: redis-benchmark -c$connections (one thread)" \
  "EVALSHA $sha, a random seat of $yardstick_seats"

results=()
venue=
yardstick_event=1000000000  # far above any event id the catalog hands out
for threads in $threads_list; do
  start_node "$threads"
  if [[ -z $venue ]]; then
    python3 bench/make_venue.py $BENCH_SECTIONS $BENCH_ROWS $BENCH_SEATS >"$work/venue.json"
    venue=$(curl -sf -X POST $base/v1/venues "${auth[@]}" --data-binary @"$work/venue.json" |
      json_id)
    pricing=$(python3 -c \
      "import json; print(json.dumps({f'S{s}': 'std' for s in range($BENCH_SECTIONS)}))")
  fi
  echo "== node with $threads thread(s), $rounds round(s)"
  pairs=()
  for round in $(seq "$rounds"); do
    node_run
    if [[ ${#results[@]} -eq 0 && $round -eq 1 ]]; then
      # The node has run its hold script: Redis knows it under the sha of what redis-script
      # prints, so the yardstick runs the very same text.
      if [[ $(rcli SCRIPT EXISTS "$sha") != 1 ]]; then
        echo "the node's hold script is not the text of \`boxoffice redis-script hold\`" >&2
        exit 1
      fi
      loaded=$("$boxoffice" redis-script hold | rcli -x SCRIPT LOAD)
      [[ $loaded == "$sha" ]] || { echo "SCRIPT LOAD answered $loaded, not $sha" >&2; exit 1; }
    fi
    yardstick_run $yardstick_event
    yardstick_event=$((yardstick_event + 2))
    pairs+=("$node_rps,$created,$yardstick_rps,$ok_share,$node_us,$yardstick_us")
  done
  stop_node
  results+=("$threads ${pairs[*]}")
done

for result in "${results[@]}"; do
  python3 - "$(nproc)" "$wrk_threads" $result <<'PY'
import statistics, sys
cores, wrk_threads, threads = (int(x) for x in sys.argv[1:4])
pairs = [[float(x) for x in p.split(",")] for p in sys.argv[4:]]
ratios = [p[0] / p[2] for p in pairs]
median = statistics.median(ratios)
node, created, bench, ok = min(pairs, key=lambda p: abs(p[0] / p[2] - median))[:4]
print(f"RESULT holds granted through one node, {threads} thread(s): median of {len(pairs)} pairs "
      f"{median:.2f}x redis-benchmark EVALSHA (pairs: {', '.join(f'{r:.2f}' for r in ratios)}); "
      f"median pair {node:,.0f}/s (201: {created:.1f}%) vs {bench:,.0f}/s (ok: {ok:.1f}%)  "
      f"target >= 0.7x")
# What the CPU each request costs allows on these cores with nothing else running: all
# processes together within the cores, each within its own threads.
us = [statistics.median(p[i] for p in pairs) for i in range(4, 11)]
node_all, node_node, node_redis, node_wrk, bench_all, bench_redis, bench_tool = us
node_cap = 1e6 * min(cores / node_all, threads / node_node, 1 / node_redis, wrk_threads / node_wrk)
bench_cap = 1e6 * min(cores / bench_all, 1 / bench_redis, 1 / bench_tool)
print(f"  CPU-bound estimate, {cores} cores to ourselves: node <= {node_cap:,.0f}/s "
      f"({node_all:.1f} us of CPU per hold), yardstick <= {bench_cap:,.0f}/s ({bench_all:.1f} us; "
      f"redis {bench_redis:.1f} us) = {node_cap / bench_cap:.2f}x")
PY
done
