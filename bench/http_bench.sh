#!/usr/bin/env bash
# Measures boxoffice's HTTP path against nginx serving the same bytes as a static file, in one
# run on one machine, with the same number of worker threads, and prints the ratios.
#   1. hot GET /v1/events/{id}      vs nginx GET of that JSON   (target ≥ 1.0×)
#   2. POST a hold of one random seat of a 100,000-seat event vs the same nginx figure (≥ 0.7×)
# Usage: bench/http_bench.sh [seconds per run, default 10]; THREADS, CONNECTIONS, WRK_THREADS,
# ROUNDS (default 3) in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
threads=${THREADS:-1}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-1}
export BENCH_SECTIONS=100 BENCH_ROWS=20 BENCH_SEATS=50  # 100,000 seats

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build build/release --target boxoffice >/dev/null

source bench/common.sh
bench_setup bench


# boxoffice, with the stadium and an event on sale.
port=$(free_port)
key=bench-key
build/release/src/app/boxoffice serve --listen 127.0.0.1:$port --data-dir "$work/data" \
  --admin-key $key --threads "$threads" --log-level warn --no-access-log >"$work/boxoffice.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:$port
python3 bench/make_venue.py $BENCH_SECTIONS $BENCH_ROWS $BENCH_SEATS >"$work/venue.json"
venue=$(curl -sf -X POST $base/v1/venues -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$work/venue.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
pricing=$(python3 -c "import json; print(json.dumps({f'S{s}': 'std' for s in range($BENCH_SECTIONS)}))")
event=$(curl -sf -X POST $base/v1/events -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d '{
  "venue_id":'"$venue"',"name":"Benchmark Night","performers":["The Loads"],"category":"concert",
  "starts_at":"2099-01-01T20:00:00Z","on_sale_at":"2020-01-01T00:00:00Z",
  "price_levels":[{"id":"std","name":"Standard","price_cents":5000,"currency":"USD"}],
  "pricing":'"$pricing"',"max_per_order":8}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf -X POST $base/v1/events/$event/publish -H "Authorization: Bearer $key" >/dev/null

# nginx, serving the same event JSON as a static file.
mkdir -p "$work/www/v1/events"
curl -sf $base/v1/events/$event >"$work/www/v1/events/$event"
start_static_nginx "$work/www" "$threads" /v1/events/$event

rps() { awk '/Requests\/sec/ {print $2}'; }
run_wrk() { wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency "$@"; }

# ROUNDS rounds of (nginx, GET, holds): this machine's speed drifts from one run to the next,
# so each round's ratios come from runs seconds apart, and the median round is the figure.
rounds=${ROUNDS:-3}
echo "== $(nproc) cores; $threads server thread(s) each; wrk -t$wrk_threads -c$connections -d${duration}s; $rounds rounds"
export BENCH_HOLD_PATH=/v1/events/$event/holds
figures=()
for round in $(seq "$rounds"); do
  echo "== round $round: nginx GET static event JSON ($(wc -c <"$work/www/v1/events/$event") bytes), boxoffice GET /v1/events/$event, boxoffice POST holds of one random seat of 100,000"
  nginx_out=$(run_wrk http://127.0.0.1:$nginx_port/v1/events/$event); echo "$nginx_out" | grep -E 'Requests/sec|Non-2xx'
  get_out=$(run_wrk $base/v1/events/$event); echo "$get_out" | grep -E 'Requests/sec|Non-2xx'
  hold_out=$(run_wrk -s bench/hold_random_seat.lua $base); echo "$hold_out" | grep -E 'Requests/sec|answers'
  if grep -q 'Non-2xx' <<<"$nginx_out$get_out"; then
    echo "http_bench: some GETs were not answered 200: the ratio would compare errors" >&2
    exit 1
  fi
  figures+=("$(echo "$nginx_out" | rps),$(echo "$get_out" | rps),$(echo "$hold_out" | rps)")
done

python3 - "${figures[@]}" <<'PY'
import statistics, sys
rounds = [tuple(float(x) for x in arg.split(",")) for arg in sys.argv[1:]]
for name, column, target in (("hot GET /v1/events/{id}", 1, 1.0), ("single-seat holds", 2, 0.7)):
    ratios = [r[column] / r[0] for r in rounds]
    middle = sorted(range(len(rounds)), key=lambda i: ratios[i])[len(rounds) // 2]
    each = ", ".join(f"{x:.2f}" for x in ratios)
    print(f"RESULT {name}: {rounds[middle][column]:,.0f} req/s = {ratios[middle]:.2f}x nginx "
          f"({rounds[middle][0]:,.0f} req/s), median of rounds ({each})  target >= {target}x")
PY
