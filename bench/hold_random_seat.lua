-- wrk script: POST a hold of one random seat of the benchmark stadium, and count the answers.
-- Seats are "S<s>-R<r>-<n>" with the counts in the environment (see http_bench.sh).
local sections = tonumber(os.getenv("BENCH_SECTIONS"))
local rows = tonumber(os.getenv("BENCH_ROWS"))
local seats = tonumber(os.getenv("BENCH_SEATS"))
local path = os.getenv("BENCH_HOLD_PATH")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  created, conflicts, others = 0, 0, 0
end

function request()
  local seat = string.format("S%d-R%d-%d", math.random(0, sections - 1),
                             math.random(0, rows - 1), math.random(0, seats - 1))
  return wrk.format("POST", path, {["Content-Type"] = "application/json"},
                    '{"seats":["' .. seat .. '"]}')
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 409 then conflicts = conflicts + 1
  else others = others + 1 end
end

function done(summary, latency, requests)
  local c, x, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    x = x + thread:get("conflicts")
    o = o + thread:get("others")
  end
  local total = math.max(c + x + o, 1)
  io.write(string.format("answers: 201 %.1f%%, 409 %.1f%%, other %.1f%% (%d)\n",
                         100 * c / total, 100 * x / total, 100 * o / total, o))
end
