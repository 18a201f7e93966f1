-- wrk script: checks out the holds listed in BENCH_HOLDS_DIR/holds-*.txt, each once, with an
-- Idempotency-Key and the test card that approves, and counts the answers (201 = an order).
-- A thread that runs out of holds stops: then the run was too short of holds, and says so.
local holds_dir = os.getenv("BENCH_HOLDS_DIR")
local body = '{"payment":{"card_number":"4242424242424242"},' ..
             '"customer":{"email":"fan@example.com","name":"Sam Fan"}}'
local threads = {}

-- Before the clock starts, thread i of T is dealt holds i, i + T, i + 2T, ... of all the files.
function setup(thread)
  if all == nil then
    all = {}
    local listing = io.popen('cat "' .. holds_dir .. '"/holds-*.txt')
    for line in listing:lines() do table.insert(all, line) end
    listing:close()
  end
  table.insert(threads, thread)
  local step = tonumber(os.getenv("BENCH_WRK_THREADS"))
  local mine = {}
  for i = #threads, #all, step do table.insert(mine, all[i]) end
  thread:set("holds", mine)
end

function init(args)
  next_hold, created, others, ran_out = 0, 0, 0, 0
end

function request()
  next_hold = next_hold + 1
  local hold = holds[next_hold]
  if hold == nil then
    ran_out = 1
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  return wrk.format("POST", "/v1/holds/" .. hold .. "/checkout",
                    {["Content-Type"] = "application/json", ["Idempotency-Key"] = hold}, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status ~= 200 then  -- 200: the /healthz of a thread that ran out
    others = others + 1
  end
end

function done(summary, latency, requests)
  local c, o, out = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    o = o + thread:get("others")
    out = out + thread:get("ran_out")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("checkouts: %d answered 201 in %.1f s = %.0f/s; other answers: %d\n",
                         c, seconds, c / seconds, o))
  if out > 0 then
    io.write("WARNING: ran out of holds; the rate is too low: shorten the run (the default " ..
             "200,000 seats are the most a venue may have)\n")
  end
end
