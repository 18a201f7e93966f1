#!/usr/bin/env bash
# Measures checkouts against PostgreSQL: boxoffice's whole checkout over HTTP (pin the hold,
# authorise the test card, commit the order, capture) against pgbench running the textbook
# per-order transaction straight on the database (lock the seat with SELECT ... FOR UPDATE,
# insert the order and its ticket, mark the seat sold), at the same concurrency, in one run
# on one machine, against one throwaway PostgreSQL 15 with synchronous_commit on, and prints
# the ratio (target ≥ 2.0×, from group commit; see src/stores/postgres/store.hpp). It also
# prints the CPU time each side spent per order (PostgreSQL, and pgbench or boxoffice and
# wrk), which moves less than the rates when something else runs on the machine.
# Usage: bench/checkout_bench.sh [seconds per run, default 10]; CONNECTIONS (the concurrency,
# default 64), THREADS (boxoffice's, default 2), WRK_THREADS (wrk's and pgbench's, default 1)
# in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
wrk_threads=${WRK_THREADS:-1}
# 200,000 seats: each checkout needs a hold of its own, made beforehand.
export BENCH_SECTIONS=${BENCH_SECTIONS:-100} BENCH_ROWS=${BENCH_ROWS:-40} BENCH_SEATS=${BENCH_SEATS:-50}
seats=$((BENCH_SECTIONS * BENCH_ROWS * BENCH_SEATS))

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build build/release --target boxoffice >/dev/null

source bench/common.sh
bench_cleanup_extra() { tests/support/postgres.sh stop "$work/postgres.url"; }
bench_setup checkout-bench

