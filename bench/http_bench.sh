#!/usr/bin/env bash
# Measures boxoffice's HTTP path against nginx serving the same bytes as a static file, in one
# run on one machine, with the same number of worker threads, and prints the ratios.
#   1. hot GET /v1/events/{id}      vs nginx GET of that JSON   (target ≥ 1.0×)
#   2. holds granted: POST /v1/events/{id}/holds of one seat, each seat once and in order, on
#      fresh events with seats left for the whole run, 201s a second vs nginx answering GETs of
#      that JSON driven by the same wrk script (bench/hold_each_seat.lua, which costs wrk more
#      than a plain GET does: on 2 cores wrk is a bottleneck, and both sides get the same one)
#      (≥ 0.7×). Stops (exit 1) when more than 0.1% of the answers are not 201.
# Each run also prints the server's CPU time per answer (boxoffice's, or nginx's workers'), the
# cost that the load tool's own limits cannot hide.
# Usage: bench/http_bench.sh [seconds per run, default 5]; THREADS, CONNECTIONS, WRK_THREADS,
# ROUNDS (default 7), HOLD_RATE_MAX (holds/s no run can reach, default 150000: each round's
# events have seats for that rate over the whole run) in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-5}
threads=${THREADS:-1}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-1}
# 200,000 seats a venue (the most a layout may have, layout_seats_max in src/core/catalog.hpp).
export BENCH_SECTIONS=100 BENCH_ROWS=40 BENCH_SEATS=50
seats=$((BENCH_SECTIONS * BENCH_ROWS * BENCH_SEATS))
# Each round holds on fresh events of that venue, each seat once: enough events for the rate no
# run on these machines comes near (nginx serving a small static file, the yardstick itself,
# does ~140,000 req/s with one worker) over the whole run. A run that holds them all anyway
# stops early and fails (its rate would be too low).
hold_rate_max=${HOLD_RATE_MAX:-150000}
events_per_round=$(((hold_rate_max * duration + seats - 1) / seats))

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build build/release --target boxoffice >/dev/null

source bench/common.sh
bench_setup bench
pin_cores "$threads" "$wrk_threads"


# boxoffice, with the stadium and an event on sale (the one the GETs read; holds go to others).
port=$(free_port)
key=bench-key
"${server_pin[@]}" build/release/src/app/boxoffice serve --listen 127.0.0.1:$port --data-dir "$work/data" \
  --admin-key $key --threads "$threads" --log-level warn --no-access-log "${client_limits_off[@]}" \
  >"$work/boxoffice.out" 2>&1 &
