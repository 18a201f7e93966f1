-- wrk script: holds every seat of the benchmark stadium once, one seat per hold, and writes
-- the hold ids to BENCH_HOLDS_DIR/holds-<thread>.txt, one a line (see checkout_bench.sh).
-- Thread t of T holds seats t, t + T, t + 2T, ... and stops after the last.
-- Seats are "S<s>-R<r>-<n>" with the counts in the environment.
local sections = tonumber(os.getenv("BENCH_SECTIONS"))
local rows = tonumber(os.getenv("BENCH_ROWS"))
local seats = tonumber(os.getenv("BENCH_SEATS"))
local path = os.getenv("BENCH_HOLD_PATH")
local holds_dir = os.getenv("BENCH_HOLDS_DIR")
local total = sections * rows * seats
local threads = 0

function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end

function init(args)
  step = tonumber(os.getenv("BENCH_WRK_THREADS"))
  next_seat = first
  out = io.open(holds_dir .. "/holds-" .. first .. ".txt", "w")
  out:setvbuf("line")
end

function request()
  if next_seat >= total then
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  local i = next_seat
  next_seat = next_seat + step
  local seat = string.format("S%d-R%d-%d", math.floor(i / (rows * seats)),
                             math.floor(i / seats) % rows, i % seats)
  return wrk.format("POST", path, {["Content-Type"] = "application/json"},
                    '{"seats":["' .. seat .. '"]}')
end

function response(status, headers, body)
  if status == 201 then
    out:write(body:match('"hold_id":"(%x+)"'), "\n")
  end
end