tests/support/postgres.sh start "$work/postgres.url" >/dev/null
admin_url=$(cat "$work/postgres.url")
server_url=${admin_url%/*}
psql -q "$admin_url" -c 'CREATE DATABASE textbook' -c 'CREATE DATABASE boxoffice'
echo "== PostgreSQL 15: synchronous_commit=$(psql -At "$admin_url" -c 'SHOW synchronous_commit')," \
  "fsync=$(psql -At "$admin_url" -c 'SHOW fsync'); $(nproc) cores; concurrency $connections;" \
  "${duration}s per run"

# CPU seconds used so far by PostgreSQL (the postmaster and every backend, live or ended).
postmaster=$(head -1 "$(cat "$work/postgres.url.dir")/data/postmaster.pid")
postgres_cpu() { python3 bench/cpu_seconds.py "$postmaster"; }
# CPU per order in µs: per_order SECONDS_BEFORE SECONDS_AFTER ORDERS
per_order() {
  python3 -c "import sys; b, a, n = sys.argv[1:]; print(round((float(a) - float(b)) / int(n) * 1e6))" "$@"
}

# (a) pgbench: the textbook transaction, one per order.
psql -q "$server_url/textbook" -v seats=$seats -f bench/checkout_textbook_schema.sql
psql -q "$server_url/textbook" -c CHECKPOINT
echo "== pgbench -M prepared -c $connections -j $wrk_threads: textbook checkout transaction"
postgres_before=$(postgres_cpu)
pgbench_out=$(python3 bench/cpu_seconds.py --run pgbench -n -M prepared -c "$connections" \
  -j "$wrk_threads" -T "$duration" -D n=0 -D clients="$connections" \
  -f bench/checkout_textbook.sql "$server_url/textbook" 2>&1)
postgres_after=$(postgres_cpu)
echo "$pgbench_out" | grep -E 'processed|failed|latency average|^tps'
pgbench_tps=$(echo "$pgbench_out" | awk '/^tps/ {print $3}')
pgbench_orders=$(echo "$pgbench_out" | awk '/processed:/ {print $NF}')
pgbench_postgres_us=$(per_order "$postgres_before" "$postgres_after" "$pgbench_orders")
pgbench_client_us=$(per_order 0 "$(echo "$pgbench_out" | awk '/^cpu_seconds:/ {print $2}')" "$pgbench_orders")
echo "   CPU per order: PostgreSQL ${pgbench_postgres_us} us, pgbench ${pgbench_client_us} us"
pgbench_check=$(psql -At "$server_url/textbook" \
  -c "SELECT (SELECT count(*) FROM orders) || ' orders, ' || (SELECT count(*) FROM seats WHERE order_id IS NOT NULL) || ' seats sold'")
echo "   database afterwards: $pgbench_check"
# Each client sells seats client + clients × n of the table: one that runs past its end still
# commits an order, but locks and sells no seat, a cheaper transaction than a sale.
if [[ $(psql -At "$server_url/textbook" -c "SELECT (SELECT count(*) FROM orders) = (SELECT count(*) FROM seats WHERE order_id IS NOT NULL)") != t ]]; then
  echo "checkout_bench: pgbench ran out of seats ($seats): some of its transactions sold none," \
    "so its rate is not orders: shorten the run" >&2
  exit 1
fi

# (b) boxoffice on PostgreSQL: an event of $seats seats, every seat held beforehand, then
# one checkout per hold.
port=$(free_port)
key=bench-key
build/release/src/app/boxoffice serve --listen 127.0.0.1:$port --data-dir "$work/data" \
  --postgres "$server_url/boxoffice" --admin-key $key --threads "$threads" \
  --log-level warn --no-access-log "${client_limits_off[@]}" >"$work/boxoffice.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:$port
python3 bench/make_venue.py "$BENCH_SECTIONS" "$BENCH_ROWS" "$BENCH_SEATS" >"$work/venue.json"
venue=$(curl -sf -X POST $base/v1/venues -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$work/venue.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
pricing=$(python3 -c "import json; print(json.dumps({f'S{s}': 'std' for s in range($BENCH_SECTIONS)}))")
event=$(curl -sf -X POST $base/v1/events -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d '{
  "venue_id":'"$venue"',"name":"Checkout Night","performers":["The Loads"],"category":"concert",
  "starts_at":"2099-01-01T20:00:00Z","on_sale_at":"2020-01-01T00:00:00Z",
  "price_levels":[{"id":"std","name":"Standard","price_cents":5000,"currency":"USD"}],
  "pricing":'"$pricing"',"max_per_order":1,"hold_seconds":3600}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf -X POST $base/v1/events/$event/publish -H "Authorization: Bearer $key" >/dev/null

export BENCH_HOLD_PATH=/v1/events/$event/holds BENCH_HOLDS_DIR=$work/holds BENCH_WRK_THREADS=$wrk_threads
mkdir -p "$BENCH_HOLDS_DIR"
# wrk runs for its whole -d even when every thread has stopped: interrupted once the hold
# count stops growing.
wrk -t"$wrk_threads" -c"$connections" -d600s -s bench/hold_each_seat.lua $base >/dev/null &
holds_pid=$!
count_holds() { cat "$BENCH_HOLDS_DIR"/holds-*.txt 2>/dev/null | wc -l; }
holds=0
for _ in $(seq 600); do
  sleep 1
  now=$(count_holds)
  [[ $now -gt 0 && $now -eq $holds ]] && break
  holds=$now
done
kill -INT $holds_pid
wait $holds_pid || true
echo "== boxoffice serve --postgres, $threads thread(s): $holds one-seat holds made beforehand"
psql -q "$server_url/boxoffice" -c CHECKPOINT
echo "== boxoffice: POST /v1/holds/{id}/checkout, wrk -t$wrk_threads -c$connections"
postgres_before=$(postgres_cpu)
boxoffice_before=$(python3 bench/cpu_seconds.py "${pids[0]}")
checkout_out=$(python3 bench/cpu_seconds.py --run wrk -t"$wrk_threads" -c"$connections" \
  -d"${duration}s" --latency -s bench/checkout_holds.lua $base 2>&1)
postgres_after=$(postgres_cpu)
boxoffice_after=$(python3 bench/cpu_seconds.py "${pids[0]}")
echo "$checkout_out" | grep -E 'Latency  |checkouts:|WARNING'
checkout_rate=$(echo "$checkout_out" | sed -nE 's/.* = ([0-9]+)\/s.*/\1/p')
checkouts=$(echo "$checkout_out" | sed -nE 's/checkouts: ([0-9]+) answered.*/\1/p')
box_postgres_us=$(per_order "$postgres_before" "$postgres_after" "$checkouts")
boxoffice_us=$(per_order "$boxoffice_before" "$boxoffice_after" "$checkouts")
wrk_us=$(per_order 0 "$(echo "$checkout_out" | awk '/^cpu_seconds:/ {print $2}')" "$checkouts")
echo "   CPU per order: PostgreSQL ${box_postgres_us} us, boxoffice ${boxoffice_us} us, wrk ${wrk_us} us"
box_check=$(psql -At "$server_url/boxoffice" \
  -c "SELECT (SELECT count(*) FROM orders) || ' orders (' || (SELECT count(*) FROM orders WHERE payment_status = 'captured') || ' captured), ' || (SELECT count(*) FROM sold_seats) || ' seats sold'")
echo "   database afterwards: $box_check"
if grep -q 'ran out of holds' <<<"$checkout_out"; then
  echo "checkout_bench: boxoffice ran out of holds ($holds) before the run's end, so its rate is" \
    "too low: shorten the run (an event has at most 200,000 seats)" >&2
  exit 1
fi

python3 - "$pgbench_tps" "$checkout_rate" "$pgbench_postgres_us" "$box_postgres_us" <<'PY'
import sys
textbook, ours, textbook_db_us, ours_db_us = (float(x) for x in sys.argv[1:])
print(f"RESULT checkouts on PostgreSQL: {ours:,.0f}/s = {ours / textbook:.2f}x pgbench's textbook "
      f"transaction ({textbook:,.0f}/s)  target >= 2.0x")
print(f"RESULT PostgreSQL CPU per order: {ours_db_us:.0f} us = {textbook_db_us / ours_db_us:.2f}x "
      f"less than the textbook transaction's ({textbook_db_us:.0f} us)")
PY