box_pid=$!
pids+=($box_pid)
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:$port
json_id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
python3 bench/make_venue.py $BENCH_SECTIONS $BENCH_ROWS $BENCH_SEATS >"$work/venue.json"
venue=$(curl -sf -X POST $base/v1/venues -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$work/venue.json" | json_id)
pricing=$(python3 -c "import json; print(json.dumps({f'S{s}': 'std' for s in range($BENCH_SECTIONS)}))")
# new_event NAME: prints the id of a new published event of the stadium, its holds lasting an
# hour (none expires during a benchmark, so no expiry work runs in a later round).
new_event() {
  local id
  id=$(curl -sf -X POST $base/v1/events -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d '{
    "venue_id":'"$venue"',"name":"'"$1"'","performers":["The Loads"],"category":"concert",
    "starts_at":"2099-01-01T20:00:00Z","on_sale_at":"2020-01-01T00:00:00Z",
    "price_levels":[{"id":"std","name":"Standard","price_cents":5000,"currency":"USD"}],
    "pricing":'"$pricing"',"max_per_order":8,"hold_seconds":3600}' | json_id)
  curl -sf -X POST $base/v1/events/$id/publish -H "Authorization: Bearer $key" >/dev/null
  echo "$id"
}
event=$(new_event "Benchmark Night")

# nginx, serving the same event JSON as a static file.
mkdir -p "$work/www/v1/events"
curl -sf $base/v1/events/$event >"$work/www/v1/events/$event"
start_static_nginx "$work/www" "$threads" /v1/events/$event
nginx_pid=${pids[-1]}

rps() { awk '/Requests\/sec/ {print $2}'; }
cpu_us() { sed -nE 's/^server: ([0-9.]+) us.*/\1/p'; }  # from measured's line
# measured PID CMD...: runs CMD, then prints the CPU time PID (and its children) used meanwhile
# per answer wrk counted: "server: N us of CPU per answer".
measured() {
  local pid=$1 before after out answers
  shift
  before=$(python3 bench/cpu_seconds.py "$pid")
  out=$("$@")
  after=$(python3 bench/cpu_seconds.py "$pid")
  answers=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$out"
  python3 -c "print(f'server: {($after - $before) * 1e6 / $answers:.1f} us of CPU per answer')"
}
run_wrk() { "${client_pin[@]}" wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency "$@"; }
export BENCH_WRK_THREADS=$wrk_threads

# ROUNDS rounds of (nginx GET, GET, nginx with the holds' script, holds): this machine's speed
# drifts from one run to the next, and within a minute by up to 2×, so each round's ratios come
# from runs seconds apart, and the median of many short rounds is the figure.
rounds=${ROUNDS:-7}
echo "== $(nproc) cores; $threads server thread(s) each; wrk -t$wrk_threads -c$connections -d${duration}s; $rounds rounds;" \
  "servers pinned: ${server_pin[*]:-no}; wrk pinned: ${client_pin[*]:-no}"
echo "== holds: each round on $events_per_round fresh event(s) of $seats seats, each seat held once, in" \
  "order: $((events_per_round * seats)) seats, room for $hold_rate_max holds/s over ${duration}s"
figures=()
for round in $(seq "$rounds"); do
  # This round's events, opened for booking (GET availability) before the clock starts.
  hold_events=() hold_paths=()
  for _ in $(seq "$events_per_round"); do
    id=$(new_event "Benchmark Holds")
    curl -sf -o /dev/null $base/v1/events/$id/availability
    hold_events+=("$id") hold_paths+=("/v1/events/$id/holds")
  done
  export BENCH_HOLD_PATH="${hold_paths[*]}"
  echo "== round $round: nginx GET static event JSON ($(wc -c <"$work/www/v1/events/$event") bytes)," \
    "boxoffice GET /v1/events/$event, boxoffice POST holds of one seat each on fresh events" \
    "${hold_events[*]}"
  nginx_out=$(measured "$nginx_pid" run_wrk http://127.0.0.1:$nginx_port/v1/events/$event)
  echo "$nginx_out" | grep -E 'Requests/sec|Non-2xx|^server'
  get_out=$(measured "$box_pid" run_wrk $base/v1/events/$event)
  echo "$get_out" | grep -E 'Requests/sec|Non-2xx|^server'
  nginx_seats_out=$(BENCH_YARDSTICK_PATH=/v1/events/$event measured "$nginx_pid" \
    run_wrk -s bench/hold_each_seat.lua http://127.0.0.1:$nginx_port)
  echo "$nginx_seats_out" | grep -E '^holds:|^server' | sed 's/^holds:/nginx, same script:/'
  hold_out=$(measured "$box_pid" run_wrk -s bench/hold_each_seat.lua $base)
  echo "$hold_out" | grep -E '^holds:|^ran out|^server'
  if grep -q 'Non-2xx' <<<"$nginx_out$get_out"; then
    echo "http_bench: some GETs were not answered 200: the ratio would compare errors" >&2
    exit 1
  fi
  # "holds: N granted in S s = R/s; refused (409): X; other answers: O; socket errors: E; ..."
  granted= granted_rps= refused= other= socket_errors=
  read -r granted granted_rps refused other socket_errors < <(sed -nE 's/^holds: ([0-9]+) granted in [0-9.]+ s = ([0-9]+)\/s; refused \(409\): ([0-9]+); other answers: ([0-9]+); socket errors: ([0-9]+);.*/\1 \2 \3 \4 \5/p' <<<"$hold_out") || true
  if [[ -z ${socket_errors:-} ]]; then
    echo "http_bench: no count of the holds from wrk:" >&2
    echo "$hold_out" >&2
    exit 1
  fi
  if grep -q '^ran out of seats' <<<"$hold_out"; then
    echo "http_bench: the holds ran out of seats before the run's end, so their rate is too low:" \
      "raise HOLD_RATE_MAX (now $hold_rate_max)" >&2
    exit 1
  fi
  not_granted=$((refused + other + socket_errors))
  if ((not_granted * 1000 > granted + not_granted)); then
    echo "http_bench: $not_granted of $((granted + not_granted)) hold requests were not granted" \
      "(409: $refused, other answers: $other, socket errors: $socket_errors), more than 0.1%:" \
      "the figure would not be holds granted" >&2
    exit 1
  fi
  seats_rps=$(sed -nE 's/^holds: [0-9]+ granted in [0-9.]+ s = ([0-9]+)\/s.*/\1/p' <<<"$nginx_seats_out")
  figures+=("$(rps <<<"$nginx_out"),$(rps <<<"$get_out"),$seats_rps,$granted_rps,$(cpu_us <<<"$nginx_out"),$(cpu_us <<<"$get_out"),$(cpu_us <<<"$nginx_seats_out"),$(cpu_us <<<"$hold_out")")
done

# Each row: the median round's rate against its nginx run, and the server's CPU time per answer
# against nginx's (a ratio above 1 means boxoffice spends more).
python3 - "${figures[@]}" <<'PY'
import sys
rounds = [tuple(float(x) for x in arg.split(",")) for arg in sys.argv[1:]]
for name, column, yardstick, target, unit in (
        ("hot GET /v1/events/{id}", 1, 0, 1.0, "req/s"),
        ("single-seat holds granted", 3, 2, 0.7, "holds/s (201s)")):
    ratios = [r[column] / r[yardstick] for r in rounds]
    middle = sorted(range(len(rounds)), key=lambda i: ratios[i])[len(rounds) // 2]
    r = rounds[middle]
    each = ", ".join(f"{x:.2f}" for x in ratios)
    print(f"RESULT {name}: {r[column]:,.0f} {unit} = {ratios[middle]:.2f}x nginx "
          f"({r[yardstick]:,.0f} req/s), median of rounds ({each})  target >= {target}x; "
          f"server CPU {r[column + 4]:.1f} us per answer vs nginx {r[yardstick + 4]:.1f} us")
PY
