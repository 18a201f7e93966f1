-- wrk script: holds every seat of the benchmark stadium once, one seat per hold, in order, so no
-- hold asks for a seat already taken; counts the answers, and stops when the seats run out.
-- BENCH_HOLD_PATH is one hold path, or several separated by spaces (events of the same venue):
-- then the seats of the first event are held, then those of the second, and so on.
-- Thread t of T (T = BENCH_WRK_THREADS) holds seats t, t + T, t + 2T, ... of that sequence.
-- Seats are "S<s>-R<r>-<n>" with the counts in the environment (BENCH_SECTIONS, BENCH_ROWS,
-- BENCH_SEATS). With BENCH_HOLDS_DIR set, writes the hold ids to BENCH_HOLDS_DIR/holds-<t>.txt,
-- one a line (see checkout_bench.sh).
-- At the end prints, over all threads:
--   holds: <201s> granted in <seconds> s = <rate>/s; refused (409): <n>; other answers: <n>;
--   socket errors: <n>; answers: <n>
-- and "ran out of seats" if a thread held its last seat before the run's end: wrk still counts
-- the run's whole duration, so the rate would then be too low.
-- With BENCH_YARDSTICK_PATH set, the same requests go to a static file instead, as
-- GET <path>?seat=<seat>, and a 200 counts as granted: the yardstick's run then costs the load
-- tool what a run of holds costs it (this script, once per request), so that on a machine
-- where wrk shares the cores, neither side is measured at a cheaper load tool's pace.
local sections = tonumber(os.getenv("BENCH_SECTIONS"))
local rows = tonumber(os.getenv("BENCH_ROWS"))
local seats = tonumber(os.getenv("BENCH_SEATS"))
local holds_dir = os.getenv("BENCH_HOLDS_DIR")
local yardstick = os.getenv("BENCH_YARDSTICK_PATH")
local paths = {}
for p in os.getenv("BENCH_HOLD_PATH"):gmatch("%S+") do table.insert(paths, p) end
local per_event = sections * rows * seats
local total = per_event * #paths
local threads = {}

function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end

function init(args)
  step = tonumber(os.getenv("BENCH_WRK_THREADS"))
  next_seat = first
  created, conflicts, others, ran_out = 0, 0, 0, 0
  if holds_dir then
    out = io.open(holds_dir .. "/holds-" .. first .. ".txt", "w")
    out:setvbuf("line")
  end
end

function request()
  if next_seat >= total then
    ran_out = 1
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  local i = next_seat % per_event
  local path = paths[math.floor(next_seat / per_event) + 1]
  next_seat = next_seat + step
  local seat = string.format("S%d-R%d-%d", math.floor(i / (rows * seats)),
                             math.floor(i / seats) % rows, i % seats)
  if yardstick then return wrk.format("GET", yardstick .. "?seat=" .. seat) end
  return wrk.format("POST", path, {["Content-Type"] = "application/json"},
                    '{"seats":["' .. seat .. '"]}')
end

function response(status, headers, body)
  if status == 201 or (yardstick and status == 200) then
    created = created + 1
    if out and not yardstick then out:write(body:match('"hold_id":"(%x+)"'), "\n") end
  elseif status == 409 then
    conflicts = conflicts + 1
  elseif not (status == 200 and ran_out == 1) then  -- 200: the /healthz of a thread that ran out
    others = others + 1
  end
end

function done(summary, latency, requests)
  local c, x, o, out_of_seats = 0, 0, 0, false
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    x = x + thread:get("conflicts")
    o = o + thread:get("others")
    if thread:get("ran_out") == 1 then out_of_seats = true end
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format("holds: %d granted in %.2f s = %.0f/s; refused (409): %d; " ..
                         "other answers: %d; socket errors: %d; answers: %d\n",
                         c, seconds, c / seconds, x, o, socket_errors, c + x + o))
  if out_of_seats then
    io.write(string.format("ran out of seats: all %d seats of %d event(s) held before the " ..
                           "run's end\n", total, #paths))
  end
end
